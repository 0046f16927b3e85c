/**
 * What kind of host an upstream names. It decides what the harness must do to put its own tap
 * in the path: a loopback address cannot be redirected by DNS inside a container, an IP literal
 * needs an address rewrite, a name can simply be made to resolve to the tap.
 * Shared by the nginx and HAProxy readers.
 */
import { BlockList, isIP } from 'node:net';

/** Addresses that reach the proxy's own machine (or every local address, for the unspecified ones). */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('0.0.0.0', 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addAddress('::', 'ipv6');

export type HostClass =
  /** 127.0.0.0/8, ::1, localhost (and *.localhost), or an unspecified address (0.0.0.0, ::). */
  | 'loopback'
  /** Any other IPv4 or IPv6 literal. */
  | 'ip'
  /** A DNS name (or a docker-compose service name). */
  | 'name'
  /** A unix-domain socket path. */
  | 'unix'
  /** Contains a variable or template placeholder: only known at run time or after rendering. */
  | 'variable';

/** Strip the brackets of an IPv6 literal (`[::1]` → `::1`). */
export function unbracketHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export function classifyHost(rawHost: string): HostClass {
  if (rawHost.includes('$')) return 'variable';
  if (rawHost.startsWith('unix:') || rawHost.startsWith('/')) return 'unix';
  const host = unbracketHost(rawHost).toLowerCase().replace(/\.$/, '');
  const family = isIP(host);
  if (family !== 0) return LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6') ? 'loopback' : 'ip';
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  return 'name';
}
