/**
 * How a directive's value flows from http to server to location (and nested location), per each
 * module's merge function: the innermost level that sets a directive wins. Array-like directives
 * (proxy_set_header, add_header, limit_req, ...) are taken whole from the innermost level that
 * has any of them and are not combined with outer ones (except add_header with
 * `add_header_inherit merge`, nginx 1.29.3+). Handlers (proxy_pass) are not inherited at all: a
 * nested location without its own proxy_pass does not proxy.
 */
import type { NginxDirective } from './ast.ts';
import type { NginxLocation } from './location.ts';

export type NginxMergeKind = 'single' | 'list' | 'handler';

export type NginxLevelKind = 'http' | 'server' | 'location';

export interface NginxLevel {
  kind: NginxLevelKind;
  /** The level's own directives (nested blocks are other levels). */
  directives: readonly NginxDirective[];
  location?: NginxLocation;
}

/** Directives that may repeat at one level and are inherited only as a whole. */
const LIST_DIRECTIVES = new Set([
  'proxy_set_header',
  'add_header',
  'add_trailer',
  'proxy_hide_header',
  'proxy_pass_header',
  'proxy_ignore_headers',
  'limit_req',
  'limit_conn',
  'gzip_types',
  'proxy_cache_valid',
]);

/** Content handlers: they apply to the location that names them only. */
const HANDLER_DIRECTIVES = new Set(['proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'grpc_pass', 'memcached_pass', 'return']);

export function mergeKindOf(name: string): NginxMergeKind {
  if (HANDLER_DIRECTIVES.has(name)) return 'handler';
  return LIST_DIRECTIVES.has(name) ? 'list' : 'single';
}

export interface ResolvedDirective {
  /** The directives in effect (one for single-valued ones), in file order. */
  directives: NginxDirective[];
  /** The level they were taken from; undefined when no level sets the directive. */
  level?: NginxLevel;
  /** Further occurrences at the same level that nginx rejects as "is duplicate". */
  duplicates: NginxDirective[];
}

function own(level: NginxLevel, name: string): NginxDirective[] {
  return level.directives.filter((d) => d.name === name);
}

/** add_header with `add_header_inherit` (on | off | merge), itself inherited as a single value. */
function resolveAddHeader(levels: readonly NginxLevel[], name: 'add_header' | 'add_trailer'): ResolvedDirective {
  let inherited: NginxDirective[] = [];
  let mode = 'on';
  let from: NginxLevel | undefined;
  for (const level of levels) {
    const modeDirective = own(level, `${name}_inherit`)[0];
    if (modeDirective) mode = modeDirective.args[0] ?? 'on';
    const here = own(level, name);
    if (here.length > 0) {
      inherited = mode === 'merge' ? [...here, ...inherited] : here;
      from = level;
    } else if (mode === 'off') {
      inherited = [];
      from = undefined;
    }
  }
  return { directives: inherited, level: from, duplicates: [] };
}

/** The directives named `name` in effect at the innermost of `levels` (outermost first). */
export function resolveDirective(levels: readonly NginxLevel[], name: string): ResolvedDirective {
  if (name === 'add_header' || name === 'add_trailer') return resolveAddHeader(levels, name);
  const kind = mergeKindOf(name);
  const candidates = kind === 'handler' ? levels.slice(-1) : levels;
  for (let i = candidates.length - 1; i >= 0; i--) {
    const level = candidates[i]!;
    const here = own(level, name);
    if (here.length === 0) continue;
    if (kind === 'single') return { directives: here.slice(0, 1), level, duplicates: here.slice(1) };
    return { directives: here, level, duplicates: [] };
  }
  return { directives: [], duplicates: [] };
}
