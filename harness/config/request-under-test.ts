/**
 * The request `validate` streams through a user's file (POST /v1/chat/completions, Host 127.0.0.1
 * on the listen port, as the harness's client sends it) and what the file does with it: which
 * server and location serve it, the upstream it proxies to, and every upstream host the file
 * names. The real readers answer (harness/config/nginx, harness/config/haproxy), not regexes.
 */
import type { UpstreamAddress } from '../proxies/proxy-handle.ts';
import { classifyHost } from './host-class.ts';
import { describeLocation, readNginxConfigText, routeNginxRequest, type NginxConfig, type NginxConfigKind, type NginxEffectiveSettings, type NginxProxyTarget, type NginxServerName } from './nginx/index.ts';
import { readHaproxyConfigText, routeHaproxyConfigRequest } from './haproxy/index.ts';
import { haproxyTlsFiles } from './haproxy/tls-files.ts';
import { nginxTlsFiles } from './nginx/tls-files.ts';
import { noTlsFileNeeds, type TlsFileNeeds } from './tls-needs.ts';

export const CHAT_PATH = '/v1/chat/completions';
/** The Host header of the harness's client: it connects to 127.0.0.1:<published port>. */
export const CLIENT_HOST = '127.0.0.1';

/** The request validate streams through a file: its path (`--path`) and Host header (`--host`). */
export interface TestRequest {
  path: string;
  host: string;
}

export const DEFAULT_REQUEST: TestRequest = { path: CHAT_PATH, host: CLIENT_HOST };

/** `POST /v1/chat/completions`, with the Host when it is not the client's own. */
export const describeRequest = (request: TestRequest) => `POST ${request.path}${request.host === CLIENT_HOST ? '' : ` (Host ${request.host})`}`;

export interface NginxRequestUnderTest {
  /** `server api.example.com (site.conf:7), location /v1/ (site.conf:15)`, for people. */
  servedBy: string;
  settings?: NginxEffectiveSettings;
  /** Where the serving location proxies to; undefined when it does not proxy (a static or return location). */
  upstream?: UpstreamAddress;
  /** The line of the block that serves it (the location, else the server): where a missing directive goes. */
  blockLine: number;
}

const where = (ref: { file: string; line: number }) => `${ref.file.split('/').pop()}:${ref.line}`;

function targetAddress(target: NginxProxyTarget | undefined): UpstreamAddress | undefined {
  if (!target || target.hasVariables) return undefined;
  if (target.upstream) {
    const server = target.upstream.servers.find((s) => !s.backup && !s.down && s.port !== undefined) ?? target.upstream.servers.find((s) => s.port !== undefined);
    return server ? { host: server.host, port: server.port! } : undefined;
  }
  return target.effectivePort === undefined || target.hostClass === 'unix' ? undefined : { host: target.host, port: target.effectivePort };
}

function readNginx(file: string, text: string): NginxConfig | undefined {
  try {
    return readNginxConfigText(text, file);
  } catch {
    return undefined; // a file nginx itself refuses: nginx says why when it starts
  }
}

/** A whole nginx.conf, a conf.d site file, or a snippet for inside server {} / location {}; and its `${NAME}` placeholders. */
export function nginxFileShape(file: string, text: string): { kind: NginxConfigKind; placeholders: string[] } | undefined {
  const config = readNginx(file, text);
  return config && { kind: config.kind, placeholders: [...new Set(config.placeholders.map((p) => p.name))] };
}

export function nginxRequestUnderTest(file: string, text: string, listenPort: number, nginxVersion: string, request: TestRequest = DEFAULT_REQUEST): NginxRequestUnderTest | undefined {
  const config = readNginx(file, text);
  if (!config) return undefined;
  const route = routeNginxRequest(config, { host: request.host, port: listenPort, path: request.path }, { nginxVersion });
  const server = route.selection.server;
  if (!server) return undefined;
  const location = route.match?.location;
  const fallback = route.fallback;
  const servedBy = [`server at ${where(server.directive)}`, location ? `${describeLocation(location)} (${where(location.directive)})` : 'no location', fallback ? `then ${describeLocation(fallback.location)} (${where(fallback.location.directive)})` : '']
    .filter(Boolean)
    .join(', ');
  const upstream = targetAddress(route.proxyTarget) ?? targetAddress(fallback?.proxyTarget);
  const settings = route.proxyTarget ? route.settings : (fallback?.settings ?? route.settings);
  const blockLine = (route.proxyTarget ? location : (fallback?.location ?? location))?.directive.line ?? server.directive.line;
  return { servedBy, blockLine, ...(settings ? { settings } : {}), ...(upstream ? { upstream } : {}) };
}

/** A Host a server_name accepts: the name itself, or one a wildcard matches; none for a regex or the catch-all. */
function hostFor(name: NginxServerName): string | undefined {
  if (name.kind === 'exact') return name.name && name.name !== '_' ? name.name : undefined;
  if (name.kind === 'wildcard-head') return name.alsoExact ? name.name : `streamproof.${name.name}`;
  if (name.kind === 'wildcard-tail') return `${name.name}.test`;
  return undefined;
}

/**
 * The Host validate sends when `--host` is not given: the client's own (127.0.0.1) when the
 * server it reaches proxies the path; else the first name a server on the listen port accepts
 * that does (a default server that only redirects or serves files, the API on its own name).
 */
export function nginxDefaultHost(file: string, text: string, listenPort: number, nginxVersion: string, path: string): string {
  const config = readNginx(file, text);
  if (!config) return CLIENT_HOST;
  const names = config.servers.filter((server) => server.listens.some((listen) => listen.port === listenPort)).flatMap((server) => server.serverNames.flatMap((name) => hostFor(name) ?? []));
  const proxies = (host: string) => nginxRequestUnderTest(file, text, listenPort, nginxVersion, { path, host })?.upstream !== undefined;
  return [CLIENT_HOST, ...names].find(proxies) ?? CLIENT_HOST;
}

/** Every host name (not address) the file proxies to: each must resolve for the proxy to start. */
export function upstreamNamesOf(kind: 'nginx' | 'haproxy', file: string, text: string): string[] {
  const hosts: string[] = [];
  if (kind === 'nginx') {
    const config = readNginx(file, text);
    if (!config) return [];
    for (const pass of config.proxyPasses) if (!pass.target.upstream) hosts.push(pass.target.host);
    for (const upstream of config.upstreams) for (const server of upstream.servers) hosts.push(server.host);
  } else {
    try {
      for (const proxy of readHaproxyConfigText(text, file).proxies) for (const server of proxy.servers) hosts.push(server.host);
    } catch {
      return [];
    }
  }
  return [...new Set(hosts.filter((host) => classifyHost(host) === 'name'))];
}

export interface HaproxyRequestUnderTest {
  /** `backend llm (haproxy.cfg:31), by use_backend at haproxy.cfg:22`, or what answered instead. */
  servedBy: string;
  upstream?: UpstreamAddress;
  /** The line of the backend (or listen section) that serves it: where a missing directive goes. */
  blockLine?: number;
  /** The line of the `timeout server` that applies to it, when the file writes one. */
  timeoutServerLine?: number;
}

/** HAProxy: the backend that POST /v1/chat/completions reaches through the file's frontend rules, and its first server. */
export function haproxyRequestUnderTest(file: string, text: string, listenPort: number, request: TestRequest = DEFAULT_REQUEST): HaproxyRequestUnderTest | undefined {
  let config;
  try {
    config = readHaproxyConfigText(text, file);
  } catch {
    return undefined;
  }
  const route = routeHaproxyConfigRequest(config, { port: listenPort, host: request.host, path: request.path, method: 'POST', src: '172.17.0.1', headers: { 'content-type': 'application/json', accept: 'text/event-stream' } });
  const outcome = route.outcome;
  if (outcome.kind === 'rejected') return { servedBy: `no backend: rejected by ${outcome.rule.keyword} at ${where(outcome.rule)}` };
  if (outcome.kind === 'answered') return { servedBy: `no backend: answered by ${outcome.rule.keyword} ${outcome.action} at ${where(outcome.rule)}` };
  if (outcome.kind === 'no-frontend') return { servedBy: `no backend: no frontend binds port ${listenPort}` };
  if (outcome.kind === 'no-backend') return { servedBy: 'no backend: no use_backend matches and there is no default_backend' };
  const backend = outcome.backend;
  const by = outcome.by === 'default_backend' || outcome.by === 'listen' ? outcome.by : `${outcome.by.keyword} at ${where(outcome.by)}`;
  const servedBy = `${backend ? `${backend.kind} ${backend.name} (${where(backend)})` : `backend ${outcome.name}`}, by ${by}`;
  const server = backend?.servers.find((s) => !s.backup && !s.disabled && s.port !== undefined) ?? backend?.servers.find((s) => s.port !== undefined);
  const timeoutServer = backend?.timeouts.server.source;
  return {
    servedBy,
    ...(backend ? { blockLine: backend.line } : {}),
    ...(timeoutServer && timeoutServer !== 'default' ? { timeoutServerLine: timeoutServer.line } : {}),
    ...(server ? { upstream: { host: server.host, port: server.port! } } : {}) };
}

/** Whether the port speaks TLS: an nginx `listen … ssl` or an HAProxy `bind … ssl` on it. */
export function portIsTls(kind: 'nginx' | 'haproxy', file: string, text: string, port: number): boolean {
  if (kind === 'nginx') return readNginx(file, text)?.servers.some((server) => server.listens.some((listen) => listen.port === port && listen.ssl)) ?? false;
  try {
    return readHaproxyConfigText(text, file).frontends.some((frontend) => frontend.binds.some((bind) => bind.ssl && bind.addresses.some((address) => address.port === port)));
  } catch {
    return false;
  }
}

/** The TLS files the file names, where its proxy will look for them (`configDir`: where HAProxy's config sits). */
export function tlsFileNeedsOf(kind: 'nginx' | 'haproxy', file: string, text: string, configDir: string): TlsFileNeeds {
  if (kind === 'nginx') {
    const config = readNginx(file, text);
    return config ? nginxTlsFiles(config) : noTlsFileNeeds();
  }
  try {
    return haproxyTlsFiles(readHaproxyConfigText(text, file), configDir);
  } catch {
    return noTlsFileNeeds();
  }
}

/** The user's files an nginx config includes, where nginx opens each (they go into the container there). */
export function nginxIncludedFiles(file: string, text: string): Array<{ localPath: string; nginxPath: string }> {
  const config = readNginx(file, text);
  if (!config) return [];
  const seen = new Map<string, string>();
  for (const include of config.includes) include.files.forEach((localPath, i) => seen.set(include.nginxPaths[i]!, localPath));
  return [...seen].map(([nginxPath, localPath]) => ({ localPath, nginxPath }));
}

/** Every port the config's servers listen on, includes read, in order (80 for a server without listen). */
export function nginxListenPorts(file: string, text: string): number[] | undefined {
  const config = readNginx(file, text);
  if (!config) return undefined;
  return [...new Set(config.servers.flatMap((server) => server.listens.flatMap((listen) => (listen.port === undefined ? [] : [listen.port]))))];
}
