/**
 * Which server block nginx hands a request to: first by the address and port the connection
 * arrived on (servers listening on that exact address beat wildcard ones), then by Host among
 * those (see server-name.ts for the order), else the default server for that address:port:
 * the one marked `default_server`, or the first one read.
 */
import type { NginxListen } from './listen.ts';
import type { NginxServer } from './server.ts';
import { normalizeHost, serverNameMatch, type NginxServerName, type ServerNameKind } from './server-name.ts';
import { unbracketHost } from '../host-class.ts';

export interface NginxRequestTarget {
  /** The Host header (a port in it is ignored, as nginx does). Absent: no Host header. */
  host?: string;
  /** The port the client connected to. */
  port: number;
  /** The local address the client connected to; absent: a wildcard listener is assumed. */
  address?: string;
}

export interface ServerSelection {
  server?: NginxServer;
  how: ServerNameKind | 'default_server' | 'first' | 'none';
  matchedName?: NginxServerName;
  /** Listens whose port is an unrendered placeholder, and regexes that cannot be evaluated. */
  undetermined: string[];
}

function listensOn(listen: NginxListen, target: NginxRequestTarget, specific: boolean): boolean {
  if (listen.port !== target.port) return false;
  if (specific) return !listen.wildcard && listen.address !== undefined && unbracketHost(listen.address) === target.address;
  const family = target.address?.includes(':') ? 'ipv6' : 'ipv4';
  return listen.wildcard && listen.family === family;
}

/** Servers listening where the request arrived, each with the listens that matched. */
export function serversForTarget(servers: readonly NginxServer[], target: NginxRequestTarget): { server: NginxServer; listens: NginxListen[] }[] {
  const pick = (specific: boolean) =>
    servers
      .map((server) => ({ server, listens: server.listens.filter((l) => listensOn(l, target, specific)) }))
      .filter((entry) => entry.listens.length > 0);
  if (target.address !== undefined) {
    const specific = pick(true);
    if (specific.length > 0) return specific;
  }
  const wildcard = pick(false);
  if (wildcard.length > 0 || target.address !== undefined) return wildcard;
  // No wildcard listener on the port: take address-specific ones, the address being unknown.
  return servers
    .map((server) => ({ server, listens: server.listens.filter((l) => l.port === target.port) }))
    .filter((entry) => entry.listens.length > 0);
}

export function selectServer(servers: readonly NginxServer[], target: NginxRequestTarget): ServerSelection {
  const undetermined = servers
    .flatMap((s) => s.listens)
    .filter((l) => l.placeholder)
    .map((l) => `${l.file}:${l.line}: listen ${l.raw} is a placeholder; its port is unknown until rendered`);
  let group = serversForTarget(servers, target);
  if (group.length === 0) {
    // `listen ${NGINX_PORT}`: the port is unknown until rendered, so such a server may be the one.
    group = servers.map((server) => ({ server, listens: server.listens.filter((l) => l.placeholder) })).filter((e) => e.listens.length > 0);
    if (group.length === 0) return { how: 'none', undetermined };
  }
  const host = normalizeHost(target.host ?? '');
  for (const kind of ['exact', 'wildcard-head', 'wildcard-tail'] as const) {
    let best: { server: NginxServer; name: NginxServerName; length: number } | undefined;
    for (const { server } of group) {
      for (const name of server.serverNames) {
        const match = serverNameMatch(name, host);
        if (match?.kind === kind && (!best || match.length > best.length)) best = { server, name, length: match.length };
      }
    }
    if (best) return { server: best.server, how: kind, matchedName: best.name, undetermined };
  }
  for (const { server } of group) {
    for (const name of server.serverNames) {
      if (name.kind !== 'regex') continue;
      if (!name.regex) undetermined.push(`${name.file}:${name.line}: ${name.regexError ?? 'regex not evaluated'}`);
      else if (name.regex.test(host)) return { server, how: 'regex', matchedName: name, undetermined };
    }
  }
  const marked = group.find(({ listens }) => listens.some((l) => l.defaultServer));
  if (marked) return { server: marked.server, how: 'default_server', undetermined };
  return { server: group[0]!.server, how: 'first', undetermined };
}
