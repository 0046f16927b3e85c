/**
 * ACL declarations, `acl <name> <criterion> [flags] [operator] <value> ...` (configuration.txt
 * 7.1), and the same form inside an anonymous ACL `{ <criterion> ... }`. Several `acl` lines with
 * one name are OR-ed.
 */
import type { HaproxyLine, SourceRef } from './parser.ts';

export interface HaproxyAclPattern {
  /** The sample fetch with its match suffix and arguments, e.g. `hdr_beg(host)`, `path_beg`, `ssl_fc`. */
  criterion: string;
  ignoreCase: boolean;
  /** `-f <file>` pattern files (not read: the ACL cannot be evaluated from the config alone). */
  files: string[];
  /** `-m <method>`: str, beg, end, sub, reg, dom, dir, len, found, int, bool, ip. */
  matchMethod?: string;
  /** The patterns; for integer matches an operator (eq, ge, gt, le, lt) may come first. */
  values: string[];
}

export interface HaproxyAcl extends HaproxyAclPattern, SourceRef {
  name: string;
}

/** Parse `<criterion> [flags] <values...>`. */
export function parseAclPattern(words: readonly string[]): HaproxyAclPattern {
  const [criterion = '', ...rest] = words;
  const pattern: HaproxyAclPattern = { criterion, ignoreCase: false, files: [], values: [] };
  let i = 0;
  for (; i < rest.length; i++) {
    const flag = rest[i]!;
    if (flag === '--') {
      i++;
      break;
    }
    if (!flag.startsWith('-') || /^-\d/.test(flag)) break;
    if (flag === '-i') pattern.ignoreCase = true;
    else if (flag === '-f' && i + 1 < rest.length) pattern.files.push(rest[++i]!);
    else if (flag === '-m' && i + 1 < rest.length) pattern.matchMethod = rest[++i];
    else if ((flag === '-M' || flag === '-u') && i + 1 < rest.length) i++;
    // -n (no DNS resolution) takes nothing.
  }
  pattern.values = rest.slice(i);
  return pattern;
}

export function parseAcl(line: HaproxyLine): HaproxyAcl {
  const [name = '', ...pattern] = line.args;
  return { file: line.file, line: line.line, name, ...parseAclPattern(pattern) };
}
