/**
 * OpenResty's `*_by_lua_block { ... }` bodies are Lua, not nginx directives: ngx_lua reads them
 * with its own lexer, counting braces only outside Lua strings and comments. This does the same,
 * so `ngx.say("}")` or `-- }` inside the block do not end it.
 */
import { NginxConfigSyntaxError } from './syntax-error.ts';

export interface LuaBlockScan {
  /** The Lua source between the block's braces. */
  code: string;
  /** Index just past the closing `}`. */
  end: number;
  /** Line of the closing `}`. */
  line: number;
}

/** `[[`, `[=[`, `[==[` ... : the level of a Lua long bracket opening at `i`, or -1. */
function longBracketLevel(text: string, i: number): number {
  if (text[i] !== '[') return -1;
  let j = i + 1;
  while (text[j] === '=') j++;
  return text[j] === '[' ? j - i - 1 : -1;
}

/** Scan a Lua block whose opening `{` ends just before `start` (on line `line`). */
export function scanLuaBlock(text: string, start: number, line: number, file: string): LuaBlockScan {
  let depth = 1;
  let i = start;
  let currentLine = line;
  const fail = (problem: string): never => {
    throw new NginxConfigSyntaxError(file, currentLine, problem);
  };
  const skipLongBracket = (level: number): void => {
    const close = `]${'='.repeat(level)}]`;
    const endAt = text.indexOf(close, i);
    if (endAt < 0) fail('unexpected end of file in Lua long string or comment');
    for (let k = i; k < endAt; k++) if (text[k] === '\n') currentLine++;
    i = endAt + close.length;
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') {
      currentLine++;
      i++;
    } else if (ch === '-' && text[i + 1] === '-') {
      i += 2;
      const level = longBracketLevel(text, i);
      if (level >= 0) {
        i += level + 2;
        skipLongBracket(level);
      } else {
        while (i < text.length && text[i] !== '\n') i++;
      }
    } else if (ch === '"' || ch === "'") {
      i++;
      while (i < text.length && text[i] !== ch) {
        if (text[i] === '\\') i++;
        if (text[i] === '\n') currentLine++;
        i++;
      }
      if (i >= text.length) fail('unexpected end of file in Lua string');
      i++;
    } else if (ch === '[' && longBracketLevel(text, i) >= 0) {
      const level = longBracketLevel(text, i);
      i += level + 2;
      skipLongBracket(level);
    } else if (ch === '{') {
      depth++;
      i++;
    } else if (ch === '}') {
      depth--;
      if (depth === 0) return { code: text.slice(start, i), end: i + 1, line: currentLine };
      i++;
    } else {
      i++;
    }
  }
  return fail('unexpected end of file, expecting "}" to close the Lua block');
}
