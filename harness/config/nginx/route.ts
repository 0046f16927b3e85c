/** A request through an nginx config: the server, the location, and the settings that apply. */
import type { NginxDirective } from './ast.ts';
import { effectiveSettings, levelsFor, type NginxEffectiveSettings } from './effective-settings.ts';
import { matchLocation, type LocationMatch } from './location-match.ts';
import type { NginxConfig } from './reader.ts';
import { selectServer, type NginxRequestTarget, type ServerSelection } from './server-select.ts';
import { resolveVariableTarget, type NginxVariableTarget } from './variable-targets.ts';
import { parseProxyTarget, type NginxProxyTarget } from './proxy-pass.ts';
import { resolveDirective, type NginxLevel } from './inheritance.ts';
import type { NginxLocation } from './location.ts';

export interface NginxRequest extends NginxRequestTarget {
  /** The request target, e.g. `/v1/chat/completions?stream=true`. */
  path: string;
}

export interface NginxRoute {
  selection: ServerSelection;
  match?: LocationMatch;
  /**
   * `return`, `rewrite` and `if` written at server level: nginx runs them before it picks a
   * location (a server-level `return 301` answers every request).
   */
  serverRewrites: NginxDirective[];
  /** The proxy_pass of the matched location, if it proxies. */
  proxyTarget?: NginxProxyTarget;
  /** For a proxy_pass with variables: what it resolves to and whether a resolver is missing. */
  variableTarget?: NginxVariableTarget;
  settings?: NginxEffectiveSettings;
  /**
   * When the matched location ends in `try_files ... @name` (mastodon: `try_files $uri @proxy`):
   * the named location that serves the request if no file matches, as it would proxy it.
   */
  fallback?: { location: NginxLocation; settings: NginxEffectiveSettings; proxyTarget?: NginxProxyTarget };
}

function proxyTargetAt(config: NginxConfig, levels: readonly NginxLevel[]): NginxProxyTarget | undefined {
  const proxyPass = resolveDirective(levels, 'proxy_pass').directives[0];
  return proxyPass ? parseProxyTarget(proxyPass.args[0] ?? '', proxyPass, config.upstreams) : undefined;
}

export function routeNginxRequest(config: NginxConfig, request: NginxRequest, options: { nginxVersion: string }): NginxRoute {
  const selection = selectServer(config.servers, request);
  const route: NginxRoute = { selection, serverRewrites: [] };
  const { server } = selection;
  if (!server) return route;
  route.serverRewrites = (server.directive.block ?? []).filter((d) => d.name === 'return' || d.name === 'rewrite' || (d.name === 'if' && d.block));
  const match = matchLocation(server, request.path);
  route.match = match;
  route.settings = effectiveSettings(config, server, match.location, options);
  const levels = levelsFor(config.httpLevels, server, match.location);
  const proxyTarget = match.location ? proxyTargetAt(config, levels) : undefined;
  if (proxyTarget) {
    route.proxyTarget = proxyTarget;
    const proxyPass = resolveDirective(levels, 'proxy_pass').directives[0]!;
    if (proxyTarget.hasVariables) route.variableTarget = resolveVariableTarget(proxyPass, levels, config.upstreams);
  }
  if (match.namedFallback) {
    const location = match.namedFallback;
    const fallback: NonNullable<NginxRoute['fallback']> = { location, settings: effectiveSettings(config, server, location, options) };
    const target = proxyTargetAt(config, levelsFor(config.httpLevels, server, location));
    if (target) fallback.proxyTarget = target;
    route.fallback = fallback;
  }
  return route;
}
