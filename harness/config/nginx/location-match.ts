/**
 * Which location nginx picks for a URI, after ngx_http_core_find_location() and
 * ngx_http_core_find_static_location() in src/http/ngx_http_core_module.c:
 * 1. among the exact (`=`) and prefix locations of a level: an exact match wins at once; else
 *    the longest matching prefix is remembered;
 * 2. the locations nested in that prefix are searched the same way (their regexes included);
 *    an exact or regex match there is final;
 * 3. unless the remembered prefix has `^~`, the level's regexes are tried in file order and the
 *    first match wins (its own nested locations searched too), even over a nested prefix;
 * 4. otherwise the longest prefix serves; with no match at all, the server's own config does.
 * A prefix location ending in `/` whose handler is proxy_pass answers the same URI without the
 * slash with a 301 (nginx's auto_redirect).
 */
import type { NginxLocation } from './location.ts';
import type { NginxServer } from './server.ts';

export interface LocationMatch {
  /** The location whose config serves the request; undefined: none matched, the server's does. */
  location?: NginxLocation;
  how: 'exact' | 'prefix' | 'prefix-noregex' | 'regex' | 'redirect' | 'none';
  /** For `redirect`: where nginx sends the client (301). */
  redirectTo?: string;
  /** The URI as nginx compares it (no query string, %XX decoded, slashes merged). */
  uri: string;
  /**
   * A `try_files ... @name` in the matched location: if no file matches, the named location
   * serves instead (whether the file exists is not known from the config).
   */
  namedFallback?: NginxLocation;
  /** Why the answer may be wrong, e.g. a regex JavaScript cannot evaluate. Empty when certain. */
  undetermined: string[];
}

type Outcome = 'ok' | 'done' | 'again' | 'declined';

interface SearchState {
  location?: NginxLocation;
  undetermined: string[];
}

/** The path part of a request target, decoded and with `//` merged as nginx does by default. */
export function normalizeUri(path: string): string {
  let uri = path.split(/[?#]/, 1)[0] ?? '';
  try {
    uri = decodeURIComponent(uri);
  } catch {
    // A malformed %-escape: nginx answers 400; keep the raw path for matching.
  }
  uri = uri.replace(/\/{2,}/g, '/');
  return uri.startsWith('/') ? uri : `/${uri}`;
}

function findStatic(locations: readonly NginxLocation[], uri: string, state: SearchState): Outcome {
  const exact = locations.find((l) => l.modifier === '=' && l.path === uri);
  if (exact) {
    state.location = exact;
    return 'ok';
  }
  const prefixes = locations.filter((l) => (l.modifier === 'prefix' || l.modifier === '^~') && uri.startsWith(l.path));
  const longest = prefixes.reduce<NginxLocation | undefined>((best, l) => (!best || l.path.length > best.path.length ? l : best), undefined);
  if (longest && longest.path === uri) {
    state.location = longest;
    return 'again';
  }
  const redirect = locations.find((l) => l.autoRedirect && l.modifier !== '~' && l.modifier !== '~*' && l.path === `${uri}/`);
  if (redirect) {
    state.location = redirect;
    return 'done';
  }
  if (longest) {
    state.location = longest;
    return 'again';
  }
  return 'declined';
}

function find(level: readonly NginxLocation[], uri: string, state: SearchState): Outcome {
  const statics = level.filter((l) => l.modifier === '=' || l.modifier === 'prefix' || l.modifier === '^~');
  const regexes = level.filter((l) => l.modifier === '~' || l.modifier === '~*');
  let outcome = findStatic(statics, uri, state);
  let noregex = false;
  if (outcome === 'again' && state.location) {
    noregex = state.location.modifier === '^~';
    outcome = find(state.location.children, uri, state);
  }
  if (outcome === 'ok' || outcome === 'done') return outcome;
  if (!noregex) {
    for (const location of regexes) {
      if (!location.regex) {
        state.undetermined.push(`${location.file}:${location.line}: ${location.regexError ?? 'regex not evaluated'}`);
        continue;
      }
      if (location.regex.test(uri)) {
        state.location = location;
        find(location.children, uri, state);
        return 'ok';
      }
    }
  }
  return outcome;
}

function namedFallbackOf(server: NginxServer, location: NginxLocation | undefined): NginxLocation | undefined {
  const tryFiles = location?.directive.block?.find((d) => d.name === 'try_files');
  const last = tryFiles?.args.at(-1);
  return last?.startsWith('@') ? server.locations.find((l) => l.modifier === '@' && l.path === last) : undefined;
}

export function matchLocation(server: NginxServer, path: string): LocationMatch {
  const uri = normalizeUri(path);
  const state: SearchState = { undetermined: [] };
  const outcome = find(server.locations, uri, state);
  const { location } = state;
  const how: LocationMatch['how'] =
    outcome === 'done'
      ? 'redirect'
      : !location
        ? 'none'
        : location.modifier === '='
          ? 'exact'
          : location.modifier === '~' || location.modifier === '~*'
            ? 'regex'
            : location.modifier === '^~'
              ? 'prefix-noregex'
              : 'prefix';
  const match: LocationMatch = { location, how, uri, undetermined: state.undetermined };
  if (how === 'redirect') match.redirectTo = `${uri}/`;
  const fallback = namedFallbackOf(server, location);
  if (fallback) match.namedFallback = fallback;
  return match;
}
