/** results.json as written: the file CI systems and `streamproof report` read (reports/README.md). */
import type { ResultsFile } from '../results.ts';

/**
 * Indented for people, but a list of numbers (timeline series: hundreds of times) stays on one
 * line: one number per line made results.json 850 KB on a full run.
 */
export function formatResults(file: ResultsFile): string {
  const indented = JSON.stringify(file, null, 2);
  return `${indented.replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_, numbers: string) => `[${numbers.split(/,\s*/).join(', ')}]`)}\n`;
}
