/**
 * The settings in effect for one location (or a server's own config when no location matches),
 * after nginx's http → server → location inheritance, each with the file:line that set it or
 * "default" with nginx's built-in value for the given version.
 */
import type { NginxDirective, SourceRef } from './ast.ts';
import { nginxDirectiveDefault } from './defaults.ts';
import { resolveDirective, type NginxLevel, type NginxLevelKind } from './inheritance.ts';
import { locationChain, type NginxLocation } from './location.ts';
import type { NginxServer } from './server.ts';
import { nginxTimeMs } from './time-value.ts';

/** The directives read for every location: what decides whether an SSE stream survives. */
export const TRACKED_DIRECTIVES = [
  'proxy_pass',
  'proxy_buffering',
  'proxy_request_buffering',
  'proxy_http_version',
  'proxy_read_timeout',
  'proxy_send_timeout',
  'proxy_connect_timeout',
  'proxy_set_header',
  'proxy_cache',
  'proxy_ignore_headers',
  'proxy_hide_header',
  'proxy_pass_header',
  'gzip',
  'gzip_types',
  'chunked_transfer_encoding',
  'keepalive_timeout',
  'send_timeout',
  'client_body_timeout',
  'limit_conn',
  'limit_req',
  'http2',
  'add_header',
  'resolver',
] as const;

export type TrackedDirective = (typeof TRACKED_DIRECTIVES)[number];

export interface NginxSettingOrigin extends SourceRef {
  level: NginxLevelKind;
  /** For a value read from an included file: the include line that brought it in. */
  includedFrom?: SourceRef;
}

export interface NginxSettingValue {
  args: string[];
  /** Where it was written, or 'default' for nginx's built-in value. */
  origin: NginxSettingOrigin | 'default';
}

export interface NginxEffectiveDirective {
  name: string;
  source: 'config' | 'default';
  /** One value for single-valued directives, every entry of the deciding level for list-like ones. */
  values: NginxSettingValue[];
  /** For defaults: where nginx's value comes from. */
  defaultNote?: string;
  /** Repeats at the deciding level, which nginx rejects ("is duplicate"). */
  duplicates?: SourceRef[];
}

export interface NginxProxyHeader {
  name: string;
  /** Empty string: nginx does not send the header. */
  value: string;
  origin: NginxSettingOrigin | 'default';
}

export interface XAccelBufferingHandling {
  /** nginx obeys an upstream's `X-Accel-Buffering: no` unless proxy_ignore_headers lists it. */
  honored: boolean;
  ignoredBy?: SourceRef;
  /**
   * Whether the header reaches the next hop: nginx hides X-Accel-* from its client unless
   * proxy_pass_header names it. Matters when another buffering proxy sits in front.
   */
  passedDownstream: boolean;
  passedBy?: SourceRef;
  /** An explicit proxy_hide_header for it (redundant with nginx's own hiding). */
  hiddenBy?: SourceRef;
}

export interface NginxEffectiveSettings {
  nginxVersion: string;
  server: NginxServer;
  location?: NginxLocation;
  directives: Record<TrackedDirective, NginxEffectiveDirective>;
  /** Typed readings; undefined where the value is a variable or an unrendered placeholder. */
  proxyBuffering?: boolean;
  proxyRequestBuffering?: boolean;
  proxyHttpVersion?: string;
  proxyReadTimeoutMs?: number;
  proxySendTimeoutMs?: number;
  proxyConnectTimeoutMs?: number;
  keepaliveTimeoutMs?: number;
  sendTimeoutMs?: number;
  clientBodyTimeoutMs?: number;
  proxyCache?: string;
  gzip?: boolean;
  gzipTypes: string[];
  /** gzip is on and its types cover text/event-stream (or `*`). */
  gzipCompressesEventStream: boolean;
  chunkedTransferEncoding?: boolean;
  /** HTTP/2 towards clients: `http2 on` in scope or `listen ... http2` on this server. */
  http2: boolean;
  /** The headers nginx sends upstream: configured ones plus its defaults not overridden. */
  proxyHeaders: NginxProxyHeader[];
  xAccelBuffering: XAccelBufferingHandling;
  /** Includes in scope that matched none of the user's files: their settings are missing here. */
  unresolvedIncludes: NginxDirective[];
  /** Directives inside `if` blocks in scope, applied only when their condition holds. */
  conditional: NginxDirective[];
}

export interface EffectiveSettingsOptions {
  /** The nginx version whose defaults apply, e.g. "1.26.3" or "1.30.0". */
  nginxVersion: string;
}

/** The inheritance levels for a server and (optionally) one of its locations, outermost first. */
export function levelsFor(httpLevels: readonly (readonly NginxDirective[])[], server: NginxServer, location?: NginxLocation): NginxLevel[] {
  const levels: NginxLevel[] = httpLevels.map((directives) => ({ kind: 'http', directives }));
  levels.push({ kind: 'server', directives: server.directive.block ?? [] });
  if (location) for (const l of locationChain(location)) levels.push({ kind: 'location', directives: l.directive.block ?? [], location: l });
  return levels;
}

function originOf(directive: NginxDirective, level: NginxLevelKind): NginxSettingOrigin {
  const origin: NginxSettingOrigin = { file: directive.file, line: directive.line, level };
  if (directive.includedFrom) origin.includedFrom = directive.includedFrom;
  return origin;
}

function effectiveDirective(levels: readonly NginxLevel[], name: string, nginxVersion: string): NginxEffectiveDirective {
  const resolved = resolveDirective(levels, name);
  if (resolved.directives.length > 0) {
    const kind = resolved.level?.kind ?? 'location';
    const effective: NginxEffectiveDirective = {
      name,
      source: 'config',
      values: resolved.directives.map((d) => ({ args: d.args, origin: originOf(d, kind) })),
    };
    if (resolved.duplicates.length > 0) effective.duplicates = resolved.duplicates.map((d) => ({ file: d.file, line: d.line }));
    return effective;
  }
  const fallback = nginxDirectiveDefault(name, nginxVersion);
  return {
    name,
    source: 'default',
    values: (fallback?.values ?? []).map((args) => ({ args, origin: 'default' as const })),
    defaultNote: fallback?.note,
  };
}

/** First argument of a single-valued directive. */
function firstArg(directive: NginxEffectiveDirective): string | undefined {
  return directive.values[0]?.args[0];
}

function flag(directive: NginxEffectiveDirective): boolean | undefined {
  const value = firstArg(directive)?.toLowerCase();
  return value === 'on' ? true : value === 'off' ? false : undefined;
}

function timeMs(directive: NginxEffectiveDirective): number | undefined {
  const value = firstArg(directive);
  return value === undefined ? undefined : nginxTimeMs(value);
}

function refOf(value: NginxSettingValue | undefined): SourceRef | undefined {
  return value && value.origin !== 'default' ? { file: value.origin.file, line: value.origin.line } : undefined;
}

function namesHeader(values: readonly NginxSettingValue[], header: string): NginxSettingValue | undefined {
  return values.find((v) => v.args.some((a) => a.toLowerCase() === header.toLowerCase()));
}

function proxyHeadersOf(configured: NginxEffectiveDirective, nginxVersion: string): NginxProxyHeader[] {
  const headers: NginxProxyHeader[] = configured.source === 'config' ? configured.values.map((v) => ({ name: v.args[0] ?? '', value: v.args[1] ?? '', origin: v.origin })) : [];
  // nginx adds its own default headers unless the list names them (ngx_http_proxy_merge_headers).
  for (const args of nginxDirectiveDefault('proxy_set_header', nginxVersion)?.values ?? []) {
    const [name = '', value = ''] = args;
    if (!headers.some((h) => h.name.toLowerCase() === name.toLowerCase())) headers.push({ name, value, origin: 'default' });
  }
  return headers;
}

function http2Of(server: NginxServer, directive: NginxEffectiveDirective): boolean {
  return flag(directive) === true || server.listens.some((l) => l.http2);
}

function conditionalIn(levels: readonly NginxLevel[]): NginxDirective[] {
  return levels.flatMap((level) => level.directives.filter((d) => d.name === 'if' && d.block).flatMap((d) => d.block ?? []));
}

/**
 * The settings in effect for `location` of `server` (or the server's own config when no location
 * matched), for the given nginx version's defaults. `config` is an NginxConfig (its http levels).
 */
export function effectiveSettings(
  config: { readonly httpLevels: readonly (readonly NginxDirective[])[] },
  server: NginxServer,
  location: NginxLocation | undefined,
  options: EffectiveSettingsOptions,
): NginxEffectiveSettings {
  const { nginxVersion } = options;
  const levels = levelsFor(config.httpLevels, server, location);
  const directives = Object.fromEntries(TRACKED_DIRECTIVES.map((name) => [name, effectiveDirective(levels, name, nginxVersion)])) as Record<
    TrackedDirective,
    NginxEffectiveDirective
  >;
  const gzipTypes = directives.gzip_types.values.flatMap((v) => v.args);
  const gzip = flag(directives.gzip);
  const proxyCache = firstArg(directives.proxy_cache);
  const ignored = namesHeader(directives.proxy_ignore_headers.values, 'X-Accel-Buffering');
  const passed = namesHeader(directives.proxy_pass_header.values, 'X-Accel-Buffering');
  const hidden = namesHeader(directives.proxy_hide_header.values, 'X-Accel-Buffering');
  const xAccelBuffering: XAccelBufferingHandling = { honored: !ignored, passedDownstream: Boolean(passed) };
  if (ignored) xAccelBuffering.ignoredBy = refOf(ignored);
  if (passed) xAccelBuffering.passedBy = refOf(passed);
  if (hidden) xAccelBuffering.hiddenBy = refOf(hidden);
  return {
    nginxVersion,
    server,
    location,
    directives,
    proxyBuffering: flag(directives.proxy_buffering),
    proxyRequestBuffering: flag(directives.proxy_request_buffering),
    proxyHttpVersion: firstArg(directives.proxy_http_version),
    proxyReadTimeoutMs: timeMs(directives.proxy_read_timeout),
    proxySendTimeoutMs: timeMs(directives.proxy_send_timeout),
    proxyConnectTimeoutMs: timeMs(directives.proxy_connect_timeout),
    keepaliveTimeoutMs: timeMs(directives.keepalive_timeout),
    sendTimeoutMs: timeMs(directives.send_timeout),
    clientBodyTimeoutMs: timeMs(directives.client_body_timeout),
    proxyCache: proxyCache === 'off' ? undefined : proxyCache,
    gzip,
    gzipTypes,
    gzipCompressesEventStream: gzip === true && gzipTypes.some((t) => t === '*' || t.toLowerCase() === 'text/event-stream'),
    chunkedTransferEncoding: flag(directives.chunked_transfer_encoding),
    http2: http2Of(server, directives.http2),
    proxyHeaders: proxyHeadersOf(directives.proxy_set_header, nginxVersion),
    xAccelBuffering,
    unresolvedIncludes: levels.flatMap((l) => l.directives.filter((d) => d.unresolvedInclude)),
    conditional: conditionalIn(levels),
  };
}
