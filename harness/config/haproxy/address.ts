/**
 * Addresses on `bind` and `server` lines: `host:port`, `:80`, `*:443`, `0.0.0.0:8888`,
 * `127.0.0.1:2020`, `[::1]:80`, `ipv6@::1:80` (the port is after the last colon), port ranges
 * `2000-2100`, offsets `+1`, sockets `/run/x.sock`, `unix@x`, `abns@x`, `fd@3`, and `${VAR}`.
 */
import { classifyHost, type HostClass } from '../host-class.ts';

export interface HaproxyAddress {
  raw: string;
  /** Family/socket prefix without the `@`: ipv4, ipv6, unix, abns, fd, sockpair, quic4, ... */
  prefix?: string;
  /** Host part as written (may be empty: all addresses). */
  host: string;
  port?: number;
  /** `2000-2100`: first and last port. */
  portRange?: [number, number];
  /** `+1` / `-1`: server port relative to the port the client connected to. */
  portOffset?: number;
  /** A socket path or fd, for non-IP prefixes. */
  socket?: string;
  /** Listens on / targets every address: empty, `*`, `0.0.0.0`, `::`. */
  wildcard: boolean;
  hostClass: HostClass;
  /** Holds `${VAR}`: known only where HAProxy runs. */
  hasEnv: boolean;
}

const SOCKET_PREFIXES = new Set(['unix', 'abns', 'abnsz', 'fd', 'sockpair']);

export function parseHaproxyAddress(raw: string): HaproxyAddress {
  let rest = raw;
  let prefix: string | undefined;
  const at = /^([a-z0-9]+)@/.exec(rest);
  if (at) {
    prefix = at[1];
    rest = rest.slice(at[0].length);
  }
  const hasEnv = raw.includes('$');
  if ((prefix && SOCKET_PREFIXES.has(prefix)) || rest.startsWith('/')) {
    return { raw, prefix, host: rest, socket: rest, wildcard: false, hostClass: 'unix', hasEnv };
  }
  let host = rest;
  let portText = '';
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(':');
    const looksLikeBareV6 = prefix !== 'ipv6' && rest.split(':').length > 2 && !/:\d+$/.test(rest);
    if (colon >= 0 && !looksLikeBareV6) {
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
    }
  }
  const address: HaproxyAddress = {
    raw,
    prefix,
    host,
    wildcard: host === '' || host === '*' || host === '0.0.0.0' || host === '::',
    hostClass: host === '' || host === '*' ? 'loopback' : classifyHost(host),
    hasEnv,
  };
  const range = /^(\d+)-(\d+)$/.exec(portText);
  if (/^\d+$/.test(portText)) address.port = Number(portText);
  else if (range) {
    address.portRange = [Number(range[1]), Number(range[2])];
    address.port = Number(range[1]);
  } else if (/^[+-]\d+$/.test(portText)) address.portOffset = Number(portText);
  return address;
}

/** Whether an address (of a bind line) accepts connections on `port` at `address`. */
export function addressAccepts(bound: HaproxyAddress, port: number, address?: string): boolean {
  const ports = bound.portRange ?? (bound.port !== undefined ? [bound.port, bound.port] : undefined);
  if (!ports || port < ports[0] || port > ports[1]) return false;
  return bound.wildcard || address === undefined || bound.host === address;
}
