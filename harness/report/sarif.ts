/**
 * SARIF 2.1.0 from results.json (validate's findings): each failing check at the user's file and
 * line, for GitHub code scanning (`github/codeql-action/upload-sarif`) and any SARIF viewer. A run
 * that gave no verdict (exit 2) is an unsuccessful invocation carrying its error, never results.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { CheckName } from '../model.ts';
import type { ResultsFile, ValidateFinding } from '../results.ts';

const RULES: Record<CheckName, string> = {
  heartbeat: 'The stream survives a tool-call pause on one connection, and heartbeats reach the client when sent.',
  buffering: 'Each event reaches the client when the model sent it, not in bursts.',
  completion: 'A cut stream is visible to the client: no clean end without the terminator.',
  billing: 'A reconnect after a cut does not bill the generation twice.',
  abort: 'A client abort stops generation upstream.',
  integrity: 'Every event the model wrote arrives once, whole and in order.',
};

export const ruleId = (check: CheckName) => `streamproof/${check}`;

/** A relative path with forward slashes (GitHub matches it against the repository), or a file URL. */
export function artifactUri(file: string, cwd = process.cwd()): string {
  const rel = isAbsolute(file) ? relative(cwd, file) : file;
  if (rel.startsWith('..') || isAbsolute(rel)) return pathToFileURL(file).href;
  return rel.split(sep).join('/').replace(/^\.\//, '');
}

export function toSarif(results: ResultsFile, cwd = process.cwd()): Log {
  const findings = results.findings ?? [];
  const checks = Object.keys(RULES) as CheckName[];
  const rules: ReportingDescriptor[] = checks.map((check) => ({
    id: ruleId(check),
    name: check,
    shortDescription: { text: RULES[check] },
    defaultConfiguration: { level: 'error' },
  }));
  const error = results.errors[0];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'streamproof', version: results.streamproof, informationUri: 'https://www.npmjs.com/package/streamproof', rules } },
        invocations: [
          {
            executionSuccessful: error === undefined,
            ...(error ? { toolExecutionNotifications: results.errors.map((e) => ({ level: 'error' as const, message: { text: e.message } })) } : {}),
          },
        ],
        results: findings.map((finding) => toResult(finding, checks.indexOf(finding.check), cwd)),
      },
    ],
  };
}

function toResult(finding: ValidateFinding, ruleIndex: number, cwd: string): Result {
  const where = `${finding.stream}, ${finding.path.join(' → ')} (${finding.matrixVersion})`;
  return {
    ruleId: ruleId(finding.check),
    ruleIndex,
    level: 'error',
    message: { text: `${finding.check} failed on ${where}: ${finding.measured}. ${finding.fix}` },
    ...(finding.file
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(finding.file, cwd) },
                ...(finding.line !== undefined ? { region: { startLine: finding.line } } : {}),
              },
            },
          ],
        }
      : {}),
    // The same failure of the same file at another run is the same alert (code scanning tracks it).
    partialFingerprints: { streamproofFinding: `${finding.check}/${finding.stream}/${finding.file ?? ''}/${finding.matrixVersion}` },
  };
}
