/**
 * proxy_pass targets, read as ngx_http_proxy_pass() does: `http://` (port 80) or `https://`
 * (port 443), then host[:port] and an optional URI part. A target with variables is only known
 * at run time. A host naming an upstream block (with no port: nginx refuses `upstream "x" may
 * not have port`) goes to that block's servers.
 */
import type { NginxDirective, SourceRef } from './ast.ts';
import { classifyHost, type HostClass } from '../host-class.ts';
import type { NginxLocation } from './location.ts';
import type { NginxServer } from './server.ts';
import { splitHostPort, type NginxUpstream } from './upstreams.ts';

export interface NginxProxyTarget extends SourceRef {
  /** As written, e.g. `http://api:5001`, `http://127.0.0.1:7800/`, `http://$backend`. */
  raw: string;
  scheme: string;
  host: string;
  /** The port written in the URL, if any. */
  port?: number;
  /** The port nginx connects to: written, else 80/443 by scheme (undefined for an upstream block or unix socket). */
  effectivePort?: number;
  /** The URI part (`/api`, `/`), which replaces the matched location prefix; undefined when absent. */
  uri?: string;
  hostClass: HostClass;
  /** Contains `$` (nginx variable or unrendered `${TEMPLATE}` placeholder). */
  hasVariables: boolean;
  /** The upstream block this names, if any. */
  upstream?: NginxUpstream;
  /** nginx refuses this target: an upstream block's name used with a port. */
  invalid?: string;
}

export interface NginxProxyPass {
  target: NginxProxyTarget;
  directive: NginxDirective;
  server: NginxServer;
  location?: NginxLocation;
  /** Written inside an `if` block of the location: only used when the condition holds. */
  conditional: boolean;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443, grpc: 80, grpcs: 443 };

export function parseProxyTarget(raw: string, ref: SourceRef, upstreams: readonly NginxUpstream[]): NginxProxyTarget {
  const hasVariables = raw.includes('$');
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw);
  const scheme = schemeMatch ? schemeMatch[1]!.toLowerCase() : '';
  const rest = schemeMatch ? raw.slice(schemeMatch[0].length) : raw;
  let authority: string;
  let uri: string | undefined;
  if (rest.startsWith('unix:')) {
    // http://unix:/path/to.sock:/uri — the socket path ends at the next colon.
    const colon = rest.indexOf(':', 5);
    authority = colon < 0 ? rest : rest.slice(0, colon);
    uri = colon < 0 ? undefined : rest.slice(colon + 1);
  } else {
    const slash = rest.indexOf('/');
    authority = slash < 0 ? rest : rest.slice(0, slash);
    uri = slash < 0 ? undefined : rest.slice(slash);
  }
  const { host, port, explicitPort } = splitHostPort(authority, undefined);
  const target: NginxProxyTarget = { file: ref.file, line: ref.line, raw, scheme, host, hostClass: classifyHost(host), hasVariables };
  if (explicitPort && port !== undefined) target.port = port;
  if (uri !== undefined) target.uri = uri;
  const upstream = hasVariables ? undefined : upstreams.find((u) => u.name.toLowerCase() === host.toLowerCase());
  if (upstream && explicitPort) target.invalid = `upstream "${upstream.name}" may not have port ${port}`;
  if (upstream && !explicitPort) target.upstream = upstream;
  else if (!host.startsWith('unix:')) target.effectivePort = target.port ?? DEFAULT_PORTS[scheme];
  return target;
}

/** proxy_pass directives written directly in a location or in its `if` blocks. */
function proxyPassesIn(directives: readonly NginxDirective[], conditional: boolean): { directive: NginxDirective; conditional: boolean }[] {
  return directives.flatMap((d) => {
    if (d.name === 'proxy_pass') return [{ directive: d, conditional }];
    if ((d.name === 'if' || d.name === 'limit_except') && d.block) return proxyPassesIn(d.block, conditional || d.name === 'if');
    return [];
  });
}

/** Every proxy_pass of every location of the given servers, in file order. */
export function collectProxyPasses(servers: readonly NginxServer[], upstreams: readonly NginxUpstream[]): NginxProxyPass[] {
  const out: NginxProxyPass[] = [];
  const visit = (server: NginxServer, locations: readonly NginxLocation[]): void => {
    for (const location of locations) {
      for (const { directive, conditional } of proxyPassesIn(location.directive.block ?? [], false)) {
        out.push({ target: parseProxyTarget(directive.args[0] ?? '', directive, upstreams), directive, server, location, conditional });
      }
      visit(server, location.children);
    }
  };
  for (const server of servers) visit(server, server.locations);
  return out;
}
