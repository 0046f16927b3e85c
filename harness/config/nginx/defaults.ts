/**
 * nginx's built-in values for the directives the streaming checks read, used where no level of
 * the config sets one. Sources: ngx_http_proxy_merge_loc_conf() in
 * src/http/modules/ngx_http_proxy_module.c (buffering 1, request_buffering 1,
 * connect/send/read_timeout 60000 ms, http_version NGX_HTTP_VERSION_10 before 1.29.7, default
 * headers Host $proxy_host and Connection close), ngx_http_core_module (keepalive_timeout 75s,
 * send_timeout 60s, client_body_timeout 60s, chunked_transfer_encoding on), ngx_http_gzip
 * (gzip off, gzip_types text/html).
 *
 * proxy_http_version: nginx CHANGES, "Changes with nginx 1.29.7, 24 Mar 2026":
 *   "Change: now ngx_http_proxy_module supports keepalive by default; the default value for
 *    "proxy_http_version" is "1.1"; the "Connection" proxy header is not sent by default
 *    anymore." (nginx.org text/en/CHANGES and CHANGES-1.30; 1.30.0 of 14 Apr 2026 is the first
 *    stable release with it, so 1.22/1.26/1.28 speak HTTP/1.0 with Connection: close upstream.)
 */
import { isAtLeast } from './version.ts';

/** First nginx version whose proxy defaults are HTTP/1.1 without `Connection: close`. */
export const PROXY_HTTP11_DEFAULT_SINCE = '1.29.7';

export interface NginxDirectiveDefault {
  /** Argument lists as if written; empty when nginx sets nothing (no proxy_pass, no limit_req). */
  values: string[][];
  /** Why this is the default, for reports. */
  note: string;
}

type DefaultTable = Readonly<Record<string, (version: string) => NginxDirectiveDefault>>;

const fixed = (values: string[][], note: string) => (): NginxDirectiveDefault => ({ values, note });

const DEFAULTS: DefaultTable = {
  proxy_pass: fixed([], 'no proxy_pass: the location serves files or returns, it does not proxy'),
  proxy_buffering: fixed([['on']], 'ngx_http_proxy_module: proxy_buffering on'),
  proxy_request_buffering: fixed([['on']], 'ngx_http_proxy_module: proxy_request_buffering on'),
  proxy_http_version: (version) =>
    isAtLeast(version, PROXY_HTTP11_DEFAULT_SINCE)
      ? { values: [['1.1']], note: `nginx ${PROXY_HTTP11_DEFAULT_SINCE}+: proxy_http_version 1.1` }
      : { values: [['1.0']], note: `nginx before ${PROXY_HTTP11_DEFAULT_SINCE}: proxy_http_version 1.0` },
  proxy_read_timeout: fixed([['60s']], 'ngx_http_proxy_module: 60s'),
  proxy_send_timeout: fixed([['60s']], 'ngx_http_proxy_module: 60s'),
  proxy_connect_timeout: fixed([['60s']], 'ngx_http_proxy_module: 60s'),
  proxy_set_header: (version) =>
    isAtLeast(version, PROXY_HTTP11_DEFAULT_SINCE)
      ? { values: [['Host', '$proxy_host']], note: `nginx ${PROXY_HTTP11_DEFAULT_SINCE}+ sends Host $proxy_host and no Connection header` }
      : { values: [['Host', '$proxy_host'], ['Connection', 'close']], note: `nginx before ${PROXY_HTTP11_DEFAULT_SINCE} sends Host $proxy_host and Connection: close` },
  proxy_cache: fixed([['off']], 'ngx_http_proxy_module: proxy_cache off'),
  proxy_ignore_headers: fixed([], 'none: nginx acts on X-Accel-Buffering, X-Accel-Expires, ... from the upstream'),
  proxy_hide_header: fixed([], 'none added: nginx itself hides Date, Server, X-Pad and X-Accel-* from the client'),
  proxy_pass_header: fixed([], 'none'),
  gzip: fixed([['off']], 'ngx_http_gzip_module: gzip off'),
  gzip_types: fixed([['text/html']], 'ngx_http_gzip_module: gzip_types text/html'),
  chunked_transfer_encoding: fixed([['on']], 'ngx_http_core_module: chunked_transfer_encoding on'),
  keepalive_timeout: fixed([['75s']], 'ngx_http_core_module: keepalive_timeout 75s'),
  send_timeout: fixed([['60s']], 'ngx_http_core_module: send_timeout 60s'),
  client_body_timeout: fixed([['60s']], 'ngx_http_core_module: client_body_timeout 60s'),
  limit_conn: fixed([], 'none'),
  limit_req: fixed([], 'none'),
  http2: fixed([['off']], 'ngx_http_v2_module: http2 off'),
  add_header: fixed([], 'none'),
  resolver: fixed([], 'none: names in a proxy_pass with variables cannot be resolved at run time'),
};

/** nginx's default for `name` at `version`, or undefined for directives not in the table. */
export function nginxDirectiveDefault(name: string, version: string): NginxDirectiveDefault | undefined {
  return DEFAULTS[name]?.(version);
}
