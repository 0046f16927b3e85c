/**
 * `validate --format`: what goes on stdout for a machine, and where the report for people goes.
 * A format is one row: what it renders from results.json (also for a run with no verdict, whose
 * results.json holds only the error).
 */
import type { ResultsFile } from '../results.ts';
import { toGithubAnnotations } from './github-annotations.ts';
import { formatResults } from './results-json.ts';
import { toSarif } from './sarif.ts';

export interface ValidateFormat {
  describe: string;
  /** Written to stdout at the end; none for the report alone. */
  render?: (results: ResultsFile) => string;
  /** The report for people: stderr when stdout is the machine's. */
  peopleTo: 'stdout' | 'stderr';
}

export const VALIDATE_FORMATS = {
  text: { describe: 'the report for people on stdout', peopleTo: 'stdout' },
  json: { describe: 'results.json on stdout (the report for people goes to stderr)', render: formatResults, peopleTo: 'stderr' },
  sarif: { describe: 'SARIF 2.1.0 on stdout, each failure at its file and line, for code scanning (the report for people goes to stderr)', render: (results) => `${JSON.stringify(toSarif(results), null, 2)}\n`, peopleTo: 'stderr' },
  github: {
    describe: "the report for people on stdout, then a GitHub Actions ::error annotation at each failure's file and line",
    render: (results) => toGithubAnnotations(results).map((line) => `${line}\n`).join(''),
    peopleTo: 'stdout',
  },
} satisfies Record<string, ValidateFormat>;

export type ValidateFormatName = keyof typeof VALIDATE_FORMATS;
