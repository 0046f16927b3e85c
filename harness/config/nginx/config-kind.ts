/**
 * Which kind of file the user handed in. nginx reads one nginx.conf (main context, with
 * `events {}` and `http {}`); a site file is what conf.d/ holds and is read inside `http {}`;
 * anything else is a snippet included inside `server {}` or `location {}`.
 */
import type { NginxDirective } from './ast.ts';

export type NginxConfigKind =
  /** A whole nginx.conf: main context with events/http (or stream/mail) blocks. */
  | 'nginx.conf'
  /** A conf.d site file: server/upstream/map blocks, read inside http {}. */
  | 'site'
  /** Directives for inside a server or location block (proxy.conf, https.conf). */
  | 'snippet';

/** Blocks only the main context holds. */
const MAIN_BLOCKS = new Set(['http', 'events', 'stream', 'mail']);
/** Directives that belong to a server or location, never to http level. */
const SERVER_OR_LOCATION = new Set(['location', 'listen', 'server_name', 'proxy_pass', 'return', 'try_files', 'rewrite']);
/** What a site file holds at its top level. */
const HTTP_LEVEL = new Set(['server', 'upstream', 'map', 'geo', 'split_clients', 'log_format', 'proxy_cache_path', 'limit_req_zone', 'limit_conn_zone']);

export function detectConfigKind(topLevel: readonly NginxDirective[]): NginxConfigKind {
  if (topLevel.some((d) => MAIN_BLOCKS.has(d.name) && d.block)) return 'nginx.conf';
  if (topLevel.some((d) => SERVER_OR_LOCATION.has(d.name))) return 'snippet';
  if (topLevel.some((d) => HTTP_LEVEL.has(d.name))) return 'site';
  return 'snippet';
}
