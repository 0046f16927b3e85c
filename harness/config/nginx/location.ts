/**
 * `location` blocks as nginx classifies them (ngx_http_core_location): `= /x` exact, `^~ /x`
 * prefix that stops the regex search, `~ re` / `~* re` regexes, `@name` named, plain prefix.
 * The modifier may be glued to the path (`=/x`, `~*\.php$`). Locations nest.
 */
import type { NginxDirective, SourceRef } from './ast.ts';
import { compilePcre } from './pcre.ts';

export type LocationModifier = '=' | '^~' | '~' | '~*' | 'prefix' | '@';

export interface NginxLocation extends SourceRef {
  directive: NginxDirective;
  modifier: LocationModifier;
  /** The URI prefix, exact URI, regex source, or `@name`. */
  path: string;
  regex?: RegExp;
  regexError?: string;
  /** Locations nested inside this one, in file order. */
  children: NginxLocation[];
  /** The enclosing location, if nested. */
  parent?: NginxLocation;
  /**
   * nginx answers `path` without its trailing slash with a 301 to `path` when a location ending
   * in `/` hands requests to proxy_pass (or another *_pass), instead of matching another location.
   */
  autoRedirect: boolean;
}

/** Directives that set a content handler and so turn on auto-redirect for `/path/` locations. */
const PASS_DIRECTIVES = new Set(['proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'memcached_pass', 'grpc_pass']);

function splitModifier(args: readonly string[]): { modifier: LocationModifier; path: string } {
  if (args.length >= 2) {
    const [mod = '', path = ''] = args;
    const modifier = mod === '=' ? '=' : mod === '^~' ? '^~' : mod === '~' ? '~' : mod === '~*' ? '~*' : undefined;
    // nginx rejects any other two-word form ("invalid location modifier"); keep it as a prefix.
    return { modifier: modifier ?? 'prefix', path: modifier ? path : mod };
  }
  const name = args[0] ?? '';
  if (name.startsWith('=')) return { modifier: '=', path: name.slice(1) };
  if (name.startsWith('^~')) return { modifier: '^~', path: name.slice(2) };
  if (name.startsWith('~*')) return { modifier: '~*', path: name.slice(2) };
  if (name.startsWith('~')) return { modifier: '~', path: name.slice(1) };
  if (name.startsWith('@')) return { modifier: '@', path: name };
  return { modifier: 'prefix', path: name };
}

export function buildLocation(directive: NginxDirective, parent?: NginxLocation): NginxLocation {
  const { modifier, path } = splitModifier(directive.args);
  const block = directive.block ?? [];
  const location: NginxLocation = {
    file: directive.file,
    line: directive.line,
    directive,
    modifier,
    path,
    children: [],
    parent,
    autoRedirect: path.endsWith('/') && (modifier === 'prefix' || modifier === '^~' || modifier === '=') && block.some((d) => PASS_DIRECTIVES.has(d.name)),
  };
  if (modifier === '~' || modifier === '~*') {
    const compiled = compilePcre(path, modifier === '~*');
    location.regex = compiled.regex;
    if (compiled.error) location.regexError = compiled.error;
  }
  location.children = block.filter((d) => d.name === 'location' && d.block).map((d) => buildLocation(d, location));
  return location;
}

/** The location and its ancestors, outermost first. */
export function locationChain(location: NginxLocation): NginxLocation[] {
  const chain: NginxLocation[] = [];
  for (let current: NginxLocation | undefined = location; current; current = current.parent) chain.unshift(current);
  return chain;
}

/** `location = /x`, `location ~* re`, `location @name`: the form written in messages. */
export function describeLocation(location: NginxLocation): string {
  return location.modifier === 'prefix' || location.modifier === '@' ? `location ${location.path}` : `location ${location.modifier} ${location.path}`;
}
