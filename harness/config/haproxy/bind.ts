/** `bind` lines: where a frontend listens, with TLS (`ssl crt ...`) and ALPN. */
import { parseHaproxyAddress, type HaproxyAddress } from './address.ts';
import type { HaproxyLine, SourceRef } from './parser.ts';

export interface HaproxyBind extends SourceRef {
  raw: string;
  /** One per comma-separated address of the line. */
  addresses: HaproxyAddress[];
  ssl: boolean;
  /** `crt` paths (a file or a directory), in order; relative ones are resolved by HAProxy. */
  crt: string[];
  crtList: string[];
  /** `alpn h2,http/1.1` → ['h2', 'http/1.1']. */
  alpn: string[];
  name?: string;
  /** Every parameter: value-taking ones with their value, flags as true. */
  params: Record<string, string | true>;
  /** Taken from the section line (`frontend name 0.0.0.0:8888`, HAProxy 1.x syntax). */
  legacy?: true;
}

/** Bind parameters that take a value (configuration.txt 5.1). */
const VALUE_PARAMS = new Set([
  'crt', 'crt-list', 'alpn', 'npn', 'name', 'ca-file', 'ca-verify-file', 'ciphers', 'ciphersuites', 'curves', 'ecdhe', 'id',
  'interface', 'level', 'maxconn', 'mode', 'nice', 'proto', 'process', 'ssl-min-ver', 'ssl-max-ver', 'tcp-ut', 'user', 'group',
  'uid', 'gid', 'verify', 'crl-file', 'backlog', 'mss', 'namespace', 'thread', 'shards', 'label', 'quic-cc-algo', 'severity-output',
  'sigalgs', 'client-sigalgs', 'ocsp-update', 'accept-netscaler-cip', 'expose-fd', 'tcp-md5sig', 'idle-ping', 'guid-prefix',
]);

export function parseBind(line: HaproxyLine): HaproxyBind {
  const [raw = '', ...rest] = line.args;
  const bind: HaproxyBind = {
    file: line.file,
    line: line.line,
    raw,
    addresses: raw.split(',').filter((a) => a !== '').map(parseHaproxyAddress),
    ssl: false,
    crt: [],
    crtList: [],
    alpn: [],
    params: {},
  };
  for (let i = 0; i < rest.length; i++) {
    const key = rest[i]!;
    if (VALUE_PARAMS.has(key) && i + 1 < rest.length) {
      const value = rest[++i]!;
      bind.params[key] = value;
      if (key === 'crt') bind.crt.push(value);
      else if (key === 'crt-list') bind.crtList.push(value);
      else if (key === 'alpn') bind.alpn = value.split(',');
      else if (key === 'name') bind.name = value;
    } else {
      bind.params[key] = true;
      if (key === 'ssl') bind.ssl = true;
    }
  }
  return bind;
}

/** The address on a 1.x-style section line, as a bind. */
export function legacyBind(raw: string, ref: SourceRef): HaproxyBind {
  return { ...ref, raw, addresses: raw.split(',').map(parseHaproxyAddress), ssl: false, crt: [], crtList: [], alpn: [], params: {}, legacy: true };
}
