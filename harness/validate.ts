/**
 * `streamproof validate`: the standard checks against a user's own nginx sites and haproxy.cfg
 * files, unmodified: one proxy, or a chain of them, client side first. A static pass reads each
 * config and says what it expects; the proxies then run on a private network where the upstream
 * name each config proxies to resolves to a recording tap forwarding to the next proxy (the mock
 * LLM after the last; Stack.userPath), and three streams go through at once: token streaming, a
 * 70 s tool pause with heartbeats every 15 s, and the same pause without. On a chain the taps
 * blame the box at fault (harness/chain/blame.ts). Each failure is printed with the file and the
 * directive that causes it and the fix; where the static expectation and the measurement
 * disagree, the measurement wins and the report says so. With a report directory, results.json
 * and the reports generated from it are written there.
 * The streams (validate/streams.ts), the static pass with cause and fix (validate/static-pass.ts)
 * and the command line's hops (validate/hops-from-args.ts) live beside it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Agent } from 'undici';
import { join } from 'node:path';
import type { ChainBlame } from './chain/blame.ts';
import { blameChain } from './chain/blame.ts';
import { observeTap } from './chain/observation.ts';
import type { CheckResult, StreamEvidence } from './model.ts';
import { evaluateChecks } from './checks/index.ts';
import { runSingleConnectionClient } from './clients/index.ts';
import { STREAMPROOF_VERSION } from './clients/real/harness-clients.ts';
import { SCRIPT_HEADER } from './mock-llm/index.ts';
import { StreamproofError } from './errors.ts';
import type { ProxyHandle } from './proxies/proxy-handle.ts';
import { formatResults } from './report/results-json.ts';
import { HEADLINE } from './report/common.ts';
import { writeReports } from './report/write.ts';
import { RESULTS_SCHEMA_VERSION, summaryOf, toClientOutcome, toEntries, toPathReport, type ResultsFile, type ScenarioOutcome, type ValidateFinding } from './results.ts';
import { scaledMs, type ProxyVersion } from './settings.ts';
import { Stack, UserHopsRefused, type StartedPath, type UserHop } from './stack.ts';
import { HAPROXY_CONFIG_PATH, haproxyIdleTimeoutMs } from './proxies/haproxy-config.ts';
import { NGINX_MAIN_CONFIG_PATH, NGINX_SITE_PATH, nginxIdleTimeoutMs } from './proxies/nginx-config.ts';
import { buildTimeline } from './timeline.ts';
import { readUserHops, type ReadHop, type RequestChoice, type UserHopSpec } from './user-hops.ts';
import { CLIENT_HOST, describeRequest, nginxRequestUnderTest } from './config/request-under-test.ts';
import { causeAndFix, fixLine, seconds, staticPass } from './validate/static-pass.ts';
import { RUN_NAMES, RUNS, TOOL_PAUSE_S, type Expectation, type Expectations, type RunName } from './validate/streams.ts';


export interface ValidateOptions {
  /** Client side first: hop i's upstream resolves to hop i + 1, the last one's to the mock LLM. */
  hops: readonly UserHopSpec[];
  /** The path and Host streamed (`--path`, `--host`); chosen per file where absent. */
  request?: RequestChoice;
  timeScale: number;
  versions: readonly ProxyVersion[];
  print: (line: string) => void;
  /** Where to write results.json, junit.xml, summary.md and report.html; none when absent. */
  reportDir?: string;
  /** Handed the run's results.json content at the end (`--format json` prints it on stdout). */
  emitResults?: (results: ResultsFile) => void;
}

/** A stream refused while the others ran is run alone up to this many times. */
const ALONE_ATTEMPTS = 3;

// ─── Starting the chain ─────────────────────────────────────────────────────────────────────────

/** The user's file behind each path the proxy sees in its container (its messages name those). */
function containerPaths(hop: UserHop): Map<string, string> {
  if (hop.kind === 'haproxy') return new Map([[HAPROXY_CONFIG_PATH, hop.file]]);
  return new Map([[hop.wholeNginxConf ? NGINX_MAIN_CONFIG_PATH : NGINX_SITE_PATH, hop.file], ...(hop.includedFiles ?? []).map(({ nginxPath, localPath }): [string, string] => [nginxPath, localPath])]);
}

/** A config refusal names the file in the container: say which line of the user's file that is. */
function inYourFile(error: unknown, hop: UserHop): unknown {
  if (!(error instanceof StreamproofError) || error.code !== 'STREAMPROOF_PROXY_CONFIG') return error;
  const problem = error.problem;
  const paths = containerPaths(hop);
  // nginx: `in /etc/nginx/conf.d/streamproof-site.conf:25`; HAProxy: `[/etc/haproxy/haproxy.cfg:12]`.
  const named = [...problem.matchAll(/(\/[\w./-]+):(\d+)/g)].find((m) => paths.has(m[1]!));
  const at = named ? { file: paths.get(named[1]!)!, line: named[2]! } : undefined;
  const where = at && !problem.includes(`line ${at.line} of ${at.file}`) ? ` (line ${at.line} of ${at.file})` : '';
  return new StreamproofError(
    'STREAMPROOF_PROXY_CONFIG',
    `${problem}${where}`,
    `correct ${at ? `line ${at.line} of ${at.file}` : hop.file}; the ${hop.kind === 'nginx' ? 'nginx' : 'HAProxy'} message above is its own (the file runs unmodified, its timeouts scaled)`,
    { cause: error },
  );
}

/**
 * The chain at every version. The proxies check their own configs as they start (nginx and HAProxy
 * refuse a config at start as `nginx -t` / `haproxy -c` would, with the same message): every box
 * starts, and every refusal of every file is reported at once, before any stream runs.
 */
async function startChains(stack: Stack, hops: ReadHop[], llmPort: number, options: ValidateOptions): Promise<Array<{ version: ProxyVersion; path: StartedPath }>> {
  const settled = await Promise.allSettled(options.versions.map((version) => stack.userPath(hops, llmPort, options.timeScale, version)));
  const refusals: StreamproofError[] = [];
  const others: unknown[] = [];
  for (const outcome of settled) {
    if (outcome.status === 'fulfilled') continue;
    const failures = outcome.reason instanceof UserHopsRefused ? outcome.reason.failures : [{ hop: undefined, error: outcome.reason as unknown }];
    for (const { hop, error } of failures) {
      const mapped = hop ? inYourFile(error, hop) : error;
      if (mapped instanceof StreamproofError && mapped.code === 'STREAMPROOF_PROXY_CONFIG') refusals.push(mapped);
      else others.push(mapped);
    }
  }
  if (refusals.length > 0) {
    // One file refused at two versions usually says the same thing twice: once is enough.
    const problems = [...new Set(refusals.map((r) => r.problem))];
    const fixes = [...new Set(refusals.map((r) => r.fix))];
    throw new StreamproofError('STREAMPROOF_PROXY_CONFIG', problems.join('\n'), fixes.join('; '), { cause: refusals[0] });
  }
  if (others.length > 0) throw others[0];
  return options.versions.map((version, i) => ({ version, path: (settled[i] as PromiseFulfilledResult<StartedPath>).value }));
}

// ─── The run ─────────────────────────────────────────────────────────────────────────────────────

interface Row {
  version: ProxyVersion;
  /** The path's box ids, client side first. */
  boxes: string[];
  run: RunName;
  result: CheckResult;
  expected?: Expectation;
}

/** One stream's evidence at one version (the blame and the timeline read it). */
interface Stream {
  version: ProxyVersion;
  run: RunName;
  evidence: StreamEvidence;
}

/**
 * What the files, each at its real version, predict for the whole chain (a check fails when any hop
 * predicts it fails), and the findings to print, indented.
 */
function chainExpectations(hops: ReadHop[], boxes: ProxyHandle[]): { lines: string[]; expect: Expectations } {
  const passes = hops.map((hop, i) => ({ hop, box: boxes[i]!, pass: staticPass(hop.kind, hop.text, boxes[i]!.version, hop) }));
  if (passes.length === 1) return { lines: passes[0]!.pass.lines.map((line) => `  - ${line}`), expect: passes[0]!.pass.expect };
  const expect: Expectations = {};
  for (const key of new Set(passes.flatMap((p) => Object.keys(p.pass.expect) as Array<keyof Expectations>))) {
    const failing = passes.filter((p) => p.pass.expect[key]?.verdict === 'fail');
    expect[key] = failing.length
      ? { verdict: 'fail', because: failing.map((p) => `${p.hop.name}: ${p.pass.expect[key]!.because}`).join('; ') }
      : { verdict: 'pass', because: passes.map((p) => `${p.hop.name}: ${p.pass.expect[key]?.because ?? 'no prediction'}`).join('; ') };
  }
  return { lines: passes.flatMap((p) => [`  ${p.box.id} (${p.hop.file}):`, ...p.pass.lines.map((line) => `    - ${line}`)]), expect };
}

/**
 * The boxes a failure is blamed on, by the taps: the first that buffers; for heartbeats, the box
 * that holds them (the cause) before the box whose idle timeout then cut the silence; the cutter.
 */
function blamedBoxes(result: CheckResult, blame: ChainBlame | undefined): Array<{ box: string; holdsHeartbeats: boolean }> {
  if (!blame) return [];
  const cutter = blame.cutBy === 'origin' || blame.cutBy === 'client' ? undefined : blame.cutBy;
  const boxes =
    result.check === 'buffering' ? [blame.firstBufferingBox]
    : result.check === 'heartbeat' ? [blame.heartbeatHeldBy, result.figures.survived === 0 ? cutter : undefined]
    : [cutter];
  return [...new Set(boxes.filter((box) => box !== undefined))].map((box) => ({ box, holdsHeartbeats: result.check === 'heartbeat' && box === blame.heartbeatHeldBy }));
}

type RowFinding = Omit<ValidateFinding, 'stream' | 'path' | 'matrixVersion' | 'check' | 'measured'> & { row: Row };

const FINDING_PREFIX: Record<ValidateFinding['attribution'], string> = {
  'only-box': '',
  'blamed-by-taps': 'blamed by the taps: ',
  'predicted-by-static-pass': 'predicted by the static pass: ',
  none: '',
};

/**
 * A failing check placed in the user's files: the only file; on a chain the box the taps blame
 * (or, without one, the files whose static pass predicted it), each with its cause, fix and line.
 */
function findingsOf(row: Row, hops: ReadHop[], path: StartedPath, blame: ChainBlame | undefined): RowFinding[] {
  const at = (i: number, role?: 'holds-heartbeats') => {
    const hop = hops[i]!;
    const version = path.boxes[i]!.version;
    const line = fixLine(hop.kind, hop.text, version, row.run, row.result, role, hop);
    return { file: hop.file, ...(line !== undefined ? { line } : {}), fix: causeAndFix(hop.kind, hop.text, version, row.run, row.result, role, hop) };
  };
  if (hops.length === 1) return [{ row, attribution: 'only-box', ...at(0) }];
  const blamed = blamedBoxes(row.result, blame);
  const holder = blamed.find((b) => b.holdsHeartbeats)?.box;
  if (blamed.length === 0) {
    const predicted = hops.flatMap((hop, i) => (staticPass(hop.kind, hop.text, path.boxes[i]!.version, hop).expect[`${row.run}.${row.result.check}`]?.verdict === 'fail' ? [i] : []));
    // Placed at the client-side file: code scanning takes no result without a file.
    if (predicted.length === 0) return [{ row, attribution: 'none', file: hops[0]!.file, fix: `no box is to blame by the taps, and no file predicts it: ${row.result.detail}` }];
    return predicted.map((i) => {
      const found = at(i);
      return { row, attribution: 'predicted-by-static-pass', ...found, fix: `${hops[i]!.file} (${row.boxes[i]}): ${found.fix}` };
    });
  }
  return blamed.map(({ box, holdsHeartbeats }) => {
    const i = row.boxes.indexOf(box);
    const found = at(i, holdsHeartbeats ? 'holds-heartbeats' : undefined);
    const why = !holdsHeartbeats && holder ? `its idle timeout cut the silence the heartbeats would have broken: ${holder} held them (above); fix that box first` : found.fix;
    return { row, attribution: 'blamed-by-taps', ...found, fix: `${hops[i]!.file} (${box}): ${why}` };
  });
}

/**
 * A stream that never reached the mock LLM says nothing of how the file streams: the proxy answered
 * it itself (a 502 from an upstream that is not the tap, a 404 or 403 of a location, a limit), or
 * nothing answered. No verdict: exit 2 with what each stream got and where to look.
 */
function cannotTest(unreached: string[], hops: ReadHop[]): StreamproofError {
  const request = describeRequest(hops[0]!.request);
  const upstreams = hops.map((hop) => `${hop.upstream.host}:${hop.upstream.port}${hop.upstreamGiven ? ' (--upstream)' : ' (read from the file)'}`).join(', ');
  return new StreamproofError(
    'STREAMPROOF_CANNOT_TEST',
    `${unreached.length} stream(s) never reached the mock LLM, so no check of them is a verdict on the file:\n  ${unreached.join('\n  ')}\n` +
      `streamproof put its tap at ${upstreams}; ${request} must be proxied there`,
    `check that the location or backend serving ${request} proxies to that upstream (or pass --upstream host:port naming the one it proxies to, or --path and --host naming a request your file proxies); an HTTP 4xx is the config refusing the request itself (auth, allow/deny, user-agent rules, limits)`,
  );
}

/** `listen port 443 (TLS; throwaway certificate at /etc/ssl/site.crt, key at …)`. */
function listenNote(hop: ReadHop): string {
  const files = hop.tlsFiles;
  const at = files ? [...files.certificates, ...files.combined].map((path) => `certificate at ${path}`).concat(files.keys.map((path) => `key at ${path}`)) : [];
  const tls = hop.tls ? ` (TLS${at.length ? `; throwaway ${at.join(', ')}` : ''})` : '';
  return `listen port ${hop.listenPort}${tls}`;
}

/** A Host header's host, without its port or IPv6 brackets. */
const hostOnly = (host: string) => host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');

/** Runs the validation; resolves with the exit code (0 all pass, 1 any fails). Bad input throws StreamproofError. */
export async function validateConfig(options: ValidateOptions): Promise<number> {
  const { timeScale } = options;
  const print = (...lines: string[]) => lines.forEach((line) => options.print(line));
  const hops = readUserHops(options.hops, options.request);
  const request = hops[0]!.request;
  const isChain = hops.length > 1;
  const startedAt = Date.now();

  if (!isChain) {
    const [hop] = hops as [ReadHop];
    print(`streamproof validate: ${hop.kind} ${hop.file}, ${describeRequest(request)}`);
    print(`  upstream ${hop.upstream.host}:${hop.upstream.port} (${hop.upstreamGiven ? '--upstream' : 'read from the config'}) → mock LLM; ${listenNote(hop)}; time scale ${timeScale} (timeouts in the config scaled by it, the config otherwise unmodified)`);
  } else {
    print(`streamproof validate: a chain of ${hops.length} hops, client side first, ${describeRequest(request)}; time scale ${timeScale} (timeouts in the configs scaled by it, the configs otherwise unmodified)`);
    for (const [i, hop] of hops.entries()) {
      const to = i + 1 < hops.length ? `hop ${i + 2} (${hops[i + 1]!.name}, port ${hops[i + 1]!.listenPort})` : 'mock LLM';
      print(`  hop ${i + 1}: ${hop.kind} ${hop.file}, ${listenNote(hop)}; upstream ${hop.upstream.host}:${hop.upstream.port} (${hop.upstreamGiven ? '--upstream' : 'read from the config'}) → ${to}`);
    }
  }

  await using stack = new Stack();
  // A TLS listen port is streamed over TLS; its certificate is the throwaway one (harness/tls).
  // HTTP/1.1, as httpx (the Python SDKs) speaks by default; undici would offer h2, where nginx
  // flushes each frame and hides the TLS buffering an HTTP/1.1 client meets (decision 0031).
  const tls = hops[0]!.tls ? new Agent({ allowH2: false, connect: { rejectUnauthorized: false, ...(isIP(hostOnly(request.host)) ? {} : { servername: hostOnly(request.host) }) } }) : undefined;
  await using _tlsAgent = { [Symbol.asyncDispose]: async () => tls?.close() };
  // Any path is answered: the file may rewrite the one streamed (`proxy_pass http://api:3080/api;`).
  const llm = await stack.mockLlm({ mode: 'stateless', timeScale, script: {}, otherPaths: 'openai' });
  const chains = await startChains(stack, hops, llm.port, options);

  const expectations = new Map<ProxyVersion, Expectations>();
  for (const { version, path } of chains) {
    const pass = chainExpectations(hops, path.boxes);
    expectations.set(version, pass.expect);
    print('', isChain ? `Static pass (${version}):` : `Static pass (${path.boxes[0]!.kind} ${path.boxes[0]!.version}, ${version}):`);
    print(...pass.lines);
  }
  // The shortest idle timeout of the chain is the one a silent pause meets first.
  // nginx: the routed location's proxy_read_timeout as the reader resolves it (includes and
  // inheritance followed), the first one written in the file where it cannot route.
  const nginxIdleMs = (hop: ReadHop) => {
    const routed = nginxRequestUnderTest(hop.file, hop.text, hop.listenPort, '1.22.1', hop.request)?.settings?.proxyReadTimeoutMs;
    return routed !== undefined ? Math.round(routed * timeScale) : nginxIdleTimeoutMs(hop.text, timeScale);
  };
  const idleTimeouts = hops.flatMap((hop) => (hop.kind === 'nginx' ? nginxIdleMs(hop) : haproxyIdleTimeoutMs(hop.text, timeScale)) ?? []);
  const idleTimeoutMs = idleTimeouts.length ? Math.min(...idleTimeouts) : undefined;

  print('', `Running ${RUN_NAMES.length} streams at once through each ${isChain ? 'chain' : 'proxy'}, one after another where the config refuses that; a ${TOOL_PAUSE_S} s pause takes ${seconds(scaledMs(TOOL_PAUSE_S, timeScale))} at this time scale...`);
  const runOne = async (version: ProxyVersion, path: StartedPath, name: RunName, attempt: string) => {
    const spec = RUNS[name];
    const script = { ...spec.script };
    const boxes = path.boxes.map((box) => box.id);
    const body = { model: 'mock-gpt', messages: [{ role: 'user', content: `validate ${hops.map((h) => h.file).join(' > ')}: ${name} via ${boxes.join(' > ')} (${attempt})` }], stream: true, stream_options: { include_usage: true } };
    const headers = { [SCRIPT_HEADER]: JSON.stringify(script), ...(request.host === CLIENT_HOST ? {} : { host: request.host }) };
    const url = `${tls ? path.url!.replace(/^http:/, 'https:') : path.url!}${request.path}`;
    const run = await runSingleConnectionClient({ url, format: 'openai', body, headers, ...(tls ? { dispatcher: tls } : {}) });
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
      stream: { version, run: name, evidence },
      rows: evaluateChecks(spec.checks, evidence, spec.thresholds).map((result): Row => ({ version, boxes, run: name, result, expected: expectations.get(version)?.[`${name}.${result.check}`] })),
      // Refused or answered with an error status: perhaps a connection limit of the config (maxconn, limit_conn).
      refused: end === 'http-error' || end === 'connect-error',
    };
  };
  const jobs = chains.flatMap(({ version, path }) => RUN_NAMES.map((name) => ({ version, path, name })));
  const firstTry = await Promise.all(jobs.map((job) => runOne(job.version, job.path, job.name, 'concurrent')));
  const rows: Row[] = [];
  const streams: Stream[] = [];
  /** Streams the mock LLM never saw: their checks would judge the proxy's own error page. */
  const unreached: string[] = [];
  for (const [i, outcome] of firstTry.entries()) {
    const job = jobs[i]!;
    const label = job.path.boxes.map((box) => box.id).join(' → ');
    let kept = outcome;
    if (outcome.refused) {
      print(`  ${label}, ${RUNS[job.name].label}: refused while the others ran (${outcome.why}): run again on its own`);
      // The proxy may still count the stream before it as open for a moment after its client saw
      // the end (measured: limit_conn 1 answered 503 to a stream started at once after another).
      for (let attempt = 1; attempt <= ALONE_ATTEMPTS; attempt++) {
        if (attempt > 1) {
          print(`  ${label}, ${RUNS[job.name].label}: refused again on its own (${kept.why}): attempt ${attempt} of ${ALONE_ATTEMPTS}`);
          await new Promise((done) => setTimeout(done, 250 * attempt));
        }
        kept = await runOne(job.version, job.path, job.name, `alone, attempt ${attempt}`);
        if (!kept.refused) break;
      }
    }
    rows.push(...kept.rows);
    streams.push(kept.stream);
    if (kept.stream.evidence.served.length === 0) unreached.push(`${label}, ${RUNS[job.name].label}: ${kept.why}`);
  }
  if (unreached.length > 0) throw cannotTest(unreached, hops);
  const order = (r: { version: ProxyVersion; run: RunName }) => options.versions.indexOf(r.version) * 100 + RUN_NAMES.indexOf(r.run) * 10;
  rows.sort((a, b) => order(a) + RUNS[a.run].checks.indexOf(a.result.check) - (order(b) + RUNS[b.run].checks.indexOf(b.result.check)));

  // Each box measured by the tap behind it: who buffers, who holds the heartbeats, who cuts.
  const blames = new Map<string, ChainBlame>();
  if (isChain) {
    for (const { version, path } of chains) {
      const taps = (await path.collectTaps())!.map((recording) => observeTap(recording, 'openai'));
      for (const stream of streams.filter((s) => s.version === version)) {
        blames.set(`${version}/${stream.run}`, blameChain({ boxes: path.boxes.map((box) => box.id), client: stream.evidence.run.connections, taps }, stream.evidence));
      }
    }
  }
  const blameOf = (r: { version: ProxyVersion; run: RunName }) => blames.get(`${r.version}/${r.run}`);

  // The verdict table.
  const table = [[isChain ? 'path' : 'proxy', 'stream', 'check', 'static', 'measured']];
  for (const row of rows) {
    table.push([
      row.boxes.join(' → '),
      RUNS[row.run].label,
      row.result.check,
      row.expected ? row.expected.verdict.toUpperCase() : '-',
      `${row.result.verdict.toUpperCase()} ${HEADLINE[row.result.check](row.result.figures)}`,
    ]);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  print('');
  for (const r of table) print(`  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd());

  if (isChain) {
    print('', 'Chain blame (the stream measured at a tap behind every box):');
    for (const stream of streams.toSorted((a, b) => order(a) - order(b))) print(`  - ${stream.version}, ${RUNS[stream.run].label}: ${blameOf(stream)!.summary}`);
  }

  const failures = rows.filter((r) => r.result.verdict === 'fail');
  const findings = failures.flatMap((row) => findingsOf(row, hops, chains.find((c) => c.version === row.version)!.path, blameOf(row)));
  if (failures.length > 0) {
    print('', 'Failures, their cause and the fix:');
    for (const row of failures) {
      print(`  - ${row.boxes.join(' → ')}, ${RUNS[row.run].label}, ${row.result.check}: ${row.result.measured}`);
      for (const finding of findings.filter((f) => f.row === row)) print(`    ${FINDING_PREFIX[finding.attribution]}${finding.fix}`);
    }
  }
  const disagreements = rows.filter((r) => r.expected && r.expected.verdict !== r.result.verdict);
  if (disagreements.length > 0) {
    print('', 'Where the static pass and the measurement disagree (the measured result wins):');
    for (const row of disagreements) {
      print(`  - ${row.boxes.join(' → ')}, ${RUNS[row.run].label}, ${row.result.check}: expected ${row.expected!.verdict.toUpperCase()} (${row.expected!.because}), measured ${row.result.verdict.toUpperCase()} (${row.result.measured})`);
    }
  }
  print('', failures.length === 0 ? `All ${rows.length} checks pass.` : `${failures.length} of ${rows.length} checks fail.`);

  const results = resultsFile({ rows, streams, chains, blameOf, timeScale, durationMs: Date.now() - startedAt, hops, findings });
  options.emitResults?.(results);
  if (options.reportDir) {
    mkdirSync(options.reportDir, { recursive: true });
    const path = join(options.reportDir, 'results.json');
    writeFileSync(path, formatResults(results));
    print(`Results: ${path}`, `Reports: ${writeReports(results, options.reportDir).join(', ')}`);
  }
  return failures.length === 0 ? 0 : 1;
}

// ─── Report files ───────────────────────────────────────────────────────────────────────────────

/**
 * The report files for a validate that ended on bad input (a config the proxy refused, a missing
 * file): no check ran, so results.json has only the error, and JUnit an <error>, so a CI job that
 * publishes the reports shows why (exit code 2) instead of an empty or missing report.
 */
export function writeBadInputReports(reportDir: string, files: string[], error: Error & { code?: string }): string[] {
  const results = badInputResults(files, error);
  mkdirSync(reportDir, { recursive: true });
  const path = join(reportDir, 'results.json');
  writeFileSync(path, formatResults(results));
  return [path, ...writeReports(results, reportDir)];
}

/** results.json of a validate that gave no verdict: no check, the error that says why. */
export function badInputResults(files: string[], error: Error & { code?: string }): ResultsFile {
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    streamproof: STREAMPROOF_VERSION,
    generatedAt: new Date().toISOString(),
    timeScale: 0,
    durationMs: 0,
    proxies: [],
    results: [],
    paths: [],
    clients: [],
    errors: [{ scenario: 'validate', test: files.join(' > '), message: error.code ? `${error.code}: ${error.message}` : error.message }],
    summary: { checks: 0, asExpected: 0, unexpected: 0, errors: 1 },
    findings: [],
  };
}

/**
 * results.json, the scenarios' contract (reports/README.md), from one outcome per stream and
 * version as a scenario test records it: each stream is a scenario, the user's files the path's
 * boxes. Every check is expected to pass (that is what validate asks), so a failing check is an
 * unexpected verdict and a JUnit <failure>, as it is exit code 1; the static pass's prediction
 * goes in the detail.
 */
function resultsFile(input: {
  rows: Row[];
  streams: Stream[];
  chains: Array<{ version: ProxyVersion; path: StartedPath }>;
  blameOf: (r: { version: ProxyVersion; run: RunName }) => ChainBlame | undefined;
  timeScale: number;
  durationMs: number;
  hops: ReadHop[];
  findings: RowFinding[];
}): ResultsFile {
  const outcomes: ScenarioOutcome[] = input.streams.map((stream) => {
    const boxes = input.chains.find((c) => c.version === stream.version)!.path.boxes;
    const chain = input.blameOf(stream);
    const rows = input.rows.filter((row) => row.version === stream.version && row.run === stream.run);
    return {
      scenario: `validate: ${RUNS[stream.run].label}`,
      pathLabel: `${input.hops.map((hop) => `${hop.kind}:${hop.name}`).join(' > ')}@${stream.version}`,
      path: boxes.map((box) => box.id),
      proxies: boxes.map((box) => ({ kind: box.kind, profile: box.profile, image: box.image, version: box.version, matrixVersion: box.matrixVersion })),
      client: stream.evidence.run.client,
      clientVersion: STREAMPROOF_VERSION,
      timeScale: input.timeScale,
      checks: rows.map((row) => ({
        ...row.result,
        expectedVerdict: 'pass' as const,
        detail: `${row.result.detail}${row.expected ? ` Static pass: ${row.expected.verdict.toUpperCase()} (${row.expected.because}).` : ''}${chain ? ` Chain: ${chain.summary}` : ''}`,
      })),
      ...(chain ? { chain } : {}),
      timeline: buildTimeline({ ...stream.evidence, toolPauseMs: stream.evidence.intent.toolPauseMs }),
    };
  });
  const results = outcomes.flatMap(toEntries);
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    streamproof: STREAMPROOF_VERSION,
    generatedAt: new Date().toISOString(),
    timeScale: input.timeScale,
    durationMs: input.durationMs,
    proxies: input.chains.flatMap(({ path }) => outcomes.find((o) => o.path.join() === path.boxes.map((b) => b.id).join())?.proxies ?? []),
    results,
    paths: outcomes.flatMap((o) => toPathReport(o) ?? []),
    clients: outcomes.flatMap((o) => toClientOutcome(o) ?? []),
    errors: [],
    summary: summaryOf(results, []),
    findings: input.findings.map(({ row, ...finding }) => ({
      check: row.result.check,
      stream: RUNS[row.run].label,
      path: row.boxes,
      matrixVersion: row.version,
      measured: row.result.measured,
      ...finding,
    })),
  };
}
