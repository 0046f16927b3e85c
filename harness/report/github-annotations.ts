/**
 * GitHub Actions annotations from results.json: one `::error` workflow command per validate
 * finding, at the user's file and line, so the failure shows on the pull request's diff. A run
 * that gave no verdict gets one `::error` with its reason.
 * https://docs.github.com/actions/reference/workflows-and-actions/workflow-commands
 */
import type { ResultsFile } from '../results.ts';
import { artifactUri } from './sarif.ts';

/** Workflow command data: `%`, CR and LF escaped; property values also `:` and `,`. */
const escapeData = (text: string) => text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
const escapeProperty = (text: string) => escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');

export function toGithubAnnotations(results: ResultsFile, cwd = process.cwd()): string[] {
  const lines = results.errors.map((error) => `::error title=${escapeProperty('streamproof: no verdict')}::${escapeData(error.message)}`);
  for (const finding of results.findings ?? []) {
    const properties = [
      ...(finding.file ? [`file=${escapeProperty(artifactUri(finding.file, cwd))}`] : []),
      ...(finding.file && finding.line !== undefined ? [`line=${finding.line}`] : []),
      `title=${escapeProperty(`streamproof ${finding.check}: ${finding.stream} (${finding.matrixVersion})`)}`,
    ];
    lines.push(`::error ${properties.join(',')}::${escapeData(`${finding.measured}. ${finding.fix}`)}`);
  }
  return lines;
}
