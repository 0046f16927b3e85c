/**
 * streamproof's own files, wherever it runs from: this checkout runs harness/*.ts directly, an
 * installed package runs the build in dist/harness/*.js. Both find the profiles, package.json and
 * sibling modules through here, so no module counts `../` levels of its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `.ts` in the checkout, `.js` in the build: the extension of streamproof's own modules. */
export const MODULE_EXTENSION = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** The directory holding this module's tree (harness/ or dist/harness/). */
export const HARNESS_DIR = dirname(fileURLToPath(import.meta.url));

/** The package root: the nearest directory above harness/ with streamproof's package.json. */
export const PACKAGE_ROOT = findRoot(HARNESS_DIR);

function findRoot(from: string): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'streamproof') return dir;
    if (dirname(dir) === dir) throw new Error(`streamproof's package.json not found above ${from}`);
  }
}

export const PACKAGE_VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** A file shipped with the package (profiles under proxies/, ...), by its path from the root. */
export function packageFile(...segments: string[]): string {
  return join(PACKAGE_ROOT, ...segments);
}

/** One of streamproof's own modules, by its path under harness/ without extension (e.g. 'docker/reaper'). */
export function harnessModule(path: string): string {
  return join(HARNESS_DIR, `${path}${MODULE_EXTENSION}`);
}
