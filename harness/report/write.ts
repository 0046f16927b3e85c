/** Writes every report format next to results.json, from its data only (the reporter and `streamproof report`). */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultsFile } from '../results.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { toSarif } from './sarif.ts';

export const REPORT_FILES = { junit: 'junit.xml', markdown: 'summary.md', html: 'report.html', sarif: 'results.sarif' } as const;

/** Returns the paths written (results.sarif too for validate's results). Appends the Markdown summary to $GITHUB_STEP_SUMMARY when it is set. */
export function writeReports(results: ResultsFile, dir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const markdown = renderMarkdown(results);
  const files: Array<[string, string]> = [
    [join(dir, REPORT_FILES.junit), renderJunit(results)],
    [join(dir, REPORT_FILES.markdown), markdown],
    [join(dir, REPORT_FILES.html), renderHtml(results)],
  ];
  // validate's results place failures in the user's files: SARIF for code scanning.
  if (results.findings) files.push([join(dir, REPORT_FILES.sarif), `${JSON.stringify(toSarif(results), null, 2)}\n`]);
  for (const [path, text] of files) writeFileSync(path, text);
  const written = files.map(([path]) => path);
  if (env.GITHUB_STEP_SUMMARY) {
    appendFileSync(env.GITHUB_STEP_SUMMARY, markdown);
    written.push(env.GITHUB_STEP_SUMMARY);
  }
  return written;
}
