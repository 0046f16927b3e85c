/**
 * A user's own config files as boxes of a chain: each file read, its upstream host:port and listen
 * port found, before anything starts; every problem of every file at once. `streamproof validate`
 * and scenario paths naming files (`nginx:./deploy/site.conf`) both start from here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, posix, resolve } from 'node:path';
import type { ProxyKind } from './docker/images.ts';
import { classifyHost, unbracketHost, type HostClass } from './config/host-class.ts';
import { CHAT_PATH, CLIENT_HOST, describeRequest, haproxyRequestUnderTest, nginxDefaultHost, nginxFileShape, nginxRequestUnderTest, portIsTls, tlsFileNeedsOf, upstreamNamesOf, nginxIncludedFiles, nginxListenPorts, type TestRequest } from './config/request-under-test.ts';
import { needsAnyTlsFile } from './config/tls-needs.ts';
import { HAPROXY_CONFIG_PATH } from './proxies/haproxy-config.ts';
import { StreamproofError, type ErrorCode } from './errors.ts';
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

const NGINX_LISTEN = /(?:^|[{;])\s*listen\s+(?:\S*:)?(\d+)\b/gm;

/** nginx: the first `listen` port (80 when the site has none, as in nginx). */
export function nginxListenPortOf(site: string): number {
  return nginxListenPortsOf(site)[0] ?? 80;
}

/** nginx: every `listen` port of the file, in order. */
export function nginxListenPortsOf(site: string): number[] {
  return [...stripComments(site).matchAll(NGINX_LISTEN)].map((m) => Number(m[1]));
}

/**
 * A loopback upstream the file proxies to (`proxy_pass http://127.0.0.1:3000`, `server s1
 * localhost:11434`), when the readers found no routed upstream: inside the proxy's container that
 * is the container itself, so its tap joins the box's network namespace (Stack.userPath).
 */
export function loopbackUpstreamOf(kind: ProxyKind, text: string): UpstreamAddress | undefined {
  return upstreamOfClass(kind, text, 'loopback');
}

/** The first upstream the file names (proxy_pass, upstream server, HAProxy server) whose host is of that class. */
function upstreamOfClass(kind: ProxyKind, text: string, hostClass: HostClass): UpstreamAddress | undefined {
  const targets =
    kind === 'nginx'
      ? [...stripComments(text).matchAll(/\b(?:proxy_pass\s+https?:\/\/|server\s+)(\[[^\]]+\]|[\w.-]+)(?::(\d+))?/g)]
      : [...stripComments(text).matchAll(/^\s*server\s+\S+\s+"?(\[[^\]]+\]|[\w.-]+):(\d+)/gm)];
  const found = targets.find((m) => classifyHost(m[1]!) === hostClass);
  return found ? { host: unbracketHost(found[1]!), port: found[2] ? Number(found[2]) : 80 } : undefined;
}

/** HAProxy 1.x: the listening address on the section line (`frontend all 0.0.0.0:8888`), with its line number. */
function legacyFrontendAddress(text: string): { line: number; text: string } | undefined {
  const lines = stripComments(text).split('\n');
  const index = lines.findIndex((line) => /^\s*(?:frontend|listen)\s+\S+\s+\S*:\d+/.test(line));
  return index < 0 ? undefined : { line: index + 1, text: lines[index]!.trim() };
}

/** HAProxy: the first `server name host:port` of a backend or listen section. */
export function haproxyUpstreamOf(cfg: string): UpstreamAddress | undefined {
  const server = /^\s*server\s+\S+\s+"?([A-Za-z][\w.-]*):(\d+)"?/m.exec(stripComments(cfg));
  return server ? { host: server[1]!, port: Number(server[2]) } : undefined;
}

/** HAProxy: the first `bind [addr]:N` port. */
export function haproxyListenPortOf(cfg: string): number | undefined {
  return haproxyListenPortsOf(cfg)[0];
}

/** HAProxy: every `bind [addr]:N` port of the file, in order. */
export function haproxyListenPortsOf(cfg: string): number[] {
  return [...stripComments(cfg).matchAll(/^\s*bind\s+\S*?:(\d+)\b/gm)].map((m) => Number(m[1]));
}

export interface ReadHop extends UserHop {
  text: string;
  upstreamGiven: boolean;
  moreAliases: string[];
  /** The request this hop is read for: the client's on the first hop (`--path`, `--host`). */
  request: TestRequest;
}

/** The request under test as the command line gives it; what is absent is chosen per file. */
export interface RequestChoice {
  /** Default: the OpenAI chat path. */
  path?: string;
  /** Default: 127.0.0.1, or the first server_name that proxies the path (nginxDefaultHost). */
  host?: string;
}

/** Every port the file listens on, in order: nginx's reader follows includes; the patterns are the fallback. */
function listenPortsOf(kind: ProxyKind, file: string, text: string): number[] {
  return [...new Set(kind === 'nginx' ? (nginxListenPorts(file, text) ?? nginxListenPortsOf(text)) : haproxyListenPortsOf(text))];
}

/**
 * Where the request under test comes in: the first listen port whose server (nginx) or frontend
 * (HAProxy) proxies it, else the first port; the request as read there, and where it goes.
 */
function entryOf(kind: ProxyKind, file: string, text: string, choice: RequestChoice, first: boolean): { listenPort: number | undefined; request: TestRequest; upstream?: UpstreamAddress } {
  const ports = listenPortsOf(kind, file, text);
  if (kind === 'nginx' && ports.length === 0) ports.push(80);
  const at = (listenPort: number) => {
    const request = requestFor(kind, file, text, listenPort, choice, first);
    const upstream = kind === 'nginx' ? nginxRequestUnderTest(file, text, listenPort, '1.22.1', request)?.upstream : haproxyRequestUnderTest(file, text, listenPort, request)?.upstream;
    return { listenPort, request, ...(upstream ? { upstream } : {}) };
  };
  const entries = ports.map(at);
  return entries.find((entry) => entry.upstream !== undefined) ?? entries[0] ?? { listenPort: undefined, request: requestFor(kind, file, text, undefined, choice, first) };
}

/**
 * The request a hop is read for. The client's Host reaches the first hop only; an inner hop gets
 * what the box before it sends, unknown here, so it is read with the Host its file proxies.
 */
function requestFor(kind: ProxyKind, file: string, text: string, listenPort: number | undefined, choice: RequestChoice, first: boolean): TestRequest {
  const path = choice.path ?? CHAT_PATH;
  if (first && choice.host !== undefined) return { path, host: choice.host };
  return { path, host: kind === 'nginx' && listenPort !== undefined ? nginxDefaultHost(file, text, listenPort, '1.22.1', path) : CLIENT_HOST };
}

const configNoun = (kind: ProxyKind) => (kind === 'nginx' ? 'nginx site file' : 'haproxy.cfg');

/**
 * Every hop's file read and understood before anything starts; every problem of every file at once.
 * A box is named after its file; two files of one name on a chain (edge/haproxy.cfg, app/haproxy.cfg)
 * get their folder too.
 */
export function readUserHops(hops: readonly UserHopSpec[], choice: RequestChoice = {}): ReadHop[] {
  const problems: Array<{ problem: string; fix: string; code?: ErrorCode }> = [];
  const hopNote = (i: number) => (hops.length > 1 ? `hop ${i + 1}: ` : '');
  const read: Array<Omit<ReadHop, 'name'>> = [];
  for (const [i, hop] of hops.entries()) {
    const file = resolve(hop.file);
    if (!existsSync(file)) {
      problems.push({ problem: `${hopNote(i)}no ${configNoun(hop.kind)} at ${file}`, fix: `pass the path of your ${hop.kind === 'nginx' ? 'nginx site config' : 'haproxy.cfg'}` });
      continue;
    }
    const text = readFileSync(file, 'utf8');
    // validate places a file in conf.d/ beside the stock nginx.conf: nginx would refuse a whole
    // nginx.conf or a snippet there, and the refusal would blame a line that is right where it belongs.
    const shape = hop.kind === 'nginx' ? nginxFileShape(file, text) : undefined;
    const nginxKind = shape?.kind;
    if (nginxKind === 'snippet') {
      problems.push({
        code: 'STREAMPROOF_CANNOT_TEST',
        problem: `${hopNote(i)}${file} is a snippet for inside server {} or location {} (it has no server {} block); validate runs a site file in conf.d/, or a whole nginx.conf (no verdict: nothing to test on its own)`,
        fix: 'pass the site file or nginx.conf that includes this snippet',
      });
      continue;
    }
    if (shape && shape.placeholders.length > 0) {
      problems.push({
        code: 'STREAMPROOF_CANNOT_TEST',
        problem: `${hopNote(i)}${file} is a template: it holds ${shape.placeholders.map((name) => `\${${name}}`).join(', ')}, which its container fills in before nginx reads it (nginx would refuse them as written: no verdict)`,
        fix: 'render it as your deployment does, with your values (e.g. `envsubst < default.conf.template > site.conf`), and pass the rendered file',
      });
      continue;
    }
    let upstream: UpstreamAddress | undefined;
    // The upstream of the location (nginx) or backend (HAProxy) that serves the request under
    // test, not the first proxy_pass or server line of the file; on the first port whose server
    // proxies it (`listen 80` that only redirects, then `listen 443 ssl` that proxies).
    const entry = entryOf(hop.kind, file, text, choice, i === 0);
    const { listenPort, request } = entry;
    const routed = hop.upstream ? undefined : entry.upstream;
    const tls = listenPort !== undefined && portIsTls(hop.kind, file, text, listenPort);
    const tlsFiles = tlsFileNeedsOf(hop.kind, file, text, posix.dirname(HAPROXY_CONFIG_PATH));
    for (const unsupported of tlsFiles.unsupported) {
      problems.push({
        code: 'STREAMPROOF_CANNOT_TEST',
        problem: `${hopNote(i)}${file}:${unsupported.line}: ${unsupported.what}: ${unsupported.why}, so streamproof cannot put a throwaway certificate there (no verdict)`,
        fix: 'test a copy that names the certificate files themselves',
      });
    }
    try {
      const routedUsable = routed && ['name', 'loopback'].includes(classifyHost(routed.host)) ? routed : undefined;
      upstream = hop.upstream ? parseUpstream(hop.upstream) : (routedUsable ?? (hop.kind === 'nginx' ? nginxUpstreamOf(text) : haproxyUpstreamOf(text)) ?? loopbackUpstreamOf(hop.kind, text));
    } catch (error) {
      const [problem = '', fix = ''] = (error as Error).message.replace(/^STREAMPROOF_\w+:\s*/, '').split('\nTo fix: ');
      problems.push({ problem: `${hopNote(i)}${problem}`, fix });
    }
    const loopback = upstream !== undefined && classifyHost(upstream.host) === 'loopback';
    // A loopback upstream on a port the file listens on is the proxy itself (nginx in front of
    // itself): streamproof's tap cannot listen there beside it.
    const ownPorts = listenPortsOf(hop.kind, file, text);
    const toItself = loopback && ownPorts.includes(upstream!.port);
    if (toItself) {
      problems.push({
        code: 'STREAMPROOF_CANNOT_TEST',
        problem: `${hopNote(i)}${file} proxies ${describeRequest(request)} to ${upstream!.host}:${upstream!.port}, a port it listens on itself: the request goes round through the same proxy, and streamproof's tap cannot listen on that port beside it (no verdict)`,
        fix: 'pass the file (or server {} block) the inner request reaches, or --upstream host:port naming the model server the chain ends at',
      });
    } else if (!upstream && !hop.upstream && upstreamOfClass(hop.kind, text, 'ip')) {
      const address = upstreamOfClass(hop.kind, text, 'ip')!;
      problems.push({
        code: 'STREAMPROOF_CANNOT_TEST',
        problem: `${hopNote(i)}${file} proxies to ${address.host}:${address.port}, another host's address: streamproof reaches its mock LLM through a name it resolves to its tap, or through the proxy's own loopback, never through another host's address (no verdict)`,
        fix: `test a copy whose servers name the host (e.g. \`server srv1 app1:${address.port}\`): every name resolves to streamproof's tap`,
      });
    } else if (!upstream && !hop.upstream) {
      problems.push({
        problem: `${hopNote(i)}found no upstream host:port in ${file} (looked for ${hop.kind === 'nginx' ? '`server host:port;` in an upstream block, or `proxy_pass http://host:port`' : '`server <name> host:port` in a backend'})`,
        fix: `name the host:port your config proxies to: --upstream llm-backend:8000${hops.length > 1 ? ' right after that file' : ''}`,
      });
    }
    const legacy = listenPort === undefined && hop.kind === 'haproxy' ? legacyFrontendAddress(text) : undefined;
    if (legacy) {
      problems.push({
        code: 'STREAMPROOF_PROXY_CONFIG',
        problem: `${hopNote(i)}line ${legacy.line} of ${file} (\`${legacy.text}\`) puts the listening address on the section line, HAProxy 1.x syntax: HAProxy 2.x refuses it ("please use the 'bind' keyword for listening addresses", measured on 2.6)`,
        fix: `move the address to a \`bind\` line of that section (e.g. \`bind ${/\S*:\d+/.exec(legacy.text.split(/\s+/).slice(2).join(' '))?.[0] ?? ':8080'}\`)`,
      });
    } else if (listenPort === undefined) problems.push({ problem: `${hopNote(i)}found no \`bind :port\` in ${file}`, fix: 'give your frontend a `bind :<port>` line' });
    if (upstream?.port === TOXIPROXY_API_PORT || (loopback && listenPort === TOXIPROXY_API_PORT)) {
      problems.push({ problem: `${hopNote(i)}${upstream?.port === TOXIPROXY_API_PORT ? 'upstream' : 'listen'} port ${TOXIPROXY_API_PORT} is the tap container's API port`, fix: `use another ${upstream?.port === TOXIPROXY_API_PORT ? 'upstream' : 'listen'} port in a copy of the config` });
    }
    if (upstream && listenPort !== undefined && !toItself) {
      const includedFiles = hop.kind === 'nginx' ? nginxIncludedFiles(file, text) : [];
      read.push({
        kind: hop.kind,
        file,
        text,
        upstream,
        listenPort,
        request,
        upstreamGiven: hop.upstream !== undefined,
        moreAliases: upstreamNamesOf(hop.kind, file, text),
        ...(loopback ? { loopbackUpstream: true } : {}),
        ...(tls ? { tls } : {}),
        ...(needsAnyTlsFile(tlsFiles) ? { tlsFiles } : {}),
        ...(nginxKind === 'nginx.conf' ? { wholeNginxConf: true } : {}),
        ...(includedFiles.length > 0 ? { includedFiles } : {}),
      });
    }
  }
  // On one network a name reaches one container: each hop's upstream must be a name of its own
  // (a loopback upstream is the hop's own namespace, never the network's).
  const hosts = new Map<string, number>();
  for (const [i, hop] of read.entries()) {
    if (hop.loopbackUpstream) continue;
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
    const codes = new Set(problems.map((p) => p.code ?? 'STREAMPROOF_BAD_OPTIONS'));
    const code = codes.size === 1 ? [...codes][0]! : 'STREAMPROOF_BAD_OPTIONS';
    const problem = problems.length === 1 ? problems[0]!.problem : `${problems.length} problems:\n  ${problems.map((p) => p.problem).join('\n  ')}`;
    throw new StreamproofError(code, problem, fixes.join('; '));
  }
  // Every other name a file proxies to resolves to its tap, so the proxy starts (nginx and HAProxy
  // refuse a file whose upstream names do not resolve); a name another hop's tap carries stays there.
  const taken = new Set(read.map((hop) => hop.upstream.host));
  for (const hop of read) hop.moreAliases = hop.moreAliases.filter((name) => !taken.has(name));
  const baseName = (hop: Omit<ReadHop, 'name'>) => basename(hop.file).replace(/\.(conf|cfg)$/, '');
  const names = read.map((hop) => {
    const clash = read.filter((other) => other.kind === hop.kind && baseName(other) === baseName(hop)).length > 1;
    return clash ? `${basename(dirname(hop.file))}/${baseName(hop)}` : baseName(hop);
  });
  return read.map((hop, i) => ({ ...hop, name: names.indexOf(names[i]!) === i ? names[i]! : `${names[i]}-${i + 1}` }));
}
