/**
 * nginx's tokenizer, following ngx_conf_read_token() in src/core/ngx_conf_file.c:
 * - words are separated by space, tab, CR and LF; `;` ends a directive, `{` opens a block and
 *   `}` closes one (`;` and `{` also end a word, `}` does not: `ok}` is one word);
 * - `#` starts a comment only where a word could start (so `a#b` is a word) and runs to the end
 *   of the line;
 * - a word that starts with `"` or `'` runs to the matching quote, whatever it holds (`;`, `#`,
 *   `{`, newlines); after the closing quote nginx requires a space, `;`, `{`, or `)` (which then
 *   starts a word of its own, for `if ($a = "b")`);
 * - a backslash protects the next character; in the word itself `\"`, `\'`, `\\` become the
 *   character and `\t`, `\r`, `\n` the control character, any other `\x` stays as written;
 * - `$` followed by `{` keeps the brace in the word, so `${var}` (and an envsubst `${NAME}`) is text.
 */
import { scanLuaBlock, type LuaBlockScan } from './lua-block.ts';
import { NginxConfigSyntaxError } from './syntax-error.ts';

export type NginxToken =
  | { type: 'word'; value: string; line: number; quoted: boolean }
  | { type: ';' | '{' | '}'; line: number }
  | { type: 'eof'; line: number };

const SPACE = new Set([' ', '\t', '\r', '\n']);

/** Resolve the escapes nginx resolves when it copies a word out of the buffer. */
export function unescapeNginxWord(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\\' && i + 1 < raw.length) {
      const next = raw[i + 1]!;
      if (next === '"' || next === "'" || next === '\\') {
        out += next;
        i++;
        continue;
      }
      const control = next === 't' ? '\t' : next === 'r' ? '\r' : next === 'n' ? '\n' : undefined;
      if (control !== undefined) {
        out += control;
        i++;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

export class NginxLexer {
  private readonly text: string;
  private readonly file: string;
  private pos = 0;
  private line = 1;
  private pushedBack: NginxToken | undefined;

  constructor(text: string, file: string) {
    // A UTF-8 byte-order mark is not part of the first word.
    this.text = text.startsWith('\uFEFF') ? text.slice(1) : text;
    this.file = file;
  }

  private fail(problem: string, line = this.line): never {
    throw new NginxConfigSyntaxError(this.file, line, problem);
  }

  /** Give a token back; the next call to next() returns it again. */
  unread(token: NginxToken): void {
    this.pushedBack = token;
  }

  next(): NginxToken {
    if (this.pushedBack) {
      const token = this.pushedBack;
      this.pushedBack = undefined;
      return token;
    }
    const { text } = this;
    while (this.pos < text.length) {
      const ch = text[this.pos]!;
      if (ch === '\n') {
        this.line++;
        this.pos++;
      } else if (SPACE.has(ch)) {
        this.pos++;
      } else if (ch === '#') {
        while (this.pos < text.length && text[this.pos] !== '\n') this.pos++;
      } else if (ch === ';' || ch === '{' || ch === '}') {
        this.pos++;
        return { type: ch, line: this.line };
      } else if (ch === '"' || ch === "'") {
        return this.quotedWord(ch);
      } else {
        return this.bareWord();
      }
    }
    return { type: 'eof', line: this.line };
  }

  private quotedWord(quote: string): NginxToken {
    const { text } = this;
    const line = this.line;
    const start = ++this.pos;
    while (this.pos < text.length && text[this.pos] !== quote) {
      if (text[this.pos] === '\\') this.pos++;
      if (text[this.pos] === '\n') this.line++;
      this.pos++;
    }
    if (this.pos >= text.length) this.fail('unexpected end of file, expecting ";" or "}"');
    const raw = text.slice(start, this.pos);
    this.pos++;
    // nginx's need_space state: only a separator, `;`, `{` or `)` may follow a closing quote.
    const after = text[this.pos];
    if (after !== undefined && !SPACE.has(after) && after !== ';' && after !== '{' && after !== ')') {
      this.fail(`unexpected "${after}"`);
    }
    return { type: 'word', value: unescapeNginxWord(raw), line, quoted: true };
  }

  private bareWord(): NginxToken {
    const { text } = this;
    const line = this.line;
    const start = this.pos;
    let escaped = false;
    let variable = false;
    for (; this.pos < text.length; this.pos++) {
      const ch = text[this.pos]!;
      if (escaped) {
        escaped = false;
        if (ch === '\n') this.line++;
        continue;
      }
      if (this.pos > start && ch === '{' && variable) continue;
      variable = false;
      if (ch === '\\') {
        escaped = true;
        continue;
      }
      if (ch === '$') {
        variable = true;
        continue;
      }
      if (this.pos > start && (SPACE.has(ch) || ch === ';' || ch === '{')) break;
    }
    return { type: 'word', value: unescapeNginxWord(text.slice(start, this.pos)), line, quoted: false };
  }

  /** Read the Lua body of a `*_by_lua_block` whose `{` was the last token returned. */
  readLuaBlock(): LuaBlockScan {
    const scan = scanLuaBlock(this.text, this.pos, this.line, this.file);
    this.pos = scan.end;
    this.line = scan.line;
    return scan;
  }
}
