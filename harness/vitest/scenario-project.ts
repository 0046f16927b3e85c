/**
 * How scenario files run, in one place: this checkout's vitest.config.ts (the `scenarios` project)
 * and `streamproof run` in a user's repository (no config file of theirs read) take the same.
 */
import { harnessModule } from '../package-files.ts';

/** What `streamproof run` finds when given no file: every scenario file under the working directory. */
export const SCENARIO_FILE_GLOB = '**/*.scenario.{ts,mts,js,mjs}';
export const SCENARIO_FILE_PATTERN = /\.scenario\.[mc]?[jt]s$/;
export const SCENARIO_EXCLUDE = ['**/node_modules/**', '**/dist/**', '**/.git/**'];

/** vitest's default reporter with live progress, then results.json, the verdict table and the reports. */
export const SCENARIO_REPORTERS = [harnessModule('report/progress'), harnessModule('report/reporter')];

export function scenarioTestOptions() {
  return {
    globalSetup: [harnessModule('vitest/global-setup')],
    // The waits are inherent (idle timeouts, tool pauses): run scenarios side by side, each on its
    // own containers and ports. Chains run Node in their taps and Toxiproxy boxes; more than ~12
    // streams at once on 2 cores delayed delivery by hundreds of ms and container starts by tens of
    // seconds (measured), so concurrency stops there.
    pool: 'forks' as const,
    maxWorkers: 2,
    fileParallelism: true,
    maxConcurrency: 6,
    testTimeout: 180_000,
    hookTimeout: 60_000,
  };
}
