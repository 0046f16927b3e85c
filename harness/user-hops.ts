/**
 * A user's own config files as boxes of a chain: each file read, its upstream host:port and listen
 * port found, before anything starts; every problem of every file at once. `streamproof validate`
 * and scenario paths naming files (`nginx:./deploy/site.conf`) both start from here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { ProxyKind } from './docker/images.ts';
import { StreamproofError } from './errors.ts';
import type { UpstreamAddress } from './proxies/proxy-handle.ts';
import { TOXIPROXY_API_PORT } from './proxies/toxiproxy-proxy.ts';
import type { UserHop } from './stack.ts';

/** One box of a user's chain as they name it: their file, and its upstream when they give it. */
export interface UserHopSpec {
  kind: ProxyKind;
  file: string;
  /** `host:port` as the user gave it; read from the config when absent. */
  upstream?: string;
}

/** A config's text without `#` comments (both nginx and HAProxy use them). */
export const stripComments = (text: string) => text.replace(/#.*$/gm, '');

function badOptions(problem: string, fix: string): StreamproofError {
  return new StreamproofError('STREAMPROOF_BAD_OPTIONS', problem, fix);
}

export function parseUpstream(value: string): UpstreamAddress {
  const match = /^([A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$/.exec(value.trim());
  if (!match || Number(match[2]) > 65535) {
    throw badOptions(`--upstream must be host:port, got '${value}'`, 'pass the host:port your config proxies to, e.g. --upstream llm-backend:8000');
  }
  return { host: match[1]!, port: Number(match[2]) };
}

/** nginx: `server host:port;` of the upstream block proxy_pass names, else `proxy_pass http://host:port`. */
export function nginxUpstreamOf(site: string): UpstreamAddress | undefined {
  const text = stripComments(site);
  const blocks = new Map<string, string>();
  for (const m of text.matchAll(/\bupstream\s+([\w.-]+)\s*\{([^}]*)\}/g)) blocks.set(m[1]!, m[2]!);
  for (const m of text.matchAll(/\bproxy_pass\s+https?:\/\/([\w.-]+)(?::(\d+))?/g)) {
    const block = blocks.get(m[1]!);
    if (block) {
      const server = /\bserver\s+([\w.-]+):(\d+)/.exec(block);
      if (server) return { host: server[1]!, port: Number(server[2]) };
      continue;
    }
    if (/^\d+\.\d+\.\d+\.\d+$/.test(m[1]!)) continue; // an address cannot be an alias
    return { host: m[1]!, port: m[2] ? Number(m[2]) : 80 };
  }
  return undefined;
}

/** nginx: the first `listen` port (80 when the site has none, as in nginx). */
export function nginxListenPortOf(site: string): number {
  const listen = /(?:^|[{;])\s*listen\s+(?:\S*:)?(\d+)\b/m.exec(stripComments(site));
  return listen ? Number(listen[1]) : 80;
}

/** HAProxy: the first `server name host:port` of a backend or listen section. */
export function haproxyUpstreamOf(cfg: string): UpstreamAddress | undefined {
  const server = /^\s*server\s+\S+\s+"?([A-Za-z][\w.-]*):(\d+)"?/m.exec(stripComments(cfg));
  return server ? { host: server[1]!, port: Number(server[2]) } : undefined;
}

/** HAProxy: the first `bind [addr]:N` port. */
export function haproxyListenPortOf(cfg: string): number | undefined {
  const bind = /^\s*bind\s+\S*?:(\d+)\b/m.exec(stripComments(cfg));
  return bind ? Number(bind[1]) : undefined;
}

export interface ReadHop extends UserHop {
  text: string;
  upstreamGiven: boolean;
}

const configNoun = (kind: ProxyKind) => (kind === 'nginx' ? 'nginx site file' : 'haproxy.cfg');

/**
 * Every hop's file read and understood before anything starts; every problem of every file at once.
 * A box is named after its file; two files of one name on a chain (edge/haproxy.cfg, app/haproxy.cfg)
 * get their folder too.
 */
export function readUserHops(hops: readonly UserHopSpec[]): ReadHop[] {
  const problems: Array<{ problem: string; fix: string }> = [];
  const hopNote = (i: number) => (hops.length > 1 ? `hop ${i + 1}: ` : '');
  const read: Array<Omit<ReadHop, 'name'>> = [];
  for (const [i, hop] of hops.entries()) {
    const file = resolve(hop.file);
    if (!existsSync(file)) {
      problems.push({ problem: `${hopNote(i)}no ${configNoun(hop.kind)} at ${file}`, fix: `pass the path of your ${hop.kind === 'nginx' ? 'nginx site config' : 'haproxy.cfg'}` });
      continue;
    }
    const text = readFileSync(file, 'utf8');
    let upstream: UpstreamAddress | undefined;
    try {
      upstream = hop.upstream ? parseUpstream(hop.upstream) : hop.kind === 'nginx' ? nginxUpstreamOf(text) : haproxyUpstreamOf(text);
    } catch (error) {
      const [problem = '', fix = ''] = (error as Error).message.replace(/^STREAMPROOF_\w+:\s*/, '').split('\nTo fix: ');
      problems.push({ problem: `${hopNote(i)}${problem}`, fix });
    }
    if (!upstream && !hop.upstream) {
      problems.push({
        problem: `${hopNote(i)}found no upstream host:port in ${file} (looked for ${hop.kind === 'nginx' ? '`server host:port;` in an upstream block, or `proxy_pass http://host:port`' : '`server <name> host:port` in a backend'})`,
        fix: `name the host:port your config proxies to: --upstream llm-backend:8000${hops.length > 1 ? ' right after that file' : ''}`,
      });
    }
    const listenPort = hop.kind === 'nginx' ? nginxListenPortOf(text) : haproxyListenPortOf(text);
    if (listenPort === undefined) problems.push({ problem: `${hopNote(i)}found no \`bind :port\` in ${file}`, fix: 'give your frontend a `bind :<port>` line' });
    if (upstream?.port === TOXIPROXY_API_PORT) {
      problems.push({ problem: `${hopNote(i)}upstream port ${TOXIPROXY_API_PORT} is the tap container's API port`, fix: 'use another upstream port in the config' });
    }
    if (upstream && listenPort !== undefined) read.push({ kind: hop.kind, file, text, upstream, listenPort, upstreamGiven: hop.upstream !== undefined });
  }
  // On one network a name reaches one container: each hop's upstream must be a name of its own.
  const hosts = new Map<string, number>();
  for (const [i, hop] of read.entries()) {
    const first = hosts.get(hop.upstream.host);
    if (first !== undefined) {
      problems.push({
        problem: `hops ${first + 1} and ${i + 1} both proxy to the host ${hop.upstream.host}: on the chain's network one name reaches one box`,
        fix: 'give each hop of the chain the upstream name it has in your deployment (--upstream host:port after its file)',
      });
    }
    hosts.set(hop.upstream.host, i);
  }
  if (problems.length > 0) {
    const fixes = [...new Set(problems.map((p) => p.fix))];
    throw badOptions(problems.length === 1 ? problems[0]!.problem : `${problems.length} problems:\n  ${problems.map((p) => p.problem).join('\n  ')}`, fixes.join('; '));
  }
  const baseName = (hop: Omit<ReadHop, 'name'>) => basename(hop.file).replace(/\.(conf|cfg)$/, '');
  const names = read.map((hop) => {
    const clash = read.filter((other) => other.kind === hop.kind && baseName(other) === baseName(hop)).length > 1;
    return clash ? `${basename(dirname(hop.file))}/${baseName(hop)}` : baseName(hop);
  });
  return read.map((hop, i) => ({ ...hop, name: names.indexOf(names[i]!) === i ? names[i]! : `${names[i]}-${i + 1}` }));
}
