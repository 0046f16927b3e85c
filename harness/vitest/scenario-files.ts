/**
 * What `streamproof run [files or globs...]` runs, from its arguments, in the user's directory:
 * a file runs as given (whatever its name), a directory or a glob runs the scenario files in it, a
 * word that is neither narrows the default set by name (vitest's filter). A path or glob that finds
 * nothing is an error, every one named at once.
 */
import { existsSync, globSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { StreamproofError } from '../errors.ts';
import { SCENARIO_FILE_GLOB } from './scenario-project.ts';

export interface ScenarioSelection {
  /** vitest `include`, relative to the root. */
  include: string[];
  /** vitest's file-name filters. */
  filters: string[];
}

const GLOB_CHARS = /[*?[\]{}]/;
/** An argument that names a file (a separator or a script's extension), not a word to filter by. */
const LOOKS_LIKE_PATH = /[/\\]|\.[mc]?[jt]s$/;
const ignored = (path: string) => /(^|[/\\])(node_modules|\.git)([/\\]|$)/.test(path);

export function selectScenarioFiles(args: readonly string[], root: string): ScenarioSelection {
  const include: string[] = [];
  const filters: string[] = [];
  const problems: string[] = [];
  for (const arg of args) {
    if (GLOB_CHARS.test(arg)) {
      const found = globSync(arg, { cwd: root }).filter((file) => !ignored(file) && statSync(resolve(root, file)).isFile());
      if (found.length === 0) problems.push(`the glob ${arg} matches no file under ${root}`);
      include.push(...found.map((file) => relative(root, resolve(root, file))));
    } else if (existsSync(resolve(root, arg))) {
      const path = relative(root, resolve(root, arg)) || '.';
      include.push(statSync(resolve(root, arg)).isDirectory() ? `${path}/${SCENARIO_FILE_GLOB}` : path);
    } else if (LOOKS_LIKE_PATH.test(arg)) {
      problems.push(`no file ${resolve(root, arg)}`);
    } else {
      filters.push(arg);
    }
  }
  if (problems.length > 0) {
    throw new StreamproofError(
      'STREAMPROOF_BAD_OPTIONS',
      problems.length === 1 ? problems[0]! : `${problems.length} problems:\n  ${problems.join('\n  ')}`,
      'pass scenario files (e.g. streamproof run ./streams.scenario.ts), directories, or quoted globs (streamproof run "tests/**/*.scenario.ts"), relative to the working directory',
    );
  }
  if (include.length === 0) {
    const found = globSync(SCENARIO_FILE_GLOB, { cwd: root }).filter((file) => !ignored(file) && !/(^|\/)dist\//.test(file));
    if (found.length === 0) {
      throw new StreamproofError(
        'STREAMPROOF_NO_SCENARIOS',
        `no scenario file (*.scenario.ts) under ${root}`,
        "write one ('npx streamproof init' writes a starter), or pass the files to run",
      );
    }
    include.push(SCENARIO_FILE_GLOB);
  }
  return { include, filters };
}

