/**
 * `npm run bench`: measures the product brief's performance targets on this machine and writes
 * <reportDir>/bench.json. It reports, it does not gate: a MISS still exits 0; only an error exits 1.
 *   1. harness overhead: mock LLM → client directly, p95 delivery delay (run first, machine idle)
 *   2. the core matrix (vitest project `scenarios`) wall time at time scale 0.1
 *   3. warm nginx container: start() → ready handle, and start() → first HTTP response through it
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { matchArrivals } from '../harness/checks/buffering.ts';
import { runSingleConnectionClient } from '../harness/clients/index.ts';
import { now } from '../harness/clock.ts';
import { hostGatewayAddress } from '../harness/docker/engine.ts';
import { resolveImage } from '../harness/docker/images.ts';
import { LLM_HOST_ALIAS } from '../harness/proxies/proxy-handle.ts';
import { MockLlm } from '../harness/mock-llm/index.ts';
import { NginxProxy } from '../harness/proxies/nginx-proxy.ts';
import { readSettings } from '../harness/settings.ts';
import { ownRun, runMatrix } from './matrix-run.ts';

const TARGETS = { matrixWallS: 90, harnessP95Ms: 1, warmReadyMs: 300 } as const;
const MATRIX_TIME_SCALE = '0.1';
const DIRECT_RUNS = [10, 15, 20].map((tokenIntervalMs) => ({ tokens: 200, tokenIntervalMs }));
const NGINX_STARTS = 8;

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** Nearest-rank percentile (as the buffering check computes it). */
function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

// ─── 1. Harness overhead: delivery delay with no proxy in the path ────────────────────────────

async function harnessOverhead() {
  await using llm = await MockLlm.start({ mode: 'stateless' });
  const stream = async (script: { tokens: number; tokenIntervalMs: number }, n: number) => {
    llm.setScript(script);
    const body = { model: 'bench', messages: [{ role: 'user', content: `bench ${n}` }], stream: true };
    const run = await runSingleConnectionClient({ url: llm.url('127.0.0.1'), format: 'openai', body });
    const connection = run.connections[0]!;
    if (run.outcome !== 'completed') throw new Error(`direct stream ${n} ended ${run.outcome}: ${run.error ?? ''}`);
    const served = connection.requestId ? llm.ledger.request(connection.requestId) : undefined;
    return matchArrivals(connection, served).events.map((pair) => pair.atMs - pair.emitted.atMs);
  };
  await stream({ tokens: 20, tokenIntervalMs: 10 }, 0); // warm-up (JIT, first socket): not counted
  const delays: number[] = [];
  for (const [i, script] of DIRECT_RUNS.entries()) delays.push(...(await stream(script, i + 1)));
  return {
    runs: DIRECT_RUNS,
    events: delays.length,
    p50Ms: round(percentile(delays, 0.5), 3),
    p95Ms: round(percentile(delays, 0.95), 3),
    maxMs: round(Math.max(...delays), 3),
  };
}

// ─── 2. The core matrix at time scale 0.1 ─────────────────────────────────────────────────────

async function coreMatrix() {
  const run = await runMatrix(Number(MATRIX_TIME_SCALE));
  const checks = run.outcomes.flatMap((outcome) => outcome.checks.map((check) => ({ outcome, check })));
  /** Which checks differed from their measured expectation: a count alone does not say what flipped. */
  const unexpected = checks
    .filter(({ check }) => check.verdict !== check.expectedVerdict)
    .map(({ outcome, check }) => ({ scenario: outcome.scenario, path: outcome.pathLabel, check: check.check, expected: check.expectedVerdict, got: check.verdict, measured: check.measured }));
  return {
    timeScale: Number(MATRIX_TIME_SCALE),
    wallS: run.wallS,
    allPassed: run.tests > 0 && run.testsPassed === run.tests && run.errors === 0,
    tests: run.tests,
    testsPassed: run.testsPassed,
    checks: checks.length,
    checksAsExpected: checks.length - unexpected.length,
    errors: run.errors,
    unexpected,
  };
}

// ─── 3. Warm nginx: start() → ready, and start() → first response through it ────────────────

async function warmNginx() {
  const settings = readSettings();
  const { image } = await resolveImage('nginx', 'bookworm', { source: settings.imageSource, log });
  await using llm = await MockLlm.start({ mode: 'stateless', hosts: ['127.0.0.1', await hostGatewayAddress()] });
  const site = readFileSync(new URL('../proxies/nginx/default.conf', import.meta.url), 'utf8');
  const samples: Array<{ readyMs: number; firstResponseMs: number }> = [];
  for (let i = 0; i < NGINX_STARTS; i++) {
    const started = now();
    const proxy = await new NginxProxy(image, { profile: 'default', site, upstream: { host: LLM_HOST_ALIAS, port: llm.port }, timeScale: 0.1, version: 'bookworm' }).start();
    const readyMs = now() - started;
    try {
      await firstResponse(`${proxy.url}/healthz`);
      samples.push({ readyMs: round(readyMs, 1), firstResponseMs: round(now() - started, 1) });
    } finally {
      await proxy.stop();
    }
  }
  const [cold, ...warm] = samples;
  const summary = (values: number[]) => ({ medianMs: round(percentile(values, 0.5), 1), p95Ms: round(percentile(values, 0.95), 1) });
  return {
    image,
    starts: NGINX_STARTS,
    coldIsh: cold!,
    ready: summary(warm.map((s) => s.readyMs)),
    firstResponse: summary(warm.map((s) => s.firstResponseMs)),
    samples,
  };
}

/** GET until an HTTP response arrives (a port just published can refuse for a moment); 200 expected. */
async function firstResponse(url: string, deadlineMs = 10_000): Promise<void> {
  const deadline = now() + deadlineMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`GET ${url} through nginx answered ${response.status}`);
      return;
    } catch (error) {
      if (error instanceof Error && error.message.includes('answered')) throw error;
      if (now() > deadline) throw new Error(`no HTTP response from ${url} within ${deadlineMs} ms`, { cause: error });
      await sleep(5);
    }
  }
}

// ─── Main ─────────────────────────────────────────────────────────────────────────────────────

const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');

async function main(): Promise<void> {
  const reportDir = readSettings().reportDir; // before the matrix points it at a temp dir
  const load = loadavg().map((n) => round(n));
  const removeContainers = await ownRun(log);

  log(`harness overhead: ${DIRECT_RUNS.length} × ${DIRECT_RUNS[0]!.tokens} tokens direct (load average ${load.join(' ')})`);
  const direct = await harnessOverhead();
  log(`core matrix: vitest project 'scenarios' at time scale ${MATRIX_TIME_SCALE}`);
  const matrix = await coreMatrix();
  log(`warm nginx: ${NGINX_STARTS} sequential starts`);
  const nginx = await warmNginx().finally(removeContainers);

  const pass = {
    matrix: matrix.wallS <= TARGETS.matrixWallS,
    direct: direct.p95Ms <= TARGETS.harnessP95Ms,
    nginx: nginx.ready.medianMs <= TARGETS.warmReadyMs && nginx.ready.p95Ms <= TARGETS.warmReadyMs,
  };
  const rows: string[][] = [
    ['figure', 'target', 'measured', ''],
    [`matrix wall time (scale ${MATRIX_TIME_SCALE})`, `≤ ${TARGETS.matrixWallS} s`, `${matrix.wallS} s`,
      `${verdict(pass.matrix)} (${matrix.checksAsExpected}/${matrix.checks} checks as expected, ${matrix.testsPassed}/${matrix.tests} tests passed${matrix.errors ? `, ${matrix.errors} errors` : ''})`],
    ['harness p95 delivery delay', `≤ ${TARGETS.harnessP95Ms} ms`, `${direct.p95Ms} ms`,
      `${verdict(pass.direct)} (p50 ${direct.p50Ms}, max ${direct.maxMs} ms; ${direct.events} events)`],
    ['warm nginx ready (median / p95)', `≤ ${TARGETS.warmReadyMs} ms`, `${nginx.ready.medianMs} / ${nginx.ready.p95Ms} ms`,
      `${verdict(pass.nginx)} (first start ${nginx.coldIsh.readyMs} ms)`],
    ['  … to first response via nginx', '', `${nginx.firstResponse.medianMs} / ${nginx.firstResponse.p95Ms} ms`,
      `(first start ${nginx.coldIsh.firstResponseMs} ms)`],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  process.stdout.write(`\n${rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n')}\n`);
  if (matrix.unexpected.length > 0) {
    process.stdout.write(`\nUnexpected verdicts (load average at start ${load.join(' ')}):\n`);
    for (const u of matrix.unexpected) process.stdout.write(`  ${u.scenario} / ${u.path} / ${u.check}: expected ${u.expected}, got ${u.got}; ${u.measured}\n`);
  }

  const file = join(reportDir, 'bench.json');
  mkdirSync(reportDir, { recursive: true });
  const report = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    loadAverageAtStart: load,
    targets: TARGETS,
    pass,
    harnessOverhead: direct,
    coreMatrix: matrix,
    warmNginx: nginx,
  };
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`\nBench: ${file}\n`);
}

main().then(
  () => process.exit(process.exitCode ?? 0), // undici / vitest handles must not keep the process up
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
