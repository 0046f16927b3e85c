/**
 * `npm run repeatability -- [--runs N] [--scale S] [--strict] [file filter...]`: runs the scenario
 * matrix (or the files matching the filters) N times and counts, per check and path, how often its
 * verdict flipped, and how close each came to flipping (the check's `margin`: a fraction of its
 * thresholds). Writes <reportDir>/repeatability.json. It reports; with --strict it exits 1 when a
 * verdict flipped or differed from its expectation. The matrix loads the machine itself, so before
 * each run it waits (up to a minute) for the 1-minute load average to fall under the core count; a
 * run that starts above it anyway is marked busy: something else was running.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { ScenarioOutcome } from '../harness/results.ts';
import { readSettings } from '../harness/settings.ts';
import { ownRun, runMatrix } from './matrix-run.ts';

/** A margin under this is thin: a busy machine moves timings that much (decision 0028). */
const THIN_MARGIN = 0.2;

const log = (line: string) => process.stderr.write(`repeatability: ${line}\n`);
const loadNow = () => loadavg().map((n) => Math.round(n * 100) / 100);

/** The 1-minute load average once it is under `cores`, or after `maxMs`, whichever comes first. */
async function settledLoad(cores: number, maxMs = 60_000): Promise<number[]> {
  const deadline = Date.now() + maxMs;
  while (loadavg()[0]! > cores && Date.now() < deadline) await sleep(2_000);
  return loadNow();
}

interface CheckSeries {
  scenario: string;
  path: string;
  client: string;
  check: string;
  expected: string;
  verdicts: string[];
  /** Per run; null: not measured; absent from the series where the check has no timing verdict. */
  margins: Array<number | null>;
  measured: string[];
}

function parse() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { runs: { type: 'string', default: '5' }, scale: { type: 'string', default: '0.1' }, strict: { type: 'boolean', default: false } },
  });
  const runs = Number(values.runs);
  const scale = Number(values.scale);
  const problems = [
    ...(Number.isInteger(runs) && runs >= 2 ? [] : [`--runs ${values.runs}: a whole number of at least 2 (a flip needs two runs)`]),
    ...(scale > 0 && scale <= 1 ? [] : [`--scale ${values.scale}: a number in (0, 1]`]),
  ];
  if (problems.length > 0) {
    process.stderr.write(`STREAMPROOF_BAD_OPTION: ${problems.join('; ')}\nTo fix: npm run repeatability -- --runs 20 --scale 0.1 [file filter...]\n`);
    process.exit(2);
  }
  return { runs, scale, strict: values.strict, filters: positionals };
}

function record(series: Map<string, CheckSeries>, outcomes: ScenarioOutcome[]): void {
  for (const outcome of outcomes) {
    for (const check of outcome.checks) {
      const key = [outcome.scenario, outcome.pathLabel, outcome.client, check.check].join(' | ');
      const entry = series.get(key) ?? {
        scenario: outcome.scenario,
        path: outcome.pathLabel,
        client: outcome.client,
        check: check.check,
        expected: check.expectedVerdict,
        verdicts: [],
        margins: [],
        measured: [],
      };
      entry.verdicts.push(check.verdict);
      if (check.margin !== undefined) entry.margins.push(check.margin);
      entry.measured.push(check.measured);
      series.set(key, entry);
    }
  }
}

const tally = (verdicts: string[]) =>
  Object.entries(verdicts.reduce<Record<string, number>>((n, v) => ({ ...n, [v]: (n[v] ?? 0) + 1 }), {}))
    .map(([verdict, count]) => `${verdict} ${count}`)
    .join(', ');

async function main(): Promise<void> {
  const { runs, scale, strict, filters } = parse();
  const reportDir = readSettings().reportDir; // before the matrix points it at a temp dir
  const cores = availableParallelism();
  await ownRun(log);
  const series = new Map<string, CheckSeries>();
  const perRun: Array<{ run: number; wallS: number; checks: number; asExpected: number; errors: number; loadBefore: number[]; loadAfter: number[]; busy: boolean }> = [];

  for (let i = 1; i <= runs; i++) {
    const loadBefore = await settledLoad(cores);
    log(`run ${i}/${runs} at time scale ${scale}${filters.length ? ` (${filters.join(' ')})` : ''}; load average ${loadBefore.join(' ')} on ${cores} cores`);
    const run = await runMatrix(scale, filters);
    const loadAfter = loadNow();
    record(series, run.outcomes);
    const checks = run.outcomes.flatMap((o) => o.checks);
    const asExpected = checks.filter((c) => c.verdict === c.expectedVerdict).length;
    const busy = loadBefore[0]! > cores;
    perRun.push({ run: i, wallS: run.wallS, checks: checks.length, asExpected, errors: run.errors, loadBefore, loadAfter, busy });
    log(`run ${i}: ${asExpected}/${checks.length} checks as expected in ${run.wallS} s${run.errors ? `, ${run.errors} errors` : ''}${busy ? ' (busy machine)' : ''}`);
  }

  const all = [...series.values()];
  const flips = all.filter((s) => new Set(s.verdicts).size > 1);
  const unexpected = all.filter((s) => s.verdicts.some((v) => v !== s.expected));
  const thin = all
    .map((s) => ({ ...s, minMargin: s.margins.some((m) => m === null) ? null : s.margins.length ? Math.min(...(s.margins as number[])) : undefined }))
    .filter((s) => s.minMargin === null || (s.minMargin !== undefined && s.minMargin < THIN_MARGIN));

  const out: string[] = [];
  out.push(`${runs} runs, ${all.length} checks each; ${flips.length} flipped, ${unexpected.length} differed from their expectation at least once, ${thin.length} with a margin under ${THIN_MARGIN * 100} % (or not measured).`);
  for (const r of perRun) out.push(`  run ${r.run}: ${r.asExpected}/${r.checks} as expected, ${r.wallS} s, load ${r.loadBefore[0]} at the start, ${r.loadAfter[0]} at the end${r.busy ? ' (BUSY: the machine was loaded before the run)' : ''}`);
  const line = (s: CheckSeries) => `${s.scenario} / ${s.path} / ${s.client} / ${s.check}`;
  if (flips.length) out.push('', 'Flipped (verdicts over the runs):', ...flips.map((s) => `  ${line(s)}: ${tally(s.verdicts)} (expected ${s.expected}); last: ${s.measured.at(-1)}`));
  if (thin.length) {
    out.push('', `Thin margins (smallest over the runs; a fraction of the threshold):`);
    for (const s of thin.sort((a, b) => (a.minMargin ?? -1) - (b.minMargin ?? -1))) out.push(`  ${typeof s.minMargin === 'number' ? s.minMargin.toFixed(3) : 'n/a  '}  ${line(s)}: ${s.measured.at(-1)}`);
  }
  process.stdout.write(`\n${out.join('\n')}\n`);

  mkdirSync(reportDir, { recursive: true });
  const file = join(reportDir, 'repeatability.json');
  writeFileSync(
    file,
    JSON.stringify({ generatedAt: new Date().toISOString(), node: process.version, cores, runs, timeScale: scale, filters, thinMargin: THIN_MARGIN, perRun, checks: all }, null, 2) + '\n',
  );
  process.stdout.write(`\nRepeatability: ${file}\n`);
  if (strict && (flips.length > 0 || unexpected.length > 0)) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0), // undici / vitest handles must not keep the process up
  (error: unknown) => {
    process.stderr.write(`repeatability failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
