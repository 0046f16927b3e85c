/** `upstream name { server host:port params; ... }` blocks of the http context. */
import type { NginxDirective, SourceRef } from './ast.ts';
import { classifyHost, type HostClass } from '../host-class.ts';

export interface NginxUpstreamServer extends SourceRef {
  /** The address as written: `127.0.0.1:3000`, `backend.local`, `unix:/tmp/app.sock`. */
  address: string;
  host: string;
  /** Explicit port, or 80 (nginx's default for upstream servers); undefined for unix sockets. */
  port?: number;
  hostClass: HostClass;
  /** Every parameter: `weight=5` → { weight: '5' }, `backup` → { backup: true }. */
  params: Record<string, string | true>;
  backup: boolean;
  down: boolean;
  weight: number;
}

export interface NginxUpstream extends SourceRef {
  name: string;
  servers: NginxUpstreamServer[];
  /** `keepalive N` (idle connections kept per worker), if set. */
  keepalive?: number;
  /** Load-balancing method: ip_hash, least_conn, hash, random, ...; round-robin when none. */
  balancing: string;
  directive: NginxDirective;
}

const BALANCING = ['ip_hash', 'least_conn', 'least_time', 'hash', 'random', 'sticky'];

/** Split `host:port`, `[v6]:port`, `unix:/path` the way nginx's ngx_parse_url does. */
export function splitHostPort(address: string, defaultPort: number | undefined): { host: string; port?: number; explicitPort: boolean } {
  if (address.startsWith('unix:')) return { host: address, explicitPort: false };
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    const rest = address.slice(close + 1);
    const port = /^:\d+$/.test(rest) ? Number(rest.slice(1)) : undefined;
    return { host: address.slice(0, close + 1), port: port ?? defaultPort, explicitPort: port !== undefined };
  }
  const match = /^(.*):(\d+)$/.exec(address);
  if (match) return { host: match[1]!, port: Number(match[2]), explicitPort: true };
  return { host: address, port: defaultPort, explicitPort: false };
}

function parseUpstreamServer(directive: NginxDirective): NginxUpstreamServer {
  const [address = '', ...rest] = directive.args;
  const params: Record<string, string | true> = {};
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq < 0) params[param] = true;
    else params[param.slice(0, eq)] = param.slice(eq + 1);
  }
  const { host, port } = splitHostPort(address, 80);
  const server: NginxUpstreamServer = {
    file: directive.file,
    line: directive.line,
    address,
    host,
    hostClass: classifyHost(host),
    params,
    backup: params.backup === true,
    down: params.down === true,
    weight: typeof params.weight === 'string' ? Number(params.weight) : 1,
  };
  if (port !== undefined) server.port = port;
  return server;
}

export function parseUpstream(directive: NginxDirective): NginxUpstream {
  const block = directive.block ?? [];
  const keepalive = block.find((d) => d.name === 'keepalive')?.args[0];
  const upstream: NginxUpstream = {
    file: directive.file,
    line: directive.line,
    name: directive.args[0] ?? '',
    servers: block.filter((d) => d.name === 'server' && !d.block).map(parseUpstreamServer),
    balancing: block.find((d) => BALANCING.includes(d.name))?.name ?? 'round-robin',
    directive,
  };
  if (keepalive !== undefined && /^\d+$/.test(keepalive)) upstream.keepalive = Number(keepalive);
  return upstream;
}
