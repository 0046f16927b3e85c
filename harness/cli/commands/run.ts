/**
 * `streamproof run`: scenario files of the working directory (the user's repository, or this
 * checkout) with streamproof's own vitest configuration: no config file of the user's is read.
 * Exit codes: 0 every verdict as expected, 1 a verdict not as expected, 2 a stream that could not
 * run (a refused config, an unreachable engine: results.json lists them under errors) or bad input.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ResultsFile } from '../../results.ts';
import { StreamproofError } from '../../errors.ts';
import { requirePackage } from '../../optional-package.ts';
import { readSettings } from '../../settings.ts';
import { selectScenarioFiles } from '../../vitest/scenario-files.ts';
import { SCENARIO_EXCLUDE, SCENARIO_REPORTERS, scenarioTestOptions } from '../../vitest/scenario-project.ts';
import { applyRunOptions, helpSection, withRunOptions, type RunOptions } from '../run-options.ts';

export function register(program: Command): void {
  withRunOptions(
    program
      .command('run')
      .description('run the scenario files of this directory (every *.scenario.ts under it by default); prints the verdict table, writes reports/latest/results.json')
      .argument('[files...]', 'scenario files, directories or quoted globs; a word that is none of these keeps the files whose path contains it')
      .option('--report-dir <dir>', 'where results.json, junit.xml, summary.md and report.html go', 'reports/latest')
      .option('--shard <i/n>', "run only part i of n of the scenario files (vitest's sharding), one part per CI runner; join the parts' report directories with streamproof merge"),
  )
    .addHelpText(
      'after',
      helpSection('Examples', [
        'npx streamproof run                                   # every *.scenario.ts under this directory',
        'npx streamproof run ./streams/edge.scenario.ts        # one file',
        'npx streamproof run "streams/**/*.scenario.ts" --versions bookworm --report-dir out',
        'npx streamproof run --shard 2/4 --report-dir reports/shard-2   # on runner 2 of 4; then: streamproof merge reports/shard-*',
      ]),
    )
    .action(async (args: string[], options: RunOptions & { shard?: string }) => {
      const shard = options.shard === undefined ? undefined : parseShard(options.shard);
      applyRunOptions(options);
      const root = process.cwd();
      const selection = selectScenarioFiles(args, root);
      const startedAt = Date.now();
      requirePackage('vitest', 'running scenario files');
      const { startVitest } = await import('vitest/node');
      const vitest = await startVitest('test', selection.filters, {
        config: false,
        root,
        name: 'scenarios',
        run: true,
        watch: false,
        include: selection.include,
        exclude: SCENARIO_EXCLUDE,
        reporters: SCENARIO_REPORTERS,
        ...scenarioTestOptions(),
        // A shard can get no file (more shards than files): it still writes its empty results.json.
        ...(shard ? { shard, passWithNoTests: true } : {}),
      });
      await vitest?.close();
      process.exitCode = exitCodeOf(resolve(root, readSettings().reportDir, 'results.json'), startedAt, Number(process.exitCode ?? 0));
    });
}

/** `2/4` → vitest's `2/4`, checked here so a typo is a usage error with its fix, not vitest's. */
export function parseShard(value: string): string {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new StreamproofError('STREAMPROOF_BAD_OPTIONS', `--shard must be i/n with 1 ≤ i ≤ n, got '${value}'`, 'pass the runner\'s part and the number of parts, e.g. --shard 2/4 (in GitHub Actions: --shard ${{ matrix.shard }}/4)');
  }
  return `${index}/${count}`;
}

/** 2 when a stream could not run (errors in this run's results.json), else vitest's own verdict (0 or 1). */
function exitCodeOf(resultsPath: string, startedAt: number, vitestCode: number): number {
  if (!existsSync(resultsPath) || statSync(resultsPath).mtimeMs < startedAt) return vitestCode === 0 ? 0 : 2;
  const results = JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultsFile;
  if (results.summary.errors > 0) return 2;
  return vitestCode === 0 && results.summary.unexpected === 0 ? 0 : 1;
}

