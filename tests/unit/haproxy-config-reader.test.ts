import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  HaproxyConfigSyntaxError,
  compressesContentType,
  haproxyBackend,
  haproxyFrontend,
  haproxyTimeMs,
  httpConnectionMode,
  parseHaproxyAddress,
  readHaproxyConfig,
  readHaproxyConfigText,
  routeHaproxyConfigRequest,
  sectionLabel,
  tokenizeHaproxyLine,
  type HaproxyConfig,
  type HaproxyRequest,
  type HaproxyRoute,
} from '../../harness/config/haproxy/index.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/real-world/', import.meta.url));

function lineOf(relative: string, text: string): number {
  const index = readFileSync(FIXTURES + relative, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${text} not in ${relative}`);
  return index + 1;
}

function fixture(relative: string): HaproxyConfig {
  return readHaproxyConfig(FIXTURES + relative);
}

function cfg(text: string): HaproxyConfig {
  return readHaproxyConfigText(text, '/etc/haproxy/haproxy.cfg');
}

/** `backend <name>`, `rejected@<line>`, `answered <action>@<line>`, or the outcome kind. */
function served(route: HaproxyRoute): string {
  const { outcome } = route;
  if (outcome.kind === 'backend') return `backend ${outcome.name}`;
  if (outcome.kind === 'rejected') return `rejected@${outcome.rule.line}`;
  if (outcome.kind === 'answered') return `answered ${outcome.action}@${outcome.rule.line}`;
  return outcome.kind;
}

function route(config: HaproxyConfig, request: Partial<HaproxyRequest> & { port: number }): HaproxyRoute {
  return routeHaproxyConfigRequest(config, { path: '/', ...request });
}

describe('HAProxy quoting and escaping (configuration.txt 2.2)', () => {
  const words = (line: string, env?: Record<string, string>) => tokenizeHaproxyLine(line, 'f.cfg', 1, { env }).words;

  test('the documented equivalent log-format spellings give one identical word', () => {
    const expected = ['log-format', '%{+Q}o %t %s %{-Q}r'];
    expect(words('log-format %{+Q}o\\ %t\\ %s\\ %{-Q}r')).toEqual(expected);
    expect(words('log-format "%{+Q}o %t %s %{-Q}r"')).toEqual(expected);
    expect(words("log-format '%{+Q}o %t %s %{-Q}r'")).toEqual(expected);
    expect(words('log-format "%{+Q}o %t"\' %s %{-Q}r\'')).toEqual(expected);
    expect(words('log-format "%{+Q}o %t"\' %s\'\\ %{-Q}r')).toEqual(expected);
  });

  test('"#" starts a comment even inside a word, unless quoted or escaped', () => {
    expect(words('global#this is the global section')).toEqual(['global']);
    expect(words('mode http   # or tcp')).toEqual(['mode', 'http']);
    expect(words('http-request set-header X "a # b" # c')).toEqual(['http-request', 'set-header', 'X', 'a # b']);
    expect(words('acl a path_beg /\\#x')).toEqual(['acl', 'a', 'path_beg', '/#x']);
  });

  test('backslashes: known escapes resolved, others kept (regex back-references); nothing inside single quotes', () => {
    expect(words('reqrep "^([^\\ :]*)\\ /static/(.*)" \\1\\ /\\2')).toEqual(['reqrep', '^([^ :]*) /static/(.*)', '\\1 /\\2']);
    expect(words("acl re path_reg '^/v1\\.(x)$'")).toEqual(['acl', 're', 'path_reg', '^/v1\\.(x)$']);
    expect(words('http-request set-header X \\x41\\tB')).toEqual(['http-request', 'set-header', 'X', 'A\tB']);
    expect(words('x "say \\"hi\\"" \'it"s\'')).toEqual(['x', 'say "hi"', 'it"s']);
  });

  test('environment variables expand in double quotes only, and only when values are given', () => {
    expect(tokenizeHaproxyLine('bind "fd@${FD_APP1}"', 'f', 1)).toEqual({ words: ['bind', 'fd@${FD_APP1}'], envRefs: ['FD_APP1'] });
    expect(words('bind "fd@${FD_APP1}"', { FD_APP1: '3' })).toEqual(['bind', 'fd@3']);
    expect(words('log "${LOG-127.0.0.1}:514"', {})).toEqual(['log', '127.0.0.1:514']);
    expect(words("x '${NOT_EXPANDED}'", { NOT_EXPANDED: 'v' })).toEqual(['x', '${NOT_EXPANDED}']);
  });

  test('an unmatched quote is refused with file and line', () => {
    expect(() => cfg('global\n  log "stdout local0\n')).toThrow(HaproxyConfigSyntaxError);
    try {
      cfg('global\n  log "stdout local0\n');
    } catch (error) {
      expect(error).toMatchObject({ line: 2, problem: 'unmatched double quote' });
    }
  });
});

describe('HAProxy time values (configuration.txt 2.5)', () => {
  test.each([
    ['5000', 5000],
    ['50000ms', 50_000],
    ['30s', 30_000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['4h', 14_400_000],
    ['1d', 86_400_000],
    ['100us', 0.1],
  ])('%s → %d ms', (value, ms) => expect(haproxyTimeMs(value)).toBe(ms));
  test.each(['1m30s', 'abc', '${T}', ''])('%s is not a time value', (value) => expect(haproxyTimeMs(value)).toBeUndefined());
});

describe('sections and defaults inheritance', () => {
  const config = cfg(`global
  maxconn 100
defaults
  mode http
  timeout server 10s
  option http-server-close
defaults long
  mode http
  timeout server 1h
  option abortonclose
defaults longer from long
  timeout client 2h
resolvers dns
  nameserver ns 127.0.0.11:53
frontend fe from long
  bind :8080
  default_backend be
backend be
  no option http-server-close
  server s 127.0.0.1:9000
backend explicit from longer
  server s [::1]:9001 ssl
defaults
  timeout server 5s
backend after
  option http-server-close
  default option abortonclose
`);

  test('sections, opaque ones included, with names and from', () => {
    expect(config.sections.map(sectionLabel)).toEqual([
      'global',
      'defaults',
      'defaults long',
      'defaults longer',
      'resolvers dns',
      'frontend fe',
      'backend be',
      'backend explicit',
      'defaults',
      'backend after',
    ]);
    expect(config.sections[3]).toMatchObject({ from: 'long' });
    expect(config.sections[4]!.lines[0]).toMatchObject({ keyword: 'nameserver', args: ['ns', '127.0.0.11:53'] });
  });

  test('a proxy takes the last defaults before it, or the one named by from (through from chains)', () => {
    // `be` follows `defaults longer from long`: the last defaults section before it, and its chain.
    const be = haproxyBackend(config, 'be')!;
    expect(be.defaults ? sectionLabel(be.defaults) : undefined).toBe('defaults longer');
    expect(be.defaultsChain.map(sectionLabel)).toEqual(['defaults long', 'defaults longer']);
    expect(be.timeouts.server).toMatchObject({ ms: 3_600_000, source: { line: 9, section: 'defaults long' } });
    const explicit = haproxyBackend(config, 'explicit')!;
    expect(explicit.defaultsChain.map(sectionLabel)).toEqual(['defaults long', 'defaults longer']);
    expect(explicit.timeouts.client.ms).toBe(7_200_000);
    expect(explicit.timeouts.server.ms).toBe(3_600_000);
    expect(haproxyFrontend(config, 'fe')!.defaults!.name).toBe('long');
    expect(haproxyBackend(config, 'after')!.timeouts.server).toMatchObject({ ms: 5000, source: { section: 'defaults' } });
  });

  test('options: inherited, "no option" turns off, "default option" restores the built-in state', () => {
    expect(haproxyBackend(config, 'be')!.options.abortonclose).toMatchObject({ enabled: true, source: { section: 'defaults long' } });
    expect(haproxyBackend(config, 'be')!.options['http-server-close']).toMatchObject({ enabled: false, source: { section: 'backend be' } });
    const after = haproxyBackend(config, 'after')!;
    expect(after.options['http-server-close']!.enabled).toBe(true);
    expect(after.options.abortonclose).toMatchObject({ enabled: false, source: 'default' });
  });

  test('unset timeouts: infinite, or the one HAProxy falls back to', () => {
    const be = haproxyBackend(config, 'be')!;
    expect(be.timeouts.connect).toMatchObject({ source: 'default', appliedMs: null });
    const explicit = haproxyBackend(config, 'explicit')!;
    expect(explicit.timeouts['http-request']).toMatchObject({ source: 'default', appliedMs: 7_200_000, appliedFrom: 'client' });
    expect(explicit.timeouts['http-keep-alive']).toMatchObject({ appliedMs: 7_200_000, appliedFrom: 'client' });
    expect(be.mode).toMatchObject({ value: 'http' });
    expect(cfg('backend b\n  server s 1.2.3.4:80\n').proxies[0]!.mode).toEqual({ value: 'tcp', source: 'default' });
  });

  test('a from naming no defaults section is reported', () => {
    const broken = cfg('backend b from nowhere\n  server s 1.2.3.4:80\n');
    expect(broken.diagnostics).toContainEqual(expect.objectContaining({ line: 1, message: `'from' names no defaults section "nowhere"` }));
  });

  test('HTTP connection mode of a pair: the stronger option wins', () => {
    const fe = haproxyFrontend(config, 'fe')!;
    expect(httpConnectionMode(fe, haproxyBackend(config, 'be')!)).toBe('keep-alive');
    expect(httpConnectionMode(fe, haproxyBackend(config, 'after')!)).toBe('server-close');
  });
});

describe('addresses, binds and servers', () => {
  test.each([
    [':80', { host: '', port: 80, wildcard: true }],
    ['*:443', { host: '*', port: 443, wildcard: true }],
    ['0.0.0.0:8888', { host: '0.0.0.0', port: 8888, wildcard: true }],
    ['127.0.0.1:2020', { host: '127.0.0.1', port: 2020, hostClass: 'loopback' }],
    ['[::1]:80', { host: '::1', port: 80, hostClass: 'loopback' }],
    ['ipv6@::1:80', { prefix: 'ipv6', host: '::1', port: 80 }],
    ['10.0.0.1:2000-2100', { port: 2000, portRange: [2000, 2100] }],
    ['backend.local:+1', { host: 'backend.local', portOffset: 1, hostClass: 'name' }],
    ['/run/haproxy.sock', { socket: '/run/haproxy.sock', hostClass: 'unix' }],
    ['"${BACKEND}:80"', { hasEnv: true, hostClass: 'variable' }],
  ])('%s', (raw, expected) => expect(parseHaproxyAddress(raw.replace(/"/g, ''))).toMatchObject(expected));

  test('default-server parameters apply to later servers unless overridden', () => {
    const config = cfg('defaults\n  default-server inter 1s check\nbackend b\n  default-server maxconn 10\n  server a 10.0.0.1:80 no-check weight 5\n  server c api:80 ssl backup\n');
    const [a, c] = haproxyBackend(config, 'b')!.servers;
    expect(a).toMatchObject({ check: false, weight: 5, maxconn: 10, hostClass: 'ip' });
    expect(a!.fromDefaultServer.sort()).toEqual(['inter', 'maxconn']);
    expect(c).toMatchObject({ check: true, ssl: true, backup: true, hostClass: 'name' });
  });
});

describe('ACL evaluation for routing (configuration.txt 7)', () => {
  const config = cfg(`frontend fe
  mode http
  bind :80
  bind :443 ssl crt /c.pem
  acl host_api   hdr(host) -i api.example.com
  acl host_dom   hdr_dom(host) -i dom.test
  acl host_beg   hdr_beg(host) -i demo.
  acl p_exact    path /exact
  acl p_end      path_end .json
  acl p_reg      path_reg ^/v[0-9]+/chat
  acl p_sub      path_sub /stream/
  acl rh         req.hdr(host) -m beg REQ.
  acl b          base_beg base.test/x
  acl tls        ssl_fc
  acl unknown    var(txn.x) -m str y
  acl listed     src -f /etc/haproxy/allow.lst
  use_backend api    if host_api
  use_backend dom    if host_dom
  use_backend demo   if host_beg !tls
  use_backend exact  if p_exact
  use_backend json   if p_end
  use_backend chat   if p_reg
  use_backend sub    if p_sub || rh
  use_backend base   if b
  use_backend tls    if tls { path_beg /secure }
  use_backend unk    if unknown
  use_backend src    if listed
  use_backend anon   unless { path_beg / }
  default_backend def
backend api
backend dom
backend demo
backend exact
backend json
backend chat
backend sub
backend base
backend tls
backend unk
backend src
backend anon
backend def
`);
  const pick = (request: Partial<HaproxyRequest> & { port?: number }) => served(route(config, { port: 80, ...request }));

  test('hdr(host) -i: exact, case-insensitive', () => expect(pick({ host: 'API.example.com' })).toBe('backend api'));
  test('hdr_dom: whole dot-separated words', () => {
    expect(pick({ host: 'www.dom.test' })).toBe('backend dom');
    expect(pick({ host: 'www.notdom.test' })).toBe('backend def');
  });
  test('hdr_beg and a negated ACL', () => {
    expect(pick({ host: 'demo.x' })).toBe('backend demo');
    expect(pick({ host: 'demo.x', port: 443 })).toBe('backend def');
  });
  test('path, path_end, path_reg, path_sub (query string ignored)', () => {
    expect(pick({ path: '/exact?x=1' })).toBe('backend exact');
    expect(pick({ path: '/a/b.json' })).toBe('backend json');
    expect(pick({ path: '/v1/chat/completions' })).toBe('backend chat');
    expect(pick({ path: '/a/stream/b' })).toBe('backend sub');
  });
  test('"||" between terms; req.hdr with -m beg, case-sensitive without -i', () => {
    expect(pick({ host: 'REQ.example' })).toBe('backend sub');
    expect(pick({ host: 'req.example' })).toBe('backend def');
  });
  test('base = Host + path', () => expect(pick({ host: 'base.test', path: '/x/y' })).toBe('backend base'));
  test('ssl_fc from the bind that took the connection, AND with an anonymous ACL', () => {
    expect(pick({ port: 443, path: '/secure/a' })).toBe('backend tls');
    expect(pick({ port: 80, path: '/secure/a' })).toBe('backend def');
  });
  test('unknown criteria and pattern files are reported as "cannot evaluate", not guessed', () => {
    const result = route(config, { port: 80, path: '/nothing' });
    expect(served(result)).toBe('backend def');
    expect(result.undetermined).toEqual([
      expect.stringMatching(/acl unknown: cannot evaluate \(sample fetch "var" is not evaluated\)/),
      expect.stringContaining('use_backend unk'),
      expect.stringMatching(/acl listed: cannot evaluate \(patterns are read from \/etc\/haproxy\/allow\.lst\)/),
      expect.stringContaining('use_backend src'),
    ]);
  });
  test('no frontend on the port', () => expect(pick({ port: 81 })).toBe('no-frontend'));
});

describe('real-world haproxy.cfg files (tests/fixtures/real-world)', () => {
  test('sockjs-node: 1.x address on the frontend line, client timeout raised in the frontend, server timeout per backend', () => {
    const c = fixture('sockjs-node/haproxy.cfg');
    const fe = haproxyFrontend(c, 'all')!;
    expect(fe.binds[0]).toMatchObject({ raw: '0.0.0.0:8888', legacy: true });
    expect(c.diagnostics).toContainEqual(expect.objectContaining({ line: lineOf('sockjs-node/haproxy.cfg', 'frontend all'), message: expect.stringContaining('1.x syntax') }));
    expect(fe.timeouts.client).toMatchObject({ ms: 120_000, source: { section: 'frontend all' } });
    expect(fe.options['http-server-close']!.enabled).toBe(true);
    expect(fe.options['http-pretend-keepalive']!.enabled).toBe(true);
    const echo = route(c, { port: 8888, path: '/echo/websocket' });
    expect(served(echo)).toBe('backend sockjs');
    if (echo.outcome.kind !== 'backend') throw new Error('expected a backend');
    expect(echo.outcome.backend!.timeouts.server.ms).toBe(120_000);
    expect(echo.outcome.backend!.servers[0]).toMatchObject({ host: '127.0.0.1', port: 9999, hostClass: 'loopback' });
    expect(echo.outcome.backend!.balance.value).toBe('uri depth 2');
    expect(served(route(c, { port: 8888, path: '/stats' }))).toBe('backend stats');
    const other = route(c, { port: 8888, path: '/v1/chat/completions' });
    expect(served(other)).toBe('backend static');
    if (other.outcome.kind !== 'backend') throw new Error('expected a backend');
    expect(other.outcome.backend!.timeouts.server).toMatchObject({ ms: 5000, source: { section: 'defaults', line: lineOf('sockjs-node/haproxy.cfg', 'timeout server  5s') } });
  });

  test('socket.io haproxy: listen → default_backend nodes, defaults with default-server, nbproc refused', () => {
    const c = fixture('socket.io/haproxy.cfg');
    const r = route(c, { port: 80, path: '/socket.io/?EIO=4' });
    expect(served(r)).toBe('backend nodes');
    if (r.outcome.kind !== 'backend') throw new Error('expected a backend');
    const nodes = r.outcome.backend!;
    expect(nodes.servers.map((s) => `${s.host}:${s.port}`)).toEqual(['server-john:3000', 'server-paul:3000', 'server-george:3000', 'server-ringo:3000']);
    expect(nodes.servers.every((s) => s.check && s.params.cookie !== undefined && s.fromDefaultServer.includes('inter'))).toBe(true);
    expect(nodes.timeouts.server.ms).toBe(30_000);
    expect(nodes.timeouts.tunnel.ms).toBe(3_600_000);
    expect(nodes.balance).toMatchObject({ value: 'roundrobin', source: { section: 'defaults' } });
    expect(nodes.options['http-server-close']!.enabled).toBe(true);
    expect(c.diagnostics).toContainEqual(expect.objectContaining({ line: lineOf('socket.io/haproxy.cfg', 'nbproc'), message: expect.stringContaining('2.5') }));
  });

  test('haproxy basic-config-edge: named defaults, port 80 redirected, 443 to app1, text/ compression covers SSE', () => {
    const c = fixture('haproxy-examples/basic-config-edge.cfg');
    expect(c.sections.map(sectionLabel)).toContain('cache cache');
    const pub1 = haproxyFrontend(c, 'pub1')!;
    expect(pub1.defaults!.name).toBe('http');
    expect(pub1.binds.map((b) => [b.raw, b.ssl, b.crt, b.alpn, b.name])).toEqual([
      [':80', false, [], [], 'clear'],
      [':443', true, ['pub1.pem'], ['h2', 'http/1.1'], 'secure'],
    ]);
    // The `cache cache` section's lines stay in that section.
    expect(pub1.section.lines.map((l) => l.keyword)).not.toContain('total-max-size');
    expect(served(route(c, { port: 80, path: '/v1/chat/completions' }))).toBe(`answered redirect@${lineOf('haproxy-examples/basic-config-edge.cfg', 'http-request redirect scheme https')}`);
    const tls = route(c, { port: 443, path: '/v1/chat/completions' });
    expect(served(tls)).toBe('backend app1');
    if (tls.outcome.kind !== 'backend') throw new Error('expected a backend');
    const app1 = tls.outcome.backend!;
    expect(app1.balance.value).toBe('random');
    expect(app1.options.abortonclose!.enabled).toBe(true);
    expect(app1.servers.map((s) => [s.host, s.port, s.hostClass, s.maxconn])).toEqual([
      ['192.0.2.1', 80, 'ip', 100],
      ['192.0.2.2', 80, 'ip', 100],
      ['192.0.2.3', 80, 'ip', 100],
      ['192.0.2.4', 80, 'ip', 100],
    ]);
    expect(app1.timeouts.server).toMatchObject({ ms: 60_000, source: { section: 'defaults http', line: lineOf('haproxy-examples/basic-config-edge.cfg', 'timeout server 1m') } });
    expect(app1.timeouts['http-keep-alive'].ms).toBe(120_000);
    expect(app1.timeouts.queue.ms).toBe(15_000);
    expect(app1.timeouts.tunnel.ms).toBe(14_400_000);
    expect(pub1.compression).toMatchObject({ algorithms: ['deflate', 'gzip'], types: ['text/', 'application/javascript', 'application/xhtml+xml', 'image/x-icon'] });
    expect(compressesContentType(pub1, app1, 'text/event-stream')).toBe(true);
    expect(compressesContentType(pub1, app1, 'application/json')).toBe(false);
  });

  test('haproxy acl-content-sw: Host-header ACLs, several defaults sections, 1.x keywords refused', () => {
    const c = fixture('haproxy-examples/acl-content-sw.cfg');
    expect(served(route(c, { port: 80, host: 'demo.example.com', path: '/' }))).toBe('backend demo');
    expect(served(route(c, { port: 80, host: 'WWW2.example.com', path: '/' }))).toBe('backend www2');
    expect(served(route(c, { port: 80, host: 'example.com', path: '/' }))).toBe('backend www');
    // `acl forbidden_uris path_dir -i chat ...` matches the "chat" path segment: blocked.
    expect(served(route(c, { port: 80, host: 'example.com', path: '/v1/chat/completions' }))).toBe(`rejected@${lineOf('haproxy-examples/acl-content-sw.cfg', 'block if forbidden_uris')}`);
    const www = haproxyBackend(c, 'www')!;
    expect(www.defaults).toBeUndefined();
    expect(www.timeouts.server).toMatchObject({ ms: 20_000, raw: '20000', source: { section: 'backend www' } });
    expect(www.servers.map((s) => [s.host, s.backup])).toEqual([['192.168.12.2', false], ['192.168.11.2', true]]);
    expect(haproxyBackend(c, 'www2')!.defaults!.name).toBe('non_standard_bck');
    expect(haproxyBackend(c, 'www2')!.timeouts.server).toMatchObject({ ms: 20_000, source: { section: 'defaults non_standard_bck' } });
    expect(haproxyBackend(c, 'demo')!.defaults!.name).toBe('none');
    expect(haproxyBackend(c, 'demo')!.timeouts.server).toMatchObject({ source: 'default', appliedMs: null });
    const refused = new Set(c.diagnostics.map((d) => d.message.split("'")[1]));
    expect([...refused].sort()).toEqual(['block', 'clitimeout', 'contimeout', 'redispatch', 'reqirep', 'rspadd', 'rspidel', 'rspirep', 'srvtimeout']);
  });

  test('ailocal openai-proxy: path ACLs pick local or remote backends; everything else to backend_local', () => {
    const c = fixture('ailocal-openai-proxy/openai-proxy.cfg');
    const fe = haproxyFrontend(c, 'ailocal_proxy')!;
    expect(fe.binds[0]!.addresses[0]).toMatchObject({ host: '127.0.0.1', port: 2020, hostClass: 'loopback' });
    const backendOf = (path: string) => {
      const r = route(c, { port: 2020, path });
      return r.outcome.kind === 'backend' ? r.outcome.backend! : undefined;
    };
    expect(backendOf('/v1/chat/completions')!.servers[0]).toMatchObject({ host: 'studio', port: 11434, ssl: false, hostClass: 'name' });
    expect(backendOf('/v1/audio/speech')!.servers[0]).toMatchObject({ host: 'studio', port: 8880 });
    expect(backendOf('/v1/audio/transcriptions')!.servers[0]).toMatchObject({ host: 'api.ailocal.org', port: 443, ssl: true });
    expect(backendOf('/v1/models')!.name).toBe('backend_openai');
    expect(backendOf('/')!.name).toBe('backend_local');
    expect(backendOf('/health')!.name).toBe('backend_local');
    expect(backendOf('/')!.servers).toEqual([]);
    const chat = backendOf('/v1/chat/completions')!;
    expect(chat.timeouts.server).toMatchObject({ ms: 50_000, raw: '50000', source: { section: 'defaults' } });
    expect(chat.options['http-server-close']!.enabled).toBe(true);
  });

  test('ailocal conf.d: every backend is api.openai.com over TLS; no default_backend for other paths', () => {
    const c = fixture('ailocal-openai-proxy/conf.d/openai-proxy.cfg');
    expect(new Set(c.backends.flatMap((b) => b.servers.map((s) => `${s.host}:${s.port}:${s.ssl}`)))).toEqual(new Set(['api.openai.com:443:true']));
    expect(served(route(c, { port: 2020, path: '/v1/chat/completions' }))).toBe('backend backend_chat_completions');
    expect(served(route(c, { port: 2020, path: '/' }))).toBe('no-backend');
    expect(haproxyFrontend(c, 'openai_proxy')!.httpResponseRules.map((r) => r.action[0])).toEqual(['set-header', 'return', 'set-header', 'return']);
  });
});
