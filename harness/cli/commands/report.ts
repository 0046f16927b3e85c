/** `streamproof report`: the reports again, from an existing results.json. */
import type { Command } from 'commander';
import { StreamproofError } from '../../errors.ts';
import { readSettings } from '../../settings.ts';
import { log } from '../run-options.ts';

export function register(program: Command): void {
  program
    .command('report')
    .description('regenerate the reports (junit.xml, summary.md, report.html) next to an existing results.json')
    .argument('[results]', 'the results.json to read (default: results.json in STREAMPROOF_REPORT_DIR, reports/latest)')
    .action(async (file?: string) => {
      const { existsSync, readFileSync } = await import('node:fs');
      const { dirname, join } = await import('node:path');
      const { writeReports } = await import('../../report/write.ts');
      const path = file ?? join(readSettings().reportDir, 'results.json');
      if (!existsSync(path)) {
        throw new StreamproofError('STREAMPROOF_BAD_OPTIONS', `no results file at ${path}`, 'run the scenarios first (streamproof run), or pass the path of a results.json');
      }
      let results: import('../../results.ts').ResultsFile;
      try {
        results = JSON.parse(readFileSync(path, 'utf8')) as import('../../results.ts').ResultsFile;
      } catch (error) {
        throw new StreamproofError('STREAMPROOF_BAD_OPTIONS', `${path} is not JSON: ${(error as Error).message}`, 'pass a results.json written by streamproof', { cause: error });
      }
      if (!Array.isArray(results.results) || typeof results.schemaVersion !== 'number') {
        throw new StreamproofError('STREAMPROOF_BAD_OPTIONS', `${path} is not a streamproof results file (no schemaVersion or results[])`, 'pass a results.json written by streamproof');
      }
      for (const written of writeReports({ ...results, paths: results.paths ?? [], errors: results.errors ?? [] }, dirname(path))) log(`wrote ${written}`);
    });
}
