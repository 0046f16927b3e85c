/**
 * A frontend, backend or listen section with the settings in effect after its defaults chain:
 * each value with the file:line (and section) that set it, or 'default' with HAProxy's own.
 */
import { parseAcl, type HaproxyAcl } from './acl.ts';
import { legacyBind, parseBind, type HaproxyBind } from './bind.ts';
import { splitRuleCondition, type HaproxyCondition } from './condition.ts';
import { resolveDefaults } from './defaults-inheritance.ts';
import type { HaproxyProxyKind, HaproxySection, SourceRef } from './parser.ts';
import { parseServer, parseServerParams, type HaproxyServer } from './server-line.ts';
import {
  compressionOf,
  lastSetting,
  optionsOf,
  timeoutsOf,
  type HaproxyCompression,
  type HaproxyLineRef,
  type HaproxyOption,
  type HaproxySetting,
  type HaproxyTimeout,
  type TaggedLine,
} from './proxy-settings.ts';
import { DEFAULT_BALANCE, DEFAULT_MODE, type HaproxyTimeoutName } from './setting-tables.ts';

export type { HaproxyCompression, HaproxyLineRef, HaproxyOption, HaproxySetting, HaproxyTimeout } from './proxy-settings.ts';

export interface HaproxyRule extends HaproxyLineRef {
  keyword: string;
  /** The words before `if`/`unless`, e.g. ['set-header', 'X-A', 'b'] or ['backend_x']. */
  action: string[];
  condition?: HaproxyCondition;
}

export interface HaproxyProxy extends SourceRef {
  kind: HaproxyProxyKind;
  name: string;
  section: HaproxySection;
  /** The defaults section settings start from, and the chain behind it (outermost first). */
  defaults?: HaproxySection;
  defaultsChain: HaproxySection[];
  mode: HaproxySetting<string>;
  balance: HaproxySetting<string>;
  timeouts: Record<HaproxyTimeoutName, HaproxyTimeout>;
  /** Options written anywhere in the chain, plus the built-in state of the ones in OPTION_DEFAULTS. */
  options: Record<string, HaproxyOption>;
  compression: HaproxyCompression;
  binds: HaproxyBind[];
  servers: HaproxyServer[];
  acls: HaproxyAcl[];
  useBackends: HaproxyRule[];
  defaultBackend?: HaproxySetting<string>;
  httpRequestRules: HaproxyRule[];
  httpResponseRules: HaproxyRule[];
  httpAfterResponseRules: HaproxyRule[];
  tcpRequestRules: HaproxyRule[];
  /** `http-response set-header` / `add-header` rules (defaults' first), e.g. X-Accel-Buffering. */
  responseHeaderRules: HaproxyRule[];
  /** HAProxy 1.x `redirect` and `block` rules, still honoured by this reader when present. */
  legacyRules: HaproxyRule[];
  /** `stats uri <prefix>`: requests under it are answered by the stats page, not a backend. */
  statsUri?: HaproxyRule;
  problems: string[];
}

export function sectionLabel(section: HaproxySection): string {
  return section.name === undefined ? section.kind : `${section.kind} ${section.name}`;
}

function tag(section: HaproxySection): TaggedLine[] {
  const label = sectionLabel(section);
  return section.lines.map((line) => ({ line, ref: { file: line.file, line: line.line, section: label } }));
}

function rule(tagged: TaggedLine): HaproxyRule {
  const { action, condition } = splitRuleCondition(tagged.line.args);
  const result: HaproxyRule = { ...tagged.ref, keyword: tagged.line.keyword, action };
  if (condition) result.condition = condition;
  return result;
}

function serversOf(defaultsLines: readonly TaggedLine[], own: readonly TaggedLine[]): HaproxyServer[] {
  let defaultServer: Record<string, string | true> = {};
  for (const { line } of defaultsLines) if (line.keyword === 'default-server') defaultServer = { ...defaultServer, ...parseServerParams(line.args) };
  const servers: HaproxyServer[] = [];
  for (const { line } of own) {
    // default-server applies to the servers declared after it.
    if (line.keyword === 'default-server') defaultServer = { ...defaultServer, ...parseServerParams(line.args) };
    else if (line.keyword === 'server') servers.push(parseServer(line, defaultServer));
  }
  return servers;
}

export function buildProxy(sections: readonly HaproxySection[], section: HaproxySection): HaproxyProxy {
  const resolution = resolveDefaults(sections, section);
  const inherited = resolution.chain.flatMap(tag);
  const own = tag(section);
  const all = [...inherited, ...own];
  const rules = (keyword: string, from: readonly TaggedLine[] = all) => from.filter((t) => t.line.keyword === keyword).map(rule);
  const defaultBackendLine = all.filter((t) => t.line.keyword === 'default_backend' && t.line.args[0]).at(-1);
  const httpResponseRules = rules('http-response');
  const proxy: HaproxyProxy = {
    file: section.file,
    line: section.line,
    kind: section.kind as HaproxyProxyKind,
    name: section.name ?? '',
    section,
    defaultsChain: resolution.chain,
    mode: lastSetting(all, 'mode', DEFAULT_MODE),
    balance: lastSetting(all, 'balance', DEFAULT_BALANCE),
    timeouts: timeoutsOf(all),
    options: optionsOf(all),
    compression: compressionOf(all),
    binds: [
      ...section.extraArgs.filter((a) => /:\d/.test(a)).map((raw) => legacyBind(raw, { file: section.file, line: section.line })),
      ...own.filter((t) => t.line.keyword === 'bind').map((t) => parseBind(t.line)),
    ],
    servers: serversOf(inherited, own),
    acls: all.filter((t) => t.line.keyword === 'acl').map((t) => parseAcl(t.line)),
    useBackends: rules('use_backend', own),
    httpRequestRules: rules('http-request'),
    httpResponseRules,
    httpAfterResponseRules: rules('http-after-response'),
    tcpRequestRules: rules('tcp-request'),
    responseHeaderRules: httpResponseRules.filter((r) => r.action[0] === 'set-header' || r.action[0] === 'add-header'),
    legacyRules: [...rules('redirect', own), ...rules('block', own)],
    problems: resolution.problem ? [resolution.problem] : [],
  };
  if (resolution.defaults) proxy.defaults = resolution.defaults;
  const statsUri = own.filter((t) => t.line.keyword === 'stats' && t.line.args[0] === 'uri' && t.line.args[1] !== undefined).at(-1);
  if (statsUri) proxy.statsUri = { ...statsUri.ref, keyword: 'stats', action: statsUri.line.args };
  if (defaultBackendLine) proxy.defaultBackend = { value: defaultBackendLine.line.args[0]!, source: defaultBackendLine.ref };
  return proxy;
}

/**
 * The HTTP connection mode of a frontend/backend pair (configuration.txt 4, the KAL/SCL/CLO
 * matrix): the stronger of the two, close > server-close > keep-alive.
 */
export function httpConnectionMode(...proxies: readonly HaproxyProxy[]): 'keep-alive' | 'server-close' | 'close' {
  if (proxies.some((p) => p.options.httpclose?.enabled)) return 'close';
  if (proxies.some((p) => p.options['http-server-close']?.enabled)) return 'server-close';
  return 'keep-alive';
}
