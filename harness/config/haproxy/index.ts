/**
 * HAProxy config reader: HAProxy's quoting rules, sections, defaults inheritance (last defaults
 * or `from <name>`), frontends/backends with effective settings and their source lines, and
 * request routing through ACLs (unknown criteria reported, not guessed).
 *
 *   const config = readHaproxyConfig('haproxy.cfg');
 *   const route = routeHaproxyConfigRequest(config, { port: 443, host: 'api.example.com', path: '/v1/chat/completions' });
 *   if (route.outcome.kind === 'backend') route.outcome.backend?.timeouts.server.appliedMs;
 */
export { HaproxyConfigSyntaxError } from './syntax-error.ts';
export { tokenizeHaproxyLine, type TokenizeOptions, type TokenizedLine } from './line-tokenizer.ts';
export { SECTION_KEYWORDS, parseHaproxyConfig, type HaproxyLine, type HaproxySection, type HaproxySectionKind, type SourceRef } from './parser.ts';
export { haproxyTimeMs } from './time-value.ts';
export { parseHaproxyAddress, type HaproxyAddress } from './address.ts';
export type { HaproxyBind } from './bind.ts';
export type { HaproxyServer } from './server-line.ts';
export type { HaproxyAcl, HaproxyAclPattern } from './acl.ts';
export type { HaproxyCondition, HaproxyConditionTerm } from './condition.ts';
export type { HaproxyRequest } from './request.ts';
export { resolveDefaults, type DefaultsResolution } from './defaults-inheritance.ts';
export { TIMEOUT_NAMES, type HaproxyTimeoutName } from './setting-tables.ts';
export {
  httpConnectionMode,
  sectionLabel,
  type HaproxyCompression,
  type HaproxyLineRef,
  type HaproxyOption,
  type HaproxyProxy,
  type HaproxyRule,
  type HaproxySetting,
  type HaproxyTimeout,
} from './proxy.ts';
export { routeHaproxyRequest, type HaproxyRoute, type HaproxyRouteOutcome } from './routing.ts';
export { compressesContentType } from './compression.ts';
export { classifyHost, type HostClass } from '../host-class.ts';
export {
  haproxyBackend,
  haproxyFrontend,
  readHaproxyConfig,
  readHaproxyConfigText,
  routeHaproxyConfigRequest,
  type HaproxyConfig,
  type HaproxyDiagnostic,
  type ReadHaproxyConfigOptions,
} from './reader.ts';
