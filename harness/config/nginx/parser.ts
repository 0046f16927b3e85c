/**
 * Tokens → directive tree, with the errors nginx's ngx_conf_parse() reports for the same input
 * (`unexpected "}"`, `unexpected end of file, expecting ";" or "}"`, ...). It checks structure
 * only: it does not know which directives exist or where each is allowed (see
 * directive-context.ts for the few whose placement matters here).
 */
import type { NginxDirective } from './ast.ts';
import { NginxLexer, type NginxToken } from './lexer.ts';
import { NginxConfigSyntaxError } from './syntax-error.ts';

export interface NginxParseOptions {
  /**
   * Accept a line holding only `${NAME}` as a placeholder directive, as in envsubst templates
   * (`${HTTPS_CONFIG}` standing for several directives). nginx would reject such a line; a
   * template is rendered before nginx sees it. Off by default.
   */
  templatePlaceholders?: boolean;
}

/** A whole word of the form `${NAME}`: what envsubst replaces. */
const TEMPLATE_PLACEHOLDER = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/** OpenResty directives whose block holds Lua source, e.g. `content_by_lua_block`. */
function isLuaBlockDirective(name: string): boolean {
  return name.endsWith('_by_lua_block');
}

type WordToken = Extract<NginxToken, { type: 'word' }>;

class Parser {
  private readonly lexer: NginxLexer;
  private readonly file: string;
  private readonly options: NginxParseOptions;

  constructor(text: string, file: string, options: NginxParseOptions) {
    this.lexer = new NginxLexer(text, file);
    this.file = file;
    this.options = options;
  }

  private fail(line: number, problem: string): never {
    throw new NginxConfigSyntaxError(this.file, line, problem);
  }

  private placeholderDirective(word: WordToken): NginxDirective {
    return { name: word.value, args: [], file: this.file, line: word.line, placeholder: true };
  }

  /** True when `first` is a lone template placeholder and `next` starts on a later line. */
  private isLonePlaceholder(first: WordToken, words: number, next: NginxToken): boolean {
    return (
      this.options.templatePlaceholders === true &&
      words === 1 &&
      !first.quoted &&
      TEMPLATE_PLACEHOLDER.test(first.value) &&
      (next.type === 'eof' || next.line > first.line)
    );
  }

  parseBlock(openedAt: number | undefined): NginxDirective[] {
    const directives: NginxDirective[] = [];
    for (;;) {
      const token = this.lexer.next();
      if (token.type === 'eof') {
        if (openedAt !== undefined) this.fail(token.line, 'unexpected end of file, expecting "}"');
        return directives;
      }
      if (token.type === '}') {
        if (openedAt === undefined) this.fail(token.line, 'unexpected "}"');
        return directives;
      }
      if (token.type === ';' || token.type === '{') this.fail(token.line, `unexpected "${token.type}"`);
      const directive = this.parseStatement(token as WordToken);
      directives.push(directive);
    }
  }

  private parseStatement(first: WordToken): NginxDirective {
    const words: WordToken[] = [first];
    for (;;) {
      const token = this.lexer.next();
      if (token.type !== ';' && token.type !== '{' && this.isLonePlaceholder(first, words.length, token)) {
        this.lexer.unread(token);
        return this.placeholderDirective(first);
      }
      switch (token.type) {
        case 'word':
          words.push(token);
          break;
        case ';':
          return this.directive(words);
        case '{':
          return this.blockDirective(words);
        case '}':
          return this.fail(token.line, 'unexpected "}"');
        case 'eof':
          return this.fail(token.line, 'unexpected end of file, expecting ";" or "}"');
      }
    }
  }

  private directive(words: WordToken[]): NginxDirective {
    const [first, ...rest] = words as [WordToken, ...WordToken[]];
    return { name: first.value, args: rest.map((w) => w.value), file: this.file, line: first.line };
  }

  private blockDirective(words: WordToken[]): NginxDirective {
    const directive = this.directive(words);
    if (isLuaBlockDirective(directive.name)) {
      directive.luaCode = this.lexer.readLuaBlock().code;
      return directive;
    }
    directive.block = this.parseBlock(directive.line);
    return directive;
  }
}

/**
 * Parse one nginx config file's text. `file` is only used to label directives and errors.
 * Throws NginxConfigSyntaxError where nginx would refuse the file.
 */
export function parseNginxConfig(text: string, file: string, options: NginxParseOptions = {}): NginxDirective[] {
  return new Parser(text, file, options).parseBlock(undefined);
}
