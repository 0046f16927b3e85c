/**
 * One HAProxy config line → words, per configuration.txt section 2.2 "Quoting and escaping"
 * (and parse_line() in src/tools.c):
 * - words are separated by spaces and tabs; an unprotected `#` starts a comment, even in the
 *   middle of a word (`global#x` is `global`);
 * - outside quotes a backslash escapes space, `#`, `\`, `'`, `"` and gives \n, \r, \t, \xNN;
 *   any other backslash pair stays as written (`\1`, `\.` in regexes);
 * - "weak" double quotes protect spaces, `'` and `#`, still honour the escapes above plus `\$`,
 *   and expand environment variables (`$VAR`, `${VAR}`, `${VAR-default}`);
 * - 'strong' single quotes protect everything, backslashes included;
 * - quoted and unquoted pieces glued together form one word (`"a b"'c'd`).
 */
import { HaproxyConfigSyntaxError } from './syntax-error.ts';

export interface TokenizedLine {
  words: string[];
  /** Environment variables referenced in double quotes, e.g. `FD_APP1` for "fd@${FD_APP1}". */
  envRefs: string[];
}

export interface TokenizeOptions {
  /**
   * Values for environment variables in double quotes. Without it, `${VAR}` stays as written in
   * the word (and is listed in envRefs): its value is only known where HAProxy runs.
   */
  env?: Readonly<Record<string, string>>;
}

const HEX = /^[0-9a-fA-F]{2}$/;

/** The character an escape outside single quotes stands for, and how many chars it used. */
function escapeAt(line: string, i: number, inDoubleQuotes: boolean): { text: string; length: number } {
  const next = line[i + 1];
  switch (next) {
    case ' ':
    case '\t':
    case '#':
    case '\\':
    case "'":
    case '"':
      return { text: next, length: 2 };
    case 'n':
      return { text: '\n', length: 2 };
    case 'r':
      return { text: '\r', length: 2 };
    case 't':
      return { text: '\t', length: 2 };
    case 'x': {
      const hex = line.slice(i + 2, i + 4);
      return HEX.test(hex) ? { text: String.fromCharCode(parseInt(hex, 16)), length: 4 } : { text: '\\x', length: 2 };
    }
    case '$':
      return inDoubleQuotes ? { text: '$', length: 2 } : { text: '\\$', length: 2 };
    case undefined:
      return { text: '\\', length: 1 };
    default:
      return { text: `\\${next}`, length: 2 };
  }
}

/** `$NAME`, `${NAME}`, `${NAME-default}`, `${NAME[*]}` at `i`: its name, default and length. */
function envReferenceAt(line: string, i: number): { name: string; fallback?: string; length: number } | undefined {
  const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(\[\*\])?(?:-([^}]*))?\}/.exec(line.slice(i));
  if (braced) return { name: braced[1]!, fallback: braced[3], length: braced[0].length };
  const bare = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(line.slice(i));
  return bare ? { name: bare[1]!, length: bare[0].length } : undefined;
}

export function tokenizeHaproxyLine(line: string, file: string, lineNumber: number, options: TokenizeOptions = {}): TokenizedLine {
  const words: string[] = [];
  const envRefs: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; ) {
    const ch = line[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
      i++;
      continue;
    }
    if (ch === '\\') {
      const escape = escapeAt(line, i, quote === '"');
      word += escape.text;
      inWord = true;
      i += escape.length;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') {
        quote = undefined;
        i++;
        continue;
      }
      const ref = ch === '$' ? envReferenceAt(line, i) : undefined;
      if (ref) {
        envRefs.push(ref.name);
        const value = options.env?.[ref.name] ?? ref.fallback;
        word += options.env && value !== undefined ? value : line.slice(i, i + ref.length);
        i += ref.length;
        continue;
      }
      word += ch;
      i++;
      continue;
    }
    if (ch === '#') break;
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
      i++;
      continue;
    }
    word += ch;
    inWord = true;
    i++;
  }
  if (quote) throw new HaproxyConfigSyntaxError(file, lineNumber, `unmatched ${quote === '"' ? 'double' : 'single'} quote`);
  if (inWord) words.push(word);
  return { words, envRefs };
}
