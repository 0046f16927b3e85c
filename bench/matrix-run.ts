/**
 * One run of the scenario matrix (vitest project `scenarios`) in this process, for the bench and
 * the repeatability runs: every test's outcome as the reporter sees it, and the wall time. The
 * configured reporters are replaced and the report dir is a temp dir, so reports/latest is left alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reporter } from 'vitest/node';
import { now } from '../harness/clock.ts';
import { ensureDockerAnswers } from '../harness/docker/engine.ts';
import { beginRun, removeRunContainers, removeRunContainersNow, startReaper } from '../harness/docker/run-registry.ts';
import type { ScenarioOutcome } from '../harness/results.ts';
import { SETTINGS_ENV } from '../harness/settings.ts';

/**
 * This process owns one run: the matrix's global setup joins it (beginRun is idempotent per
 * process), containers started here are labelled with it, a reaper removes them if the process
 * dies, and SIGINT/SIGTERM remove them before exiting 130/143. Returns the run's cleanup.
 */
export async function ownRun(log: (line: string) => void): Promise<() => Promise<number>> {
  await ensureDockerAnswers();
  const run = beginRun();
  startReaper(run);
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: removing this run's containers`);
    removeRunContainersNow(run.runId); // synchronous: vitest exits 1 ms after SIGINT
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => removeRunContainers(run.runId);
}

export interface MatrixRun {
  wallS: number;
  tests: number;
  testsPassed: number;
  /** Errors outside the checks (a file that did not load, an unhandled error). */
  errors: number;
  outcomes: ScenarioOutcome[];
}

/** Runs the matrix, or the scenario files matching `filters` (vitest's file filters), at `timeScale`. */
export async function runMatrix(timeScale: number, filters: string[] = []): Promise<MatrixRun> {
  const run: MatrixRun = { wallS: 0, tests: 0, testsPassed: 0, errors: 0, outcomes: [] };
  const collector: Reporter = {
    onTestRunEnd(modules, unhandledErrors) {
      run.errors += unhandledErrors.length;
      for (const module of modules) {
        run.errors += module.errors().length;
        for (const test of module.children.allTests()) {
          run.tests++;
          if (test.result().state === 'passed') run.testsPassed++;
          const outcome = (test.meta() as { streamproof?: ScenarioOutcome }).streamproof;
          if (outcome) run.outcomes.push(outcome);
        }
      }
    },
  };
  process.env[SETTINGS_ENV.timeScale] = String(timeScale);
  const scratch = mkdtempSync(join(tmpdir(), 'streamproof-matrix-'));
  process.env[SETTINGS_ENV.reportDir] = scratch;
  const { startVitest } = await import('vitest/node');
  const started = now();
  try {
    const vitest = await startVitest('test', filters, { run: true, project: 'scenarios', watch: false, reporters: ['dot', collector] });
    await vitest?.close(); // includes global teardown (container removal): part of the wall time
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  run.wallS = Math.round((now() - started) / 100) / 10;
  process.exitCode = 0; // vitest sets 1 on a failed test: here that is a figure, not an error
  return run;
}
