/** A results.json given on the command line (the file, or the report directory holding it), checked to be one of streamproof's. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StreamproofError } from '../errors.ts';
import type { ResultsFile } from '../results.ts';

export function readResultsFile(given: string): { source: string; results: ResultsFile } {
  const path = existsSync(given) && statSync(given).isDirectory() ? join(given, 'results.json') : given;
  if (!existsSync(path)) {
    throw new StreamproofError('STREAMPROOF_BAD_OPTIONS', `no results file at ${path}`, 'run the scenarios first (streamproof run), or pass the path of a results.json or of the report directory holding it');
  }
  let results: ResultsFile;
  try {
    results = JSON.parse(readFileSync(path, 'utf8')) as ResultsFile;
  } catch (error) {
    throw new StreamproofError('STREAMPROOF_BAD_OPTIONS', `${path} is not JSON: ${(error as Error).message}`, 'pass a results.json written by streamproof', { cause: error });
  }
  if (!Array.isArray(results.results) || typeof results.schemaVersion !== 'number') {
    throw new StreamproofError('STREAMPROOF_BAD_OPTIONS', `${path} is not a streamproof results file (no schemaVersion or results[])`, 'pass a results.json written by streamproof');
  }
  return { source: path, results: { ...results, paths: results.paths ?? [], errors: results.errors ?? [] } };
}
