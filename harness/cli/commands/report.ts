/** `streamproof report`: the reports again, from an existing results.json. */
import type { Command } from 'commander';
import { readSettings } from '../../settings.ts';
import { log } from '../run-options.ts';

export function register(program: Command): void {
  program
    .command('report')
    .description('regenerate the reports (junit.xml, summary.md, report.html) next to an existing results.json')
    .argument('[results]', 'the results.json to read (default: results.json in STREAMPROOF_REPORT_DIR, reports/latest)')
    .action(async (file?: string) => {
      const { dirname, join } = await import('node:path');
      const { readResultsFile } = await import('../../report/read-results.ts');
      const { writeReports } = await import('../../report/write.ts');
      const { source, results } = readResultsFile(file ?? join(readSettings().reportDir, 'results.json'));
      for (const written of writeReports(results, dirname(source))) log(`wrote ${written}`);
    });
}
