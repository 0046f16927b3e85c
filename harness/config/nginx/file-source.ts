/**
 * Where the reader gets the user's files from. Reads are confined to the directories the user
 * handed in: an include of `/etc/nginx/mime.types` must come out "unresolved" (it ships with the
 * image), never be read from whatever nginx happens to be installed on the machine running us.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { hasGlobMagic, segmentRegExp } from './glob-match.ts';

export interface ConfigFileSource {
  /** The file's text, or undefined when it is not one of the user's files. */
  read(path: string): string | undefined;
  /** Files matching a glob(3) pattern (absolute), sorted as nginx sorts them; [] when none. */
  glob(pattern: string): string[];
}

function isInside(path: string, roots: readonly string[]): boolean {
  return roots.some((root) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep));
}

/** The user's files on disk, limited to `roots` (and their subdirectories). */
export function diskFileSource(roots: readonly string[]): ConfigFileSource {
  const allowed = roots.map((root) => resolve(root));
  const isFile = (path: string): boolean => {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  };
  return {
    read(path) {
      const full = resolve(path);
      return isInside(full, allowed) && isFile(full) ? readFileSync(full, 'utf8') : undefined;
    },
    glob(pattern) {
      const full = resolve(pattern);
      if (!hasGlobMagic(full)) return isInside(full, allowed) && isFile(full) ? [full] : [];
      const segments = full.split(sep).filter((s) => s !== '');
      let candidates: string[] = [sep];
      for (const [index, segment] of segments.entries()) {
        const last = index === segments.length - 1;
        const next: string[] = [];
        for (const dir of candidates) {
          if (!hasGlobMagic(segment)) {
            const path = join(dir, segment);
            if (existsSync(path)) next.push(path);
            continue;
          }
          let entries: string[];
          try {
            entries = readdirSync(dir);
          } catch {
            continue;
          }
          const regexp = segmentRegExp(segment);
          for (const entry of entries) if (regexp.test(entry)) next.push(join(dir, entry));
        }
        candidates = last ? next.filter(isFile) : next;
      }
      return candidates.filter((path) => isInside(path, allowed)).sort();
    },
  };
}

/** Files held in memory, keyed by absolute path: for tests and for configs that never touch disk. */
export function memoryFileSource(files: Readonly<Record<string, string>>): ConfigFileSource {
  const byPath = new Map(Object.entries(files).map(([path, text]) => [resolve(path), text]));
  return {
    read(path) {
      return byPath.get(resolve(path));
    },
    glob(pattern) {
      const full = resolve(pattern);
      if (!hasGlobMagic(full)) return byPath.has(full) ? [full] : [];
      const segments = full.split(sep);
      const regexps = segments.map((segment) => (hasGlobMagic(segment) ? segmentRegExp(segment) : undefined));
      return [...byPath.keys()]
        .filter((path) => {
          const parts = path.split(sep);
          return parts.length === segments.length && parts.every((part, i) => (regexps[i] ? regexps[i].test(part) : part === segments[i]));
        })
        .sort();
    },
  };
}
