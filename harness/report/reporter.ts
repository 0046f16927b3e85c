/**
 * vitest reporter: reads each scenario test's outcome (task meta) and writes
 * reports/latest/results.json, then prints the verdict table. Reports come from results, never
 * from code inside tests.
 */
import { PACKAGE_VERSION } from '../package-files.ts';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { readSettings } from '../settings.ts';
import { RESULTS_SCHEMA_VERSION, toClientOutcome, toEntries, summaryOf, toPathReport, uniqueProxies, type ResultsFile, type ScenarioOutcome } from '../results.ts';
import { formatResults } from './results-json.ts';
import { renderVerdictTable } from './verdict-table.ts';
import { writeReports } from './write.ts';
import { SCENARIO_FILE_PATTERN } from '../vitest/scenario-project.ts';

export default class StreamproofReporter implements Reporter {
  private startedAt = Date.now();
  /** `streamproof run --shard i/n`: this run is one shard; `streamproof merge` joins them. */
  private shard: { index: number; count: number } | undefined;

  onInit(vitest: Vitest): void {
    const shard = vitest.config.shard;
    this.shard = shard ? { index: shard.index, count: shard.count } : undefined;
  }

  onTestRunStart(): void {
    this.startedAt = Date.now();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const outcomes: ScenarioOutcome[] = [];
    const errors: ResultsFile['errors'] = [];
    for (const module of testModules) {
      if (!SCENARIO_FILE_PATTERN.test(module.moduleId)) continue;
      for (const testCase of module.children.allTests()) {
        const outcome = (testCase.meta() as { streamproof?: ScenarioOutcome }).streamproof;
        if (outcome) outcomes.push(outcome);
        else if (testCase.result().state === 'failed') {
          errors.push({
            scenario: testCase.parent.type === 'suite' ? testCase.parent.name : module.moduleId.split('/').pop()!,
            test: testCase.name,
            message: testCase.result().errors?.[0]?.message ?? 'failed without a result',
          });
        }
      }
      // A file that failed to load (e.g. invalid scenario options) has no tests: report its error.
      for (const error of module.errors()) {
        errors.push({ scenario: module.moduleId.split('/').pop()!, test: '(file)', message: error.message });
      }
    }
    // A unit-only run writes nothing; a shard always writes its results.json (merge counts the shards).
    if (outcomes.length === 0 && errors.length === 0 && !this.shard) return;

    const settings = readSettings();
    const results = outcomes.flatMap(toEntries);
    const proxies = uniqueProxies(outcomes.flatMap((o) => o.proxies));
    const file: ResultsFile = {
      schemaVersion: RESULTS_SCHEMA_VERSION,
      streamproof: PACKAGE_VERSION,
      generatedAt: new Date().toISOString(),
      timeScale: outcomes[0]?.timeScale ?? settings.timeScale,
      durationMs: Date.now() - this.startedAt,
      proxies,
      results,
      paths: outcomes.flatMap((o) => toPathReport(o) ?? []),
      clients: outcomes.flatMap((o) => toClientOutcome(o) ?? []),
      errors,
      summary: summaryOf(results, errors),
      ...(this.shard ? { shard: this.shard } : {}),
    };
    mkdirSync(settings.reportDir, { recursive: true });
    const path = join(settings.reportDir, 'results.json');
    writeFileSync(path, formatResults(file));
    const reports = writeReports(file, settings.reportDir);
    process.stdout.write(`\n${renderVerdictTable(file)}\nResults: ${path}\nReports: ${reports.join(', ')}\n`);
    process.stdout.write(otherFailures(testModules));
  }
}

/**
 * The verdict table is the last thing a run prints, and CI logs are often read from the end: a
 * failed test of another project (unit, machine, package…) is named here too, or a run with every
 * check as expected could exit 1 with no word of why in its last lines.
 */
function otherFailures(testModules: ReadonlyArray<TestModule>): string {
  const lines: string[] = [];
  for (const module of testModules) {
    if (SCENARIO_FILE_PATTERN.test(module.moduleId)) continue;
    const where = `[${module.project.name}] ${relative(process.cwd(), module.moduleId)}`;
    for (const error of module.errors()) lines.push(`  ${where}: ${firstLine(error.message)}`);
    for (const testCase of module.children.allTests()) {
      if (testCase.result().state !== 'failed') continue;
      lines.push(`  ${where} > ${testCase.fullName}: ${firstLine(testCase.result().errors?.[0]?.message)}`);
    }
  }
  if (lines.length === 0) return '';
  return `\nOther tests failed (${lines.length}); the run fails for these, not for the checks above:\n${lines.join('\n')}\n`;
}

function firstLine(message: string | undefined): string {
  return (message ?? 'failed without a message').split('\n')[0]!.slice(0, 300);
}


export { formatResults };
