/**
 * nginx config reader: parse (nginx's own tokenizer rules), includes against the user's files,
 * servers/locations/upstreams, request routing and effective settings with their source lines.
 *
 *   const config = readNginxConfig('site.conf', { prefixDir: '.' });
 *   const route = routeNginxRequest(config, { host: 'example.com', port: 80, path: '/v1/chat/completions' }, { nginxVersion: '1.26.3' });
 *   route.settings?.proxyBuffering; route.settings?.directives.proxy_read_timeout.values[0]?.origin;
 */
export type { NginxDirective, SourceRef } from './ast.ts';
export { blocksNamed, directivesNamed, formatSourceRef, walkDirectives } from './ast.ts';
export { NginxConfigSyntaxError } from './syntax-error.ts';
export { parseNginxConfig, type NginxParseOptions } from './parser.ts';
export { nginxTimeMs } from './time-value.ts';
export { classifyHost, type HostClass } from '../host-class.ts';
export { diskFileSource, memoryFileSource, type ConfigFileSource } from './file-source.ts';
export type { NginxInclude } from './include-resolver.ts';
export type { NginxConfigKind } from './config-kind.ts';
export type { NginxListen } from './listen.ts';
export type { NginxServerName, ServerNameKind } from './server-name.ts';
export { describeLocation, locationChain, type LocationModifier, type NginxLocation } from './location.ts';
export { allLocations, type NginxServer } from './server.ts';
export { matchLocation, normalizeUri, type LocationMatch } from './location-match.ts';
export { selectServer, type NginxRequestTarget, type ServerSelection } from './server-select.ts';
export { PROXY_HTTP11_DEFAULT_SINCE, nginxDirectiveDefault } from './defaults.ts';
export { mergeKindOf, type NginxMergeKind } from './inheritance.ts';
export {
  TRACKED_DIRECTIVES,
  effectiveSettings,
  type NginxEffectiveDirective,
  type NginxEffectiveSettings,
  type NginxSettingValue,
  type TrackedDirective,
} from './effective-settings.ts';
export type { NginxUpstream, NginxUpstreamServer } from './upstreams.ts';
export { parseProxyTarget, type NginxProxyPass, type NginxProxyTarget } from './proxy-pass.ts';
export type { NginxVariableTarget } from './variable-targets.ts';
export { readNginxConfig, readNginxConfigText, type NginxConfig, type NginxDiagnostic, type ReadNginxConfigOptions } from './reader.ts';
export { routeNginxRequest, type NginxRequest, type NginxRoute } from './route.ts';
