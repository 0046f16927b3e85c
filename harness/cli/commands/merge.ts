/** `streamproof merge`: the shards of one run (`streamproof run --shard i/n`) joined into one results.json and its reports. */
import type { Command } from 'commander';
import { helpSection, log } from '../run-options.ts';

export function register(program: Command): void {
  program
    .command('merge')
    .description("join the results of every shard of one run (streamproof run --shard i/n) into one results.json, JUnit, summary and HTML report; exit code as one whole run's")
    .argument('<results...>', "each shard's report directory or results.json")
    .option('--report-dir <dir>', 'where the merged results.json and reports go', 'reports/merged')
    .addHelpText('after', helpSection('Examples', ['npx streamproof merge reports/shard-1 reports/shard-2 reports/shard-3 reports/shard-4 --report-dir reports/latest']))
    .action(async (sources: string[], options: { reportDir: string }) => {
      const { mkdirSync, writeFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { readResultsFile } = await import('../../report/read-results.ts');
      const { mergeShards } = await import('../../report/merge.ts');
      const { formatResults } = await import('../../report/results-json.ts');
      const { renderVerdictTable } = await import('../../report/verdict-table.ts');
      const { writeReports } = await import('../../report/write.ts');
      const merged = mergeShards(sources.map((source) => readResultsFile(source)));
      mkdirSync(options.reportDir, { recursive: true });
      const path = join(options.reportDir, 'results.json');
      writeFileSync(path, formatResults(merged));
      const reports = writeReports(merged, options.reportDir);
      const shards = merged.shards!.map((s) => `${s.index}/${s.count} ${s.checks} checks in ${(s.durationMs / 1000).toFixed(1)} s`).join(', ');
      process.stdout.write(`${renderVerdictTable(merged)}\nShards: ${shards}\n`);
      log(`Results: ${path}`);
      log(`Reports: ${reports.join(', ')}`);
      process.exitCode = merged.summary.errors > 0 ? 2 : merged.summary.unexpected > 0 ? 1 : 0;
    });
}
