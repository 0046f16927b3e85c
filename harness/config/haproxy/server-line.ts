/**
 * `server <name> <address> [params]` lines of a backend, with `default-server` parameters
 * (from the defaults section and the backend itself) applied where the server sets none.
 */
import { parseHaproxyAddress, type HaproxyAddress } from './address.ts';
import type { HaproxyLine, SourceRef } from './parser.ts';
import type { HostClass } from '../host-class.ts';

export interface HaproxyServer extends SourceRef {
  name: string;
  address: HaproxyAddress;
  host: string;
  /** undefined: HAProxy connects to the port the client used (or an offset of it). */
  port?: number;
  hostClass: HostClass;
  ssl: boolean;
  check: boolean;
  backup: boolean;
  disabled: boolean;
  weight?: number;
  maxconn?: number;
  /** All parameters; `fromDefaultServer` names those inherited from default-server lines. */
  params: Record<string, string | true>;
  fromDefaultServer: string[];
}

/** Server parameters that take a value (configuration.txt 5.2). */
const VALUE_PARAMS = new Set([
  'addr', 'agent-addr', 'agent-inter', 'agent-port', 'agent-send', 'alpn', 'ca-file', 'check-alpn', 'check-proto', 'check-sni',
  'ciphers', 'ciphersuites', 'cookie', 'crl-file', 'crt', 'curves', 'downinter', 'error-limit', 'fall', 'fastinter', 'hash-key', 'id',
  'init-addr', 'init-state', 'inter', 'log-proto', 'max-reuse', 'maxconn', 'maxqueue', 'minconn', 'namespace', 'npn', 'on-error',
  'on-marked-down', 'on-marked-up', 'pool-conn-name', 'pool-low-conn', 'pool-max-conn', 'pool-purge-delay', 'port', 'proto', 'redir',
  'resolve-net', 'resolve-opts', 'resolve-prefer', 'resolvers', 'rise', 'send-proxy-v2-options', 'shard', 'sigalgs', 'slowstart',
  'sni', 'source', 'ssl-max-ver', 'ssl-min-ver', 'tcp-ut', 'track', 'verify', 'verifyhost', 'weight', 'ws', 'guid', 'idle-ping',
  'client-sigalgs', 'set-proxy-v2-tlv-fmt', 'strict-maxconn',
]);

/** Parameters of a server or default-server line (the words after the address). */
export function parseServerParams(words: readonly string[]): Record<string, string | true> {
  const params: Record<string, string | true> = {};
  for (let i = 0; i < words.length; i++) {
    const key = words[i]!;
    if (VALUE_PARAMS.has(key) && i + 1 < words.length) params[key] = words[++i]!;
    else params[key] = true;
  }
  return params;
}

/** `no-ssl`, `no-check`, ...: a server switching off what default-server turned on. */
function negated(params: Record<string, string | true>, key: string): boolean {
  return params[`no-${key}`] === true;
}

export function parseServer(line: HaproxyLine, defaultServer: Record<string, string | true>): HaproxyServer {
  const [name = '', raw = '', ...rest] = line.args;
  const own = parseServerParams(rest);
  const fromDefaultServer = Object.keys(defaultServer).filter((key) => !(key in own) && !negated(own, key));
  const params: Record<string, string | true> = { ...Object.fromEntries(fromDefaultServer.map((k) => [k, defaultServer[k]!])), ...own };
  const address = parseHaproxyAddress(raw);
  const server: HaproxyServer = {
    file: line.file,
    line: line.line,
    name,
    address,
    host: address.host,
    hostClass: address.hostClass,
    ssl: params.ssl === true,
    check: params.check === true,
    backup: params.backup === true,
    disabled: params.disabled === true,
    params,
    fromDefaultServer,
  };
  if (address.port !== undefined) server.port = address.port;
  if (typeof params.weight === 'string') server.weight = Number(params.weight);
  if (typeof params.maxconn === 'string') server.maxconn = Number(params.maxconn);
  return server;
}
