/**
 * The static pass: what a user's file predicts for each stream before any runs (the real readers
 * for the request under test, patterns where they cannot answer), and the cause and fix of a
 * measured failure in the words of that file.
 */
import type { ProxyKind } from '../docker/images.ts';
import type { CheckResult } from '../model.ts';
import type { NginxEffectiveSettings, TrackedDirective } from '../config/nginx/index.ts';
import { DEFAULT_REQUEST, describeRequest, haproxyRequestUnderTest, nginxRequestUnderTest, type TestRequest } from '../config/request-under-test.ts';
import { effectiveTimeouts } from '../proxies/haproxy-config.ts';
import { nginxTimeMs } from '../proxies/nginx-config.ts';
import { stripComments } from '../user-hops.ts';
import { HEARTBEAT_S, RUN_NAMES, TOOL_PAUSE_S, type Expectations, type RunName } from './streams.ts';

// ─── Reading the config ─────────────────────────────────────────────────────────────────────────

/** The value of an nginx directive (its first occurrence), or undefined when the site leaves it to nginx's default. */
function nginxDirective(site: string, name: string): string | undefined {
  return new RegExp(`^\\s*${name}\\s+([^;\\s]+)\\s*;`, 'm').exec(stripComments(site))?.[1];
}

function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

export const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

interface NginxFacts {
  /** `POST /v1/chat/completions is served by the server at …, location …` (when the reader routed it). */
  servedBy?: string;
  buffering: string;
  bufferingSource: string;
  httpVersion: string;
  httpVersionSource: string;
  readTimeoutMs: number;
  readTimeoutSource: string;
  /** Served over TLS: with proxy_buffering on, nginx holds output until an ssl_buffer_size record fills (decision 0031). */
  tls?: boolean;
}

/** The file and port the request under test comes in on: with them the real reader answers. */
export interface RequestWhere {
  file: string;
  listenPort: number;
  /** The path and Host streamed (default: POST /v1/chat/completions, Host 127.0.0.1). */
  request?: TestRequest;
  /** The request comes in over TLS (`listen … ssl`): nginx fills TLS records before it sends. */
  tls?: boolean;
}

/** `proxy_buffering off (site.conf:17)` for a value the file sets; undefined for nginx's default (the caller words those). */
function writtenValue(settings: NginxEffectiveSettings, name: TrackedDirective): string | undefined {
  const value = settings.directives[name].values[0];
  if (!value || value.origin === 'default') return undefined;
  return `${name} ${value.args.join(' ')} (${value.origin.file.split('/').pop()}:${value.origin.line})`;
}

function nginxFacts(site: string, version: string, where?: RequestWhere): NginxFacts {
  return { ...routedOrPatternFacts(site, version, where), ...(where?.tls ? { tls: true } : {}) };
}

function routedOrPatternFacts(site: string, version: string, where?: RequestWhere): NginxFacts {
  const routed = where ? nginxRequestUnderTest(where.file, site, where.listenPort, version, where.request) : undefined;
  const s = routed?.settings;
  if (routed && s && s.proxyBuffering !== undefined && s.proxyHttpVersion !== undefined && s.proxyReadTimeoutMs !== undefined) {
    const buffering = writtenValue(s, 'proxy_buffering');
    const http = writtenValue(s, 'proxy_http_version');
    const read = writtenValue(s, 'proxy_read_timeout');
    return {
      servedBy: `${describeRequest(where?.request ?? DEFAULT_REQUEST)} is served by the ${routed.servedBy}`,
      buffering: s.proxyBuffering ? 'on' : 'off',
      bufferingSource: buffering ?? 'proxy_buffering on (default)',
      httpVersion: s.proxyHttpVersion,
      httpVersionSource: http ?? `proxy_http_version ${s.proxyHttpVersion} (nginx ${version}'s default; 1.0 up to 1.29.6, 1.1 from 1.29.7)`,
      readTimeoutMs: s.proxyReadTimeoutMs,
      readTimeoutSource: read ?? 'proxy_read_timeout 60s (default)',
    };
  }
  return nginxFactsByPattern(site, version);
}

/** Without a route (no --listen match, variables, a file the reader cannot read): the first occurrence of each directive. */
function nginxFactsByPattern(site: string, version: string): NginxFacts {
  const buffering = nginxDirective(site, 'proxy_buffering');
  const http = nginxDirective(site, 'proxy_http_version');
  const read = nginxDirective(site, 'proxy_read_timeout');
  const defaultHttp = versionAtLeast(version, 1, 29) ? '1.1' : '1.0';
  return {
    buffering: buffering ?? 'on',
    bufferingSource: buffering ? `proxy_buffering ${buffering}` : 'proxy_buffering on (default)',
    httpVersion: http ?? defaultHttp,
    httpVersionSource: http ? `proxy_http_version ${http}` : `proxy_http_version ${defaultHttp} (nginx ${version}'s default; 1.0 up to 1.28, 1.1 from 1.29/1.30)`,
    readTimeoutMs: read ? nginxTimeMs(read) : 60_000,
    readTimeoutSource: read ? `proxy_read_timeout ${read}` : 'proxy_read_timeout 60s (default)',
  };
}

function nginxExpectations(f: NginxFacts): { lines: string[]; expect: Expectations } {
  const buffered = f.buffering !== 'off' && (f.httpVersion === '1.0' || f.tls === true);
  const lines: string[] = f.servedBy ? [f.servedBy] : [];
  const expect: Expectations = {};
  if (buffered && f.httpVersion !== '1.0') {
    lines.push(`proxy_buffering is on and the client is served over TLS (${f.bufferingSource}): nginx sends a TLS record only once ssl_buffer_size (16k) fills or the response ends, so events will arrive in bursts, and heartbeats will be held`);
    expect['streaming.buffering'] = { verdict: 'fail', because: 'proxy_buffering on over TLS: output held until a 16k TLS record fills' };
    expect['pause-heartbeats.heartbeat'] = { verdict: 'fail', because: 'heartbeats held in the TLS record buffer' };
  } else if (buffered) {
    lines.push(`proxy_buffering is on and the upstream is spoken to in HTTP/1.0 (${f.bufferingSource}, ${f.httpVersionSource}): events will arrive in bursts, and heartbeats will be held in the buffer`);
    expect['streaming.buffering'] = { verdict: 'fail', because: 'proxy_buffering on with HTTP/1.0 upstream: events in bursts' };
    expect['pause-heartbeats.heartbeat'] = { verdict: 'fail', because: 'heartbeats held in the buffer' };
  } else {
    const why = f.buffering === 'off' ? `${f.bufferingSource}: each event is passed on as it is read` : `${f.bufferingSource} but the upstream is spoken to in HTTP/${f.httpVersion} (${f.httpVersionSource}): the chunked body is passed on event by event`;
    lines.push(why);
    expect['streaming.buffering'] = { verdict: 'pass', because: why };
  }
  if (f.readTimeoutMs < TOOL_PAUSE_S * 1000) {
    lines.push(`${f.readTimeoutSource} < ${TOOL_PAUSE_S} s tool pause: a pause without heartbeats will be cut after ${seconds(f.readTimeoutMs)}`);
    expect['pause-silent.heartbeat'] = { verdict: 'fail', because: `${f.readTimeoutSource} < ${TOOL_PAUSE_S} s pause` };
  } else {
    lines.push(`${f.readTimeoutSource} ≥ ${TOOL_PAUSE_S} s tool pause: a silent pause will not be cut`);
    expect['pause-silent.heartbeat'] = { verdict: 'pass', because: `${f.readTimeoutSource} ≥ ${TOOL_PAUSE_S} s` };
  }
  if (!buffered) {
    const ok = f.readTimeoutMs > HEARTBEAT_S * 1000;
    expect['pause-heartbeats.heartbeat'] = { verdict: ok ? 'pass' : 'fail', because: `${f.readTimeoutSource} ${ok ? '>' : '≤'} ${HEARTBEAT_S} s heartbeat interval` };
  }
  completionExpected(expect);
  return { lines, expect };
}

/** A cut (if any) closes without the final chunk on nginx with HTTP/1.1-or-timeout and on HAProxy: the client sees it. */
function completionExpected(expect: Expectations): void {
  for (const run of RUN_NAMES) expect[`${run}.completion`] = { verdict: 'pass', because: 'a cut, if any, is visible to the client (no final chunk)' };
}

interface HaproxyFacts {
  /** `POST /v1/chat/completions reaches backend …, by …` (when the reader routed it). */
  servedBy?: string;
  timeoutServerMs: number | undefined;
  noDelay: boolean;
  compression: boolean;
}

function haproxyFacts(cfg: string, where?: RequestWhere): HaproxyFacts {
  const text = stripComments(cfg);
  const routed = where ? haproxyRequestUnderTest(where.file, cfg, where.listenPort, where.request) : undefined;
  return {
    ...(routed ? { servedBy: `${describeRequest(where?.request ?? DEFAULT_REQUEST)} reaches ${routed.servedBy}` } : {}),
    timeoutServerMs: effectiveTimeouts(cfg).server.server,
    noDelay: /^\s*option\s+http-no-delay\b/m.test(text),
    compression: /^\s*(?:filter\s+)?compression\b/m.test(text),
  };
}

function haproxyExpectations(f: HaproxyFacts): { lines: string[]; expect: Expectations } {
  const lines: string[] = f.servedBy ? [f.servedBy] : [];
  const expect: Expectations = {};
  const server = f.timeoutServerMs === undefined ? 'timeout server unset (infinite)' : `timeout server ${seconds(f.timeoutServerMs)}`;
  if (f.noDelay) {
    lines.push('option http-no-delay: each event is sent at once');
    expect['streaming.buffering'] = { verdict: 'pass', because: 'option http-no-delay' };
  } else {
    lines.push('no option http-no-delay: the kernel may hold small events up to 200 ms (MSG_MORE); delay p95 passes the 250 ms threshold narrowly');
    expect['streaming.buffering'] = { verdict: 'pass', because: 'HAProxy does not buffer; MSG_MORE delays stay under 250 ms' };
  }
  if (f.compression) lines.push('compression is configured: if it covers text/event-stream, HAProxy 2.6 holds each compressed event until the next arrives');
  const cutsPause = f.timeoutServerMs !== undefined && f.timeoutServerMs < TOOL_PAUSE_S * 1000;
  lines.push(cutsPause ? `${server} < ${TOOL_PAUSE_S} s tool pause: a pause without heartbeats will be cut after ${seconds(f.timeoutServerMs!)}` : `${server} ≥ ${TOOL_PAUSE_S} s tool pause: a silent pause will not be cut`);
  expect['pause-silent.heartbeat'] = { verdict: cutsPause ? 'fail' : 'pass', because: `${server} ${cutsPause ? '<' : '≥'} ${TOOL_PAUSE_S} s pause` };
  const beatsCut = f.timeoutServerMs !== undefined && f.timeoutServerMs <= HEARTBEAT_S * 1000;
  expect['pause-heartbeats.heartbeat'] = { verdict: beatsCut ? 'fail' : 'pass', because: `${server} ${beatsCut ? '≤' : '>'} ${HEARTBEAT_S} s heartbeat interval` };
  completionExpected(expect);
  return { lines, expect };
}

/** What the config predicts, one line per finding, and the verdict it expects per check (version: the proxy's real one). */
export function staticPass(kind: ProxyKind, text: string, version: string, where?: RequestWhere): { lines: string[]; expect: Expectations } {
  return kind === 'nginx' ? nginxExpectations(nginxFacts(text, version, where)) : haproxyExpectations(haproxyFacts(text, where));
}

// ─── Cause and fix of a failure ────────────────────────────────────────────────────────────────

/** `role`: on a chain, the box the taps found holding the heartbeats, whoever cut the stream after. */
export function causeAndFix(kind: ProxyKind, text: string, version: string, run: RunName, result: CheckResult, role?: 'holds-heartbeats', where?: RequestWhere): string {
  const f = result.figures;
  const cut = f.survived === 0 && role !== 'holds-heartbeats';
  if (kind === 'nginx') {
    const n = nginxFacts(text, version, where);
    if (result.check === 'buffering') {
      if (n.buffering !== 'off' && n.tls && n.httpVersion !== '1.0') {
        return `${n.bufferingSource} over TLS: nginx holds events until a TLS record of ssl_buffer_size (16k) fills (p95 ${Math.round(f.delayP95Ms ?? 0)} ms), although the upstream is spoken to in HTTP/${n.httpVersion}: add \`proxy_buffering off;\` to the location that proxies the stream`;
      }
      return n.buffering !== 'off'
        ? `${n.bufferingSource} with the upstream spoken to in HTTP/${n.httpVersion} (${n.httpVersionSource}): nginx holds events in its buffers (p95 ${Math.round(f.delayP95Ms ?? 0)} ms): add \`proxy_buffering off;\` (and \`proxy_http_version 1.1;\`) to the location that proxies the stream`
        : `events delayed (p95 ${Math.round(f.delayP95Ms ?? 0)} ms) although proxy_buffering is off: look for gzip on text/event-stream or a box behind nginx`;
    }
    if (result.check === 'heartbeat' && run === 'pause-heartbeats' && !cut) {
      const holder = n.tls && n.httpVersion !== '1.0' ? 'over TLS keeps them in the 16k TLS record buffer' : `with HTTP/${n.httpVersion} upstream keeps them in the buffer`;
      return `heartbeats held back (max gap ${Math.round(f.maxGapMs ?? 0)} ms): ${n.bufferingSource} ${holder}: add \`proxy_buffering off;\``;
    }
    if (result.check === 'heartbeat' && cut) {
      return run === 'pause-silent'
        ? `${n.readTimeoutSource} < ${TOOL_PAUSE_S} s tool pause and no heartbeat reached the client: send heartbeats every ≤ ${HEARTBEAT_S} s or raise proxy_read_timeout (e.g. 3600s)`
        : `cut although heartbeats were sent every ${HEARTBEAT_S} s: ${n.readTimeoutSource}; raise proxy_read_timeout above the heartbeat interval, and check \`proxy_buffering off;\` so heartbeats are passed on`;
    }
    if (result.check === 'completion' && f.silentTruncation === 1) {
      return `the stream ended cleanly without its terminator (a silent truncation): add \`proxy_http_version 1.1;\` so nginx closes without the final chunk and the client sees the cut`;
    }
  } else {
    const h = haproxyFacts(text);
    if (result.check === 'buffering') {
      return h.compression
        ? `compression on the event stream holds events (p95 ${Math.round(f.delayP95Ms ?? 0)} ms): exclude text/event-stream from \`compression type\``
        : h.noDelay
          ? `events delayed (p95 ${Math.round(f.delayP95Ms ?? 0)} ms) although option http-no-delay is set: look at filters or a box behind HAProxy`
          : `no option http-no-delay: HAProxy sends with MSG_MORE and the kernel holds small events (p95 ${Math.round(f.delayP95Ms ?? 0)} ms): add \`option http-no-delay\` to the backend`;
    }
    if (result.check === 'heartbeat' && cut) {
      const server = h.timeoutServerMs === undefined ? 'timeout server (unset)' : `timeout server ${seconds(h.timeoutServerMs)}`;
      return run === 'pause-silent'
        ? `${server} < ${TOOL_PAUSE_S} s tool pause and no heartbeat reached the client: send heartbeats every ≤ ${HEARTBEAT_S} s or raise \`timeout server\` in the backend (e.g. 3600s)`
        : `cut although heartbeats were sent every ${HEARTBEAT_S} s: ${server}; raise \`timeout server\` above the heartbeat interval`;
    }
    if (result.check === 'heartbeat') return `heartbeats held back (max gap ${Math.round(f.maxGapMs ?? 0)} ms): look for compression or a filter holding the response`;
  }
  return result.detail;
}

// ─── Where the fix goes ─────────────────────────────────────────────────────────────────────────

/** The directive whose value a failure's fix changes, by check and stream (see causeAndFix). */
function directiveToChange(kind: ProxyKind, run: RunName, result: CheckResult, role?: 'holds-heartbeats'): string | undefined {
  const cut = result.figures.survived === 0 && role !== 'holds-heartbeats';
  if (kind === 'nginx') {
    if (result.check === 'buffering' || (result.check === 'heartbeat' && !cut)) return 'proxy_buffering';
    if (result.check === 'heartbeat') return 'proxy_read_timeout';
    if (result.check === 'completion') return 'proxy_http_version';
    return undefined;
  }
  return result.check === 'heartbeat' && cut ? 'timeout server' : undefined;
}

/**
 * The line of the user's file a failure's fix belongs at (SARIF, GitHub annotations): the
 * directive it changes where the file writes it, else the block that serves the request under
 * test (the location, the backend), where the directive goes. Undefined when the reader cannot
 * route the request.
 */
export function fixLine(kind: ProxyKind, text: string, version: string, run: RunName, result: CheckResult, role?: 'holds-heartbeats', where?: RequestWhere): number | undefined {
  if (!where) return undefined;
  const directive = directiveToChange(kind, run, result, role);
  if (kind === 'nginx') {
    const routed = nginxRequestUnderTest(where.file, text, where.listenPort, version, where.request);
    if (!routed) return undefined;
    const written = directive && routed.settings ? routed.settings.directives[directive as TrackedDirective]?.values[0] : undefined;
    return written && written.origin !== 'default' && written.origin.file === where.file ? written.origin.line : routed.blockLine;
  }
  const routed = haproxyRequestUnderTest(where.file, text, where.listenPort, where.request);
  return (directive === 'timeout server' ? routed?.timeoutServerLine : undefined) ?? routed?.blockLine;
}
