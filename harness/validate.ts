/**
 * `streamproof validate`: the standard checks against a user's own nginx site or haproxy.cfg,
 * unmodified. A static pass reads the config and says what it expects; the proxy then runs on a
 * private network where the upstream name the config proxies to resolves to the mock LLM (a tap
 * container carrying that name, Stack.userProxy), and three streams go through it at once:
 * token streaming, a 70 s tool pause with heartbeats every 15 s, and the same pause without.
 * Each failure is printed with the directive that causes it and the fix; where the static
 * expectation and the measurement disagree, the measurement wins and the report says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CheckName, CheckResult, StreamEvidence, Verdict } from './model.ts';
import { evaluateChecks } from './checks/index.ts';
import { runSingleConnectionClient } from './clients/index.ts';
import { SCRIPT_HEADER } from './mock-llm/index.ts';
import type { ProxyKind } from './docker/images.ts';
import { StreamproofError } from './errors.ts';
import { effectiveTimeouts, haproxyIdleTimeoutMs, haproxyTimeMs } from './proxies/haproxy-config.ts';
import { nginxIdleTimeoutMs, nginxTimeMs } from './proxies/nginx-config.ts';
import type { ProxyHandle, UpstreamAddress } from './proxies/proxy-handle.ts';
import { HEADLINE } from './report/common.ts';
import { scaledMs, type ProxyVersion } from './settings.ts';
import { Stack } from './stack.ts';

export const TOOL_PAUSE_S = 70;
export const HEARTBEAT_S = 15;

export interface ValidateOptions {
  kind: ProxyKind;
  file: string;
  /** `host:port` as the user gave it; read from the config when absent. */
  upstream?: string;
  timeScale: number;
  versions: readonly ProxyVersion[];
  print: (line: string) => void;
}

type RunName = 'streaming' | 'pause-heartbeats' | 'pause-silent';

const RUNS: Record<RunName, { label: string; checks: CheckName[]; script: Record<string, unknown> }> = {
  streaming: { label: 'token streaming (60 tokens, 20 ms apart)', checks: ['buffering', 'completion'], script: { tokens: 60, tokenIntervalMs: 20 } },
  'pause-heartbeats': {
    label: `${TOOL_PAUSE_S} s tool pause, heartbeats every ${HEARTBEAT_S} s`,
    checks: ['heartbeat', 'completion'],
    script: { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: TOOL_PAUSE_S }, heartbeatSeconds: HEARTBEAT_S },
  },
  'pause-silent': {
    label: `${TOOL_PAUSE_S} s tool pause, no heartbeats`,
    checks: ['heartbeat', 'completion'],
    script: { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: TOOL_PAUSE_S } },
  },
};
const RUN_NAMES = Object.keys(RUNS) as RunName[];

/** What the static pass predicts for one check of one run, and why. */
interface Expectation {
  verdict: Verdict;
  because: string;
}
type Expectations = Partial<Record<`${RunName}.${CheckName}`, Expectation>>;

// ─── Reading the config ─────────────────────────────────────────────────────────────────────────

const stripComments = (text: string) => text.replace(/#.*$/gm, '');

function badOptions(problem: string, fix: string): StreamproofError {
  return new StreamproofError('STREAMPROOF_BAD_OPTIONS', problem, fix);
}

export function parseUpstream(value: string): UpstreamAddress {
  const match = /^([A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$/.exec(value.trim());
  if (!match || Number(match[2]) > 65535) {
    throw badOptions(`--upstream must be host:port, got '${value}'`, 'pass the host:port your config proxies to, e.g. --upstream llm-backend:8000');
  }
  return { host: match[1]!, port: Number(match[2]) };
}

/** nginx: `server host:port;` of the upstream block proxy_pass names, else `proxy_pass http://host:port`. */
export function nginxUpstreamOf(site: string): UpstreamAddress | undefined {
  const text = stripComments(site);
  const blocks = new Map<string, string>();
  for (const m of text.matchAll(/\bupstream\s+([\w.-]+)\s*\{([^}]*)\}/g)) blocks.set(m[1]!, m[2]!);
  for (const m of text.matchAll(/\bproxy_pass\s+https?:\/\/([\w.-]+)(?::(\d+))?/g)) {
    const block = blocks.get(m[1]!);
    if (block) {
      const server = /\bserver\s+([\w.-]+):(\d+)/.exec(block);
      if (server) return { host: server[1]!, port: Number(server[2]) };
      continue;
    }
    if (/^\d+\.\d+\.\d+\.\d+$/.test(m[1]!)) continue; // an address cannot be an alias
    return { host: m[1]!, port: m[2] ? Number(m[2]) : 80 };
  }
  return undefined;
}

/** nginx: the first `listen` port (80 when the site has none, as in nginx). */
export function nginxListenPortOf(site: string): number {
  const listen = /(?:^|[{;])\s*listen\s+(?:\S*:)?(\d+)\b/m.exec(stripComments(site));
  return listen ? Number(listen[1]) : 80;
}

/** HAProxy: the first `server name host:port` of a backend or listen section. */
export function haproxyUpstreamOf(cfg: string): UpstreamAddress | undefined {
  const server = /^\s*server\s+\S+\s+"?([A-Za-z][\w.-]*):(\d+)"?/m.exec(stripComments(cfg));
  return server ? { host: server[1]!, port: Number(server[2]) } : undefined;
}

/** HAProxy: the first `bind [addr]:N` port. */
export function haproxyListenPortOf(cfg: string): number | undefined {
  const bind = /^\s*bind\s+\S*?:(\d+)\b/m.exec(stripComments(cfg));
  return bind ? Number(bind[1]) : undefined;
}

/** The value of an nginx directive (its first occurrence), or undefined when the site leaves it to nginx's default. */
function nginxDirective(site: string, name: string): string | undefined {
  return new RegExp(`^\\s*${name}\\s+([^;\\s]+)\\s*;`, 'm').exec(stripComments(site))?.[1];
}

function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

interface NginxFacts {
  buffering: string;
  bufferingSource: string;
  httpVersion: string;
  httpVersionSource: string;
  readTimeoutMs: number;
  readTimeoutSource: string;
}

function nginxFacts(site: string, version: string): NginxFacts {
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
  const buffered = f.buffering !== 'off' && f.httpVersion === '1.0';
  const lines: string[] = [];
  const expect: Expectations = {};
  if (buffered) {
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
  timeoutServerMs: number | undefined;
  noDelay: boolean;
  compression: boolean;
}

function haproxyFacts(cfg: string): HaproxyFacts {
  const text = stripComments(cfg);
  return {
    timeoutServerMs: effectiveTimeouts(cfg).server.server,
    noDelay: /^\s*option\s+http-no-delay\b/m.test(text),
    compression: /^\s*(?:filter\s+)?compression\b/m.test(text),
  };
}

function haproxyExpectations(f: HaproxyFacts): { lines: string[]; expect: Expectations } {
  const lines: string[] = [];
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
export function staticPass(kind: ProxyKind, text: string, version: string): { lines: string[]; expect: Expectations } {
  return kind === 'nginx' ? nginxExpectations(nginxFacts(text, version)) : haproxyExpectations(haproxyFacts(text));
}

// ─── Cause and fix of a failure ────────────────────────────────────────────────────────────────

function causeAndFix(kind: ProxyKind, text: string, version: string, run: RunName, result: CheckResult): string {
  const f = result.figures;
  const cut = f.survived === 0;
  if (kind === 'nginx') {
    const n = nginxFacts(text, version);
    if (result.check === 'buffering') {
      return n.buffering !== 'off'
        ? `${n.bufferingSource} with the upstream spoken to in HTTP/${n.httpVersion} (${n.httpVersionSource}): nginx holds events in its buffers (p95 ${Math.round(f.delayP95Ms ?? 0)} ms): add \`proxy_buffering off;\` (and \`proxy_http_version 1.1;\`) to the location that proxies the stream`
        : `events delayed (p95 ${Math.round(f.delayP95Ms ?? 0)} ms) although proxy_buffering is off: look for gzip on text/event-stream or a box behind nginx`;
    }
    if (result.check === 'heartbeat' && run === 'pause-heartbeats' && !cut) {
      return `heartbeats held back (max gap ${Math.round(f.maxGapMs ?? 0)} ms): ${n.bufferingSource} with HTTP/${n.httpVersion} upstream keeps them in the buffer: add \`proxy_buffering off;\``;
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

// ─── The run ─────────────────────────────────────────────────────────────────────────────────────

function loadConfig(kind: ProxyKind, file: string): string {
  if (!existsSync(file)) {
    throw badOptions(`no ${kind === 'nginx' ? 'nginx site file' : 'haproxy.cfg'} at ${file}`, `pass the path of your ${kind === 'nginx' ? 'nginx site config' : 'haproxy.cfg'}`);
  }
  return readFileSync(file, 'utf8');
}

/** A config refusal names the file in the container: say which line of the user's file that is. */
function inYourFile(error: unknown, kind: ProxyKind, file: string): unknown {
  if (!(error instanceof StreamproofError) || error.code !== 'STREAMPROOF_PROXY_CONFIG') return error;
  const problem = error.message.split('\nTo fix:')[0]!.replace(/^STREAMPROOF_PROXY_CONFIG:\s*/, '');
  const line = kind === 'nginx' ? /streamproof-site\.conf:(\d+)/.exec(problem)?.[1] : /haproxy\.cfg:(\d+)\]/.exec(problem)?.[1];
  const where = line ? ` (line ${line} of ${file})` : '';
  return new StreamproofError(
    'STREAMPROOF_PROXY_CONFIG',
    `${problem}${where}`,
    `correct ${line ? `line ${line} of ${file}` : file}; the ${kind === 'nginx' ? 'nginx' : 'HAProxy'} message above is its own (the file runs unmodified, its timeouts scaled)`,
    { cause: error },
  );
}

interface Row {
  version: ProxyVersion;
  proxy: ProxyHandle;
  run: RunName;
  result: CheckResult;
  expected?: Expectation;
}

/** Runs the validation; resolves with the exit code (0 all pass, 1 any fails). Bad input throws StreamproofError. */
export async function validateConfig(options: ValidateOptions): Promise<number> {
  const { kind, timeScale } = options;
  const print = (...lines: string[]) => lines.forEach((line) => options.print(line));
  const file = resolve(options.file);
  const text = loadConfig(kind, file);
  const upstream = options.upstream ? parseUpstream(options.upstream) : kind === 'nginx' ? nginxUpstreamOf(text) : haproxyUpstreamOf(text);
  if (!upstream) {
    throw badOptions(
      `found no upstream host:port in ${file} (looked for ${kind === 'nginx' ? '`server host:port;` in an upstream block, or `proxy_pass http://host:port`' : '`server <name> host:port` in a backend'})`,
      'name the host:port your config proxies to: --upstream llm-backend:8000',
    );
  }
  const listenPort = kind === 'nginx' ? nginxListenPortOf(text) : haproxyListenPortOf(text);
  if (listenPort === undefined) throw badOptions(`found no \`bind :port\` in ${file}`, 'give your frontend a `bind :<port>` line');
  if (upstream.port === 8474) throw badOptions('upstream port 8474 is the tap container\'s API port', 'use another upstream port in the config');

  print(`streamproof validate: ${kind} ${file}`);
  print(`  upstream ${upstream.host}:${upstream.port} (${options.upstream ? '--upstream' : 'read from the config'}) → mock LLM; listen port ${listenPort}; time scale ${timeScale} (timeouts in the config scaled by it, the config otherwise unmodified)`);

  await using stack = new Stack();
  const llm = await stack.mockLlm({ mode: 'stateless', timeScale, script: {} });
  const proxies = await Promise.all(
    options.versions.map(async (version) => ({
      version,
      proxy: await stack.userProxy({ kind, file, upstream, listenPort, llmPort: llm.port, timeScale, version }).catch((error: unknown) => {
        throw inYourFile(error, kind, file);
      }),
    })),
  );

  const rows: Row[] = [];
  const expectations = new Map<ProxyVersion, Expectations>();
  for (const { version, proxy } of proxies) {
    const pass = staticPass(kind, text, proxy.version);
    expectations.set(version, pass.expect);
    print('', `Static pass (${proxy.kind} ${proxy.version}, ${version}):`);
    for (const line of pass.lines) print(`  - ${line}`);
  }
  const idleTimeoutMs = kind === 'nginx' ? nginxIdleTimeoutMs(text, timeScale) : haproxyIdleTimeoutMs(text, timeScale);

  print('', `Running ${RUN_NAMES.length} streams at once through each proxy, one after another where the config refuses that; a ${TOOL_PAUSE_S} s pause takes ${seconds(scaledMs(TOOL_PAUSE_S, timeScale))} at this time scale...`);
  const runOne = async (version: ProxyVersion, proxy: ProxyHandle, name: RunName, attempt: string): Promise<{ rows: Row[]; refused: boolean; why: string }> => {
    const spec = RUNS[name];
    const script = { ...spec.script };
    const body = { model: 'mock-gpt', messages: [{ role: 'user', content: `validate ${file}: ${name} via ${proxy.id} (${attempt})` }], stream: true, stream_options: { include_usage: true } };
    const run = await runSingleConnectionClient({ url: proxy.url, format: 'openai', body, headers: { [SCRIPT_HEADER]: JSON.stringify(script) } });
    const toolCall = script.toolCall as { pauseSeconds: number } | undefined;
    const evidence: StreamEvidence = {
      run,
      served: llm.ledger.servedFor(run.logicalKey),
      generations: llm.ledger.generationsFor(run.logicalKey),
      intent: {
        toolPauseMs: toolCall ? scaledMs(toolCall.pauseSeconds, timeScale) : undefined,
        heartbeatIntervalMs: typeof script.heartbeatSeconds === 'number' ? scaledMs(script.heartbeatSeconds, timeScale) : undefined,
        idleTimeoutMs,
      },
    };
    const first = run.connections[0];
    const end = first?.end.kind;
    return {
      why: first?.status !== undefined && first.status !== 200 ? `HTTP ${first.status}` : (end ?? 'no connection'),
      rows: evaluateChecks(spec.checks, evidence).map((result) => ({ version, proxy, run: name, result, expected: expectations.get(version)?.[`${name}.${result.check}`] })),
      // Refused or answered with an error status: perhaps a connection limit of the config (maxconn, limit_conn).
      refused: end === 'http-error' || end === 'connect-error',
    };
  };
  const jobs = proxies.flatMap(({ version, proxy }) => RUN_NAMES.map((name) => ({ version, proxy, name })));
  const firstTry = await Promise.all(jobs.map((job) => runOne(job.version, job.proxy, job.name, 'concurrent')));
  for (const [i, outcome] of firstTry.entries()) {
    const job = jobs[i]!;
    if (!outcome.refused) {
      rows.push(...outcome.rows);
      continue;
    }
    // The config may not allow three streams at once: this one again, alone.
    print(`  ${job.proxy.id}, ${RUNS[job.name].label}: refused while the others ran (${outcome.why}): run again on its own`);
    rows.push(...(await runOne(job.version, job.proxy, job.name, 'alone')).rows);
  }
  const order = (r: Row) => options.versions.indexOf(r.version) * 100 + RUN_NAMES.indexOf(r.run) * 10 + RUNS[r.run].checks.indexOf(r.result.check);
  rows.sort((a, b) => order(a) - order(b));

  // The verdict table.
  const table = [['proxy', 'stream', 'check', 'static', 'measured']];
  for (const row of rows) {
    table.push([
      row.proxy.id,
      RUNS[row.run].label,
      row.result.check,
      row.expected ? row.expected.verdict.toUpperCase() : '-',
      `${row.result.verdict.toUpperCase()} ${HEADLINE[row.result.check](row.result.figures)}`,
    ]);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  print('');
  for (const r of table) print(`  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd());

  const failures = rows.filter((r) => r.result.verdict === 'fail');
  if (failures.length > 0) {
    print('', 'Failures, their cause and the fix:');
    for (const row of failures) {
      print(`  - ${row.proxy.id}, ${RUNS[row.run].label}, ${row.result.check}: ${row.result.measured}`);
      print(`    ${causeAndFix(kind, text, row.proxy.version, row.run, row.result)}`);
    }
  }
  const disagreements = rows.filter((r) => r.expected && r.expected.verdict !== r.result.verdict);
  if (disagreements.length > 0) {
    print('', 'Where the static pass and the measurement disagree (the measured result wins):');
    for (const row of disagreements) {
      print(`  - ${row.proxy.id}, ${RUNS[row.run].label}, ${row.result.check}: expected ${row.expected!.verdict.toUpperCase()} (${row.expected!.because}), measured ${row.result.verdict.toUpperCase()} (${row.result.measured})`);
    }
  }
  print('', failures.length === 0 ? `All ${rows.length} checks pass.` : `${failures.length} of ${rows.length} checks fail.`);
  return failures.length === 0 ? 0 : 1;
}
