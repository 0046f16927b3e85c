import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  NginxConfigSyntaxError,
  classifyHost,
  describeLocation,
  effectiveSettings,
  matchLocation,
  memoryFileSource,
  nginxTimeMs,
  parseNginxConfig,
  readNginxConfig,
  readNginxConfigText,
  routeNginxRequest,
  selectServer,
  type NginxConfig,
  type NginxSettingValue,
} from '../../harness/config/nginx/index.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/real-world/', import.meta.url));
const OLD = { nginxVersion: '1.26.3' };
const NEW = { nginxVersion: '1.30.0' };

/** 1-based line of the first line of a fixture containing `text` (read from the file itself). */
function lineOf(relative: string, text: string): number {
  const index = readFileSync(FIXTURES + relative, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${text} not in ${relative}`);
  return index + 1;
}

/** Every 1-based line of a fixture containing `text`. */
function linesOf(relative: string, text: string): number[] {
  return readFileSync(FIXTURES + relative, 'utf8')
    .split('\n')
    .flatMap((l, i) => (l.includes(text) ? [i + 1] : []));
}

function fixture(relative: string, options: Parameters<typeof readNginxConfig>[1] = {}): NginxConfig {
  return readNginxConfig(FIXTURES + relative, options);
}

/** Where a setting came from, as `file:line` relative to the fixtures, or 'default'. */
function origin(value: NginxSettingValue | undefined): string {
  if (!value) return 'none';
  return value.origin === 'default' ? 'default' : `${value.origin.file.replace(FIXTURES, '')}:${value.origin.line}`;
}

function site(text: string): NginxConfig {
  return readNginxConfigText(text, '/site/app.conf', { files: memoryFileSource({}) });
}

describe('nginx grammar (ngx_conf_read_token rules)', () => {
  test('a quoted ";" does not end the directive, and quotes are removed', () => {
    const [d] = parseNginxConfig('add_header X-A "a; b";\n', 'f.conf');
    expect(d).toMatchObject({ name: 'add_header', args: ['X-A', 'a; b'], line: 1 });
  });

  test('escaped quotes and nginx escapes inside quoted words', () => {
    const [a, b, c] = parseNginxConfig(`return 200 "say \\"hi\\"";\nreturn 200 'it\\'s';\nreturn 200 "a\\tb\\nc\\d";\n`, 'f.conf');
    expect(a!.args[1]).toBe('say "hi"');
    expect(b!.args[1]).toBe("it's");
    expect(c!.args[1]).toBe('a\tb\nc\\d');
  });

  test('"#" inside quotes or inside a word is not a comment; at a word start it is', () => {
    const directives = parseNginxConfig('add_header X "a # b"; # real comment\nset $v a#b; # x;\n', 'f.conf');
    expect(directives.map((d) => d.args)).toEqual([['X', 'a # b'], ['$v', 'a#b']]);
  });

  test('directives on the same line as "location ... {" and a closing brace on it too', () => {
    const [server] = parseNginxConfig('server { location /a { proxy_pass http://x; proxy_buffering off; } }', 'f.conf');
    const location = server!.block![0]!;
    expect(location).toMatchObject({ name: 'location', args: ['/a'] });
    expect(location.block!.map((d) => d.name)).toEqual(['proxy_pass', 'proxy_buffering']);
  });

  test('"{" ends a word, "}" does not, and ${var} keeps its braces', () => {
    const [location, other] = parseNginxConfig('location /api{ return 200 ${host}x; }\nreturn 200 ok};\n', 'f.conf');
    expect(location).toMatchObject({ args: ['/api'] });
    expect(location!.block![0]!.args).toEqual(['200', '${host}x']);
    expect(other!.args).toEqual(['200', 'ok}']);
  });

  test('`if ($a ~* "x")`: a ")" may follow a closing quote and is a word of its own', () => {
    const [d] = parseNginxConfig('if ($http_user_agent ~* "curl|wget") { return 403; }', 'f.conf');
    expect(d!.args).toEqual(['($http_user_agent', '~*', 'curl|wget', ')']);
  });

  test('a multi-line quoted string keeps later line numbers right', () => {
    const [, after] = parseNginxConfig("return 200 '{\n  \"a\": 1\n}';\nproxy_buffering off;\n", 'f.conf');
    expect(after).toMatchObject({ name: 'proxy_buffering', line: 4 });
  });

  test('map blocks: an empty quoted key is a directive named ""', () => {
    const [map] = parseNginxConfig("map $http_upgrade $c { default upgrade; '' close; }", 'f.conf');
    expect(map!.block!.map((d) => [d.name, d.args])).toEqual([['default', ['upgrade']], ['', ['close']]]);
  });

  test('Lua blocks are read as Lua: braces in strings and comments do not close them', () => {
    const text = 'location /l {\n  content_by_lua_block {\n    -- a } in a comment\n    ngx.say("}{")\n    local t = { [[ } ]] }\n  }\n  proxy_buffering off;\n}\n';
    const [location] = parseNginxConfig(text, 'f.conf');
    const [lua, after] = location!.block!;
    expect(lua!.luaCode).toContain('ngx.say("}{")');
    expect(after).toMatchObject({ name: 'proxy_buffering', line: 7 });
  });

  test.each([
    ['server {\n  listen 80;\n}\n}\n', 4, 'unexpected "}"'],
    ['server {\n  listen 80;\n', 3, 'unexpected end of file, expecting "}"'],
    ['listen 80', 1, 'unexpected end of file, expecting ";" or "}"'],
    ['add_header X "a"b;\n', 1, 'unexpected "b"'],
    ['server {\n  ;\n}\n', 2, 'unexpected ";"'],
    ['server {\n  listen 80 }\n', 2, 'unexpected "}"'],
    ['return 200 "open\n', 2, 'unexpected end of file, expecting ";" or "}"'],
  ])('refuses what nginx refuses, naming file:line (%#)', (text, line, problem) => {
    let error: unknown;
    try {
      parseNginxConfig(text, '/etc/nginx/x.conf');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(NginxConfigSyntaxError);
    expect(error).toMatchObject({ file: '/etc/nginx/x.conf', line, problem });
    expect((error as Error).message).toBe(`${problem} in /etc/nginx/x.conf:${line}`);
  });

  test('a lone ${NAME} line is refused unless the file is read as an envsubst template', () => {
    const text = 'server {\n    ${HTTPS_CONFIG}\n}\n';
    expect(() => parseNginxConfig(text, 'f.conf')).toThrow(NginxConfigSyntaxError);
    const [server] = parseNginxConfig(text, 'f.conf', { templatePlaceholders: true });
    expect(server!.block).toEqual([{ name: '${HTTPS_CONFIG}', args: [], file: 'f.conf', line: 2, placeholder: true }]);
  });
});

describe('nginx time values in ms (ngx_parse_time)', () => {
  test.each([
    ['1h', 3_600_000],
    ['300s', 300_000],
    ['90', 90_000],
    ['1m30s', 90_000],
    ['1m 30s', 90_000],
    ['500ms', 500],
    ['1d', 86_400_000],
    ['1800', 1_800_000],
  ])('%s → %d ms', (value, ms) => expect(nginxTimeMs(value)).toBe(ms));

  test.each(['${NGINX_PROXY_READ_TIMEOUT}', '${T}s', '30s1m', '1y', '1M', 'abc', '', 's'])('%s is not a literal time value', (value) => {
    expect(nginxTimeMs(value)).toBeUndefined();
  });
});

describe('location matching (ngx_http_core_find_location)', () => {
  const server = site(`server {
    listen 80;
    location / { return 200 root; }
    location /v1/ { proxy_pass http://a; }
    location = /v1/models { return 200 models; }
    location ^~ /static/ { root /srv; }
    location ~* \\.(png|jpg)$ { expires 1d; }
    location ~ ^/v1/chat { proxy_pass http://chat; }
    location /api/ {
        location ~ /api/stream$ { proxy_buffering off; }
        location /api/v2/ { proxy_pass http://v2; }
    }
    location ~ ^/api/v2/special { proxy_pass http://special; }
    location @fallback { proxy_pass http://fb; }
}`).servers[0]!;
  const at = (path: string) => {
    const match = matchLocation(server, path);
    return `${match.how} ${match.location ? describeLocation(match.location) : '-'}`;
  };

  test('"location /" before "location /v1/": the longest prefix wins regardless of order', () => {
    expect(at('/v1/completions')).toBe('prefix location /v1/');
  });
  test('an exact match wins at once', () => expect(at('/v1/models')).toBe('exact location = /v1/models'));
  test('a regex beats the longest prefix when that prefix has no ^~', () => expect(at('/v1/chat/completions')).toBe('regex location ~ ^/v1/chat'));
  test('^~ stops the regex search', () => expect(at('/static/logo.png')).toBe('prefix-noregex location ^~ /static/'));
  test('~* is case-insensitive', () => expect(at('/img/A.PNG')).toBe('regex location ~* \\.(png|jpg)$'));
  test('regexes nested in the matched prefix are tried first', () => expect(at('/api/stream')).toBe('regex location ~ /api/stream$'));
  test('a regex of the outer level still beats a nested prefix', () => expect(at('/api/v2/special')).toBe('regex location ~ ^/api/v2/special'));
  test('a nested prefix serves when no regex matches', () => expect(at('/api/v2/x')).toBe('prefix location /api/v2/'));
  test('named locations are never matched by URI', () => expect(at('/@fallback')).toBe('prefix location /'));
  test('a proxy_pass location ending in "/" redirects the slash-less URI (301)', () => {
    const match = matchLocation(server, '/v1');
    expect(match).toMatchObject({ how: 'redirect', redirectTo: '/v1/' });
  });
  test('query strings are ignored and "//" merged', () => expect(at('//v1//chat?x=1')).toBe('regex location ~ ^/v1/chat'));
  test('no location at all: the server itself serves', () => {
    const bare = site('server { location /only/ { return 200; } }').servers[0]!;
    expect(matchLocation(bare, '/x')).toMatchObject({ how: 'none', location: undefined });
  });
  test('modifiers glued to the path are read as nginx reads them', () => {
    const glued = site('server { location =/x { } location ~*\\.php$ { } location ^~/s/ { } }').servers[0]!;
    expect(glued.locations.map((l) => [l.modifier, l.path])).toEqual([['=', '/x'], ['~*', '\\.php$'], ['^~', '/s/']]);
  });
});

describe('server selection (Host and port)', () => {
  const config = site(`
server { listen 80; server_name first.example; }
server { listen 80; server_name *.example.com; }
server { listen 80; server_name *.api.example.com; }
server { listen 80; server_name www.example.*; }
server { listen 80; server_name ~^(?P<sub>[a-z]+)\\.regex\\.test$; }
server { listen 80 default_server; server_name .dot.test; }
server { listen 8080; server_name alt; }
server { listen 127.0.0.1:9000; server_name local; }
server { listen 9000; server_name any; }
`);
  const pick = (host: string | undefined, port = 80, address?: string) => {
    const selection = selectServer(config.servers, { host, port, address });
    return `${selection.how} ${selection.server?.serverNames[0]?.raw ?? '-'}`;
  };

  test('exact name (case and port in Host ignored)', () => expect(pick('FIRST.example:80')).toBe('exact first.example'));
  test('longest leading wildcard', () => expect(pick('v1.api.example.com')).toBe('wildcard-head *.api.example.com'));
  test('trailing wildcard', () => expect(pick('www.example.org')).toBe('wildcard-tail www.example.*'));
  test('regex with a PCRE named group', () => expect(pick('abc.regex.test')).toBe('regex ~^(?P<sub>[a-z]+)\\.regex\\.test$'));
  test('".dot.test" matches the bare name too', () => expect(pick('dot.test')).toBe('exact .dot.test'));
  test('unknown Host: the default_server of that port', () => expect(pick('nobody.test')).toBe('default_server .dot.test'));
  test('another port: its own servers only', () => expect(pick('nobody.test', 8080)).toBe('first alt'));
  test('a server listening on the exact address beats wildcard ones', () => {
    expect(pick('x', 9000, '127.0.0.1')).toBe('first local');
    expect(pick('x', 9000, '10.0.0.5')).toBe('first any');
  });
  test('nothing listens on the port', () => expect(pick('x', 1234)).toBe('none -'));
});

describe('effective settings and inheritance', () => {
  const config = readNginxConfigText(
    `proxy_read_timeout 120s;
proxy_set_header X-Http 1;
add_header X-H1 a;
server {
    listen 80;
    proxy_buffering off;
    proxy_set_header X-Server 1;
    add_header X-S b;
    location / {
        proxy_pass http://up;
        proxy_set_header X-Loc 1;
        location /inner/ { proxy_read_timeout 5s; }
    }
    location /merge/ { add_header_inherit merge; add_header X-M c; proxy_pass http://up; }
    location /plain/ { proxy_pass http://up; }
}
`,
    '/site/app.conf',
    { files: memoryFileSource({}) },
  );
  const server = config.servers[0]!;
  const settings = (path: string, version = OLD) => routeNginxRequest(config, { port: 80, path }, version).settings!;

  test('inner levels win for single directives, each value with its file:line and level', () => {
    const s = settings('/x');
    expect(s.proxyBuffering).toBe(false);
    expect(s.directives.proxy_buffering.values[0]!.origin).toEqual({ file: '/site/app.conf', line: 6, level: 'server' });
    expect(s.proxyReadTimeoutMs).toBe(120_000);
    expect(s.directives.proxy_read_timeout.values[0]!.origin).toMatchObject({ line: 1, level: 'http' });
    expect(settings('/inner/x').proxyReadTimeoutMs).toBe(5000);
  });

  test('effectiveSettings for a server with no matching location: http and server levels only', () => {
    const s = effectiveSettings(config, server, undefined, OLD);
    expect(s.location).toBeUndefined();
    expect(s.proxyHeaders.map((h) => h.name)).toEqual(['X-Server', 'Host', 'Connection']);
    expect(s.directives.proxy_pass.source).toBe('default');
  });

  test('proxy_set_header is taken whole from the innermost level that has any', () => {
    expect(settings('/x').proxyHeaders.map((h) => h.name)).toEqual(['X-Loc', 'Host', 'Connection']);
    expect(settings('/plain/x').proxyHeaders.map((h) => h.name)).toEqual(['X-Server', 'Host', 'Connection']);
  });

  test('proxy_pass is not inherited into a nested location', () => {
    const route = routeNginxRequest(config, { port: 80, path: '/inner/x' }, OLD);
    expect(route.proxyTarget).toBeUndefined();
    expect(route.settings!.directives.proxy_pass.source).toBe('default');
    expect(routeNginxRequest(config, { port: 80, path: '/x' }, OLD).proxyTarget?.raw).toBe('http://up');
  });

  test('add_header: replaced by an inner level, merged with add_header_inherit merge (1.29.3+)', () => {
    expect(settings('/plain/x').directives.add_header.values.map((v) => v.args[0])).toEqual(['X-S']);
    expect(settings('/merge/x').directives.add_header.values.map((v) => v.args[0])).toEqual(['X-M', 'X-S']);
  });

  test('defaults follow the nginx version: HTTP/1.0 + Connection: close before 1.29.7, HTTP/1.1 after', () => {
    const before = settings('/plain/x', { nginxVersion: '1.29.6' });
    expect(before.proxyHttpVersion).toBe('1.0');
    expect(before.directives.proxy_http_version.source).toBe('default');
    expect(before.proxyHeaders.find((h) => h.name === 'Connection')).toEqual({ name: 'Connection', value: 'close', origin: 'default' });
    for (const version of ['1.29.7', '1.30.0', '1.31.6']) {
      const after = settings('/plain/x', { nginxVersion: version });
      expect(after.proxyHttpVersion).toBe('1.1');
      expect(after.proxyHeaders.some((h) => h.name === 'Connection')).toBe(false);
    }
  });

  test('built-in defaults where nothing is set', () => {
    const s = settings('/plain/x');
    expect(s).toMatchObject({
      proxyRequestBuffering: true,
      proxySendTimeoutMs: 60_000,
      proxyConnectTimeoutMs: 60_000,
      keepaliveTimeoutMs: 75_000,
      sendTimeoutMs: 60_000,
      clientBodyTimeoutMs: 60_000,
      gzip: false,
      gzipTypes: ['text/html'],
      chunkedTransferEncoding: true,
      http2: false,
    });
    expect(s.xAccelBuffering).toEqual({ honored: true, passedDownstream: false });
    expect(server.listens[0]).toMatchObject({ port: 80, wildcard: true });
  });

  test('X-Accel-Buffering: ignored by proxy_ignore_headers, passed on by proxy_pass_header', () => {
    const s = routeNginxRequest(
      site('server { location / { proxy_pass http://a; proxy_ignore_headers X-Accel-Buffering X-Accel-Expires; proxy_pass_header X-Accel-Buffering; } }'),
      { port: 80, path: '/' },
      OLD,
    ).settings!;
    expect(s.xAccelBuffering).toMatchObject({ honored: false, passedDownstream: true, ignoredBy: { line: 1 }, passedBy: { line: 1 } });
  });

  test('gzip on with text/event-stream in gzip_types compresses the stream', () => {
    const s = routeNginxRequest(site('gzip on; gzip_types text/event-stream;\nserver { location / { proxy_pass http://a; } }'), { port: 80, path: '/' }, OLD).settings!;
    expect(s.gzipCompressesEventStream).toBe(true);
  });
});

describe('upstreams, proxy_pass targets and host classes', () => {
  test.each([
    ['127.0.0.1', 'loopback'],
    ['127.5.0.9', 'loopback'],
    ['localhost', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0.0.0.0', 'loopback'],
    ['10.0.0.2', 'ip'],
    ['[2001:db8::1]', 'ip'],
    ['api', 'name'],
    ['api.openai.com', 'name'],
    ['unix:/tmp/app.sock', 'unix'],
    ['$backend', 'variable'],
    ['${ONYX_BACKEND_API_HOST}', 'variable'],
  ])('%s is %s', (host, kind) => expect(classifyHost(host)).toBe(kind));

  test('proxy_pass forms: scheme, port defaults, URI part, upstream blocks, variables', () => {
    const config = site(`upstream pool { server 10.0.0.1:8080 weight=3; server b.internal backup; keepalive 16; }
server {
  location /a/ { proxy_pass https://api.example.com/v1/; }
  location /b/ { proxy_pass http://pool; }
  location /c/ { proxy_pass http://[::1]:9000; }
  location /d/ { proxy_pass http://unix:/run/app.sock:/x; }
  location /e/ { proxy_pass http://pool:8080; }
}`);
    const targets = config.proxyPasses.map((p) => p.target);
    expect(targets[0]).toMatchObject({ scheme: 'https', host: 'api.example.com', effectivePort: 443, uri: '/v1/', hostClass: 'name' });
    expect(targets[1]).toMatchObject({ host: 'pool', upstream: { name: 'pool', keepalive: 16 } });
    expect(targets[1]!.upstream!.servers.map((s) => [s.host, s.port, s.weight, s.backup, s.hostClass])).toEqual([
      ['10.0.0.1', 8080, 3, false, 'ip'],
      ['b.internal', 80, 1, true, 'name'],
    ]);
    expect(targets[2]).toMatchObject({ host: '[::1]', port: 9000, hostClass: 'loopback' });
    expect(targets[3]).toMatchObject({ host: 'unix:/run/app.sock', uri: '/x', hostClass: 'unix' });
    expect(targets[4]!.invalid).toBe('upstream "pool" may not have port 8080');
    expect(config.diagnostics).toContainEqual(expect.objectContaining({ severity: 'error', message: 'upstream "pool" may not have port 8080' }));
  });

  test('a proxy_pass with variables: set values substituted; a name without resolver is flagged', () => {
    const config = site(`server {
  set $api api.internal:8080;
  location / { proxy_pass http://$api; }
  location /r/ { resolver 127.0.0.11; proxy_pass http://$api; }
  location /u/ { proxy_pass http://$http_x_target; }
}`);
    const plain = routeNginxRequest(config, { port: 80, path: '/' }, OLD);
    expect(plain.proxyTarget).toMatchObject({ hasVariables: true, hostClass: 'variable' });
    expect(plain.variableTarget).toMatchObject({ needsResolver: true, unknownVariables: [], resolved: { host: 'api.internal', port: 8080 } });
    expect(routeNginxRequest(config, { port: 80, path: '/r/' }, OLD).variableTarget).toMatchObject({ needsResolver: false, resolver: { line: 4 } });
    expect(routeNginxRequest(config, { port: 80, path: '/u/' }, OLD).variableTarget).toMatchObject({ unknownVariables: ['http_x_target'] });
  });
});

describe('includes', () => {
  const files = {
    '/u/nginx/nginx.conf': 'events {}\nhttp {\n  include mime.types;\n  include /etc/nginx/conf.d/*.conf;\n}\n',
    '/u/nginx/conf.d/b.conf': 'server { listen 81; include snippets/proxy.conf; location / { proxy_pass http://b; } }',
    '/u/nginx/conf.d/a.conf': 'server { listen 80; include beside.inc; }',
    '/u/nginx/conf.d/beside.inc': 'proxy_buffering off;',
    '/u/nginx/snippets/proxy.conf.template': 'proxy_read_timeout ${T};\n',
  };
  const config = readNginxConfig('/u/nginx/nginx.conf', { files: memoryFileSource(files) });

  test('globs expand in sorted order, relative to the prefix, beside the including file, and via .template', () => {
    expect(config.kind).toBe('nginx.conf');
    expect(config.servers.map((s) => s.listens[0]!.port)).toEqual([80, 81]);
    expect(config.includes.map((i) => [i.pattern, i.status, i.files])).toEqual([
      ['mime.types', 'unresolved', []],
      ['/etc/nginx/conf.d/*.conf', 'resolved', ['/u/nginx/conf.d/a.conf', '/u/nginx/conf.d/b.conf']],
      ['beside.inc', 'resolved', ['/u/nginx/conf.d/beside.inc']],
      ['snippets/proxy.conf', 'resolved', ['/u/nginx/snippets/proxy.conf.template']],
    ]);
  });

  test('spliced directives keep their own file:line and the include that brought them', () => {
    const buffering = routeNginxRequest(config, { port: 80, path: '/' }, OLD).settings!.directives.proxy_buffering.values[0]!;
    expect(buffering.origin).toMatchObject({ file: '/u/nginx/conf.d/beside.inc', line: 1, includedFrom: { file: '/u/nginx/conf.d/a.conf', line: 1 } });
  });

  test('an include of a file that ships with nginx is unresolved with a note, and kept in the tree', () => {
    const mime = config.includes[0]!;
    expect(mime).toMatchObject({ nginxPattern: '/etc/nginx/mime.types', glob: false });
    expect(mime.stock).toContain('MIME');
    expect(config.httpLevels[0]!.find((d) => d.name === 'include')).toMatchObject({ unresolvedInclude: true });
  });

  test('include cycles are reported, not followed', () => {
    const cyclic = readNginxConfig('/c/site.conf', { files: memoryFileSource({ '/c/site.conf': 'server { include loop.conf; }', '/c/loop.conf': 'include loop.conf;' }) });
    expect(cyclic.diagnostics.map((d) => d.message)).toContainEqual(expect.stringContaining('include cycle'));
  });

  test('reads never leave the user directories, even through ../', () => {
    const root = mkdtempSync(join(tmpdir(), 'nginx-reader-'));
    try {
      writeFileSync(join(root, 'site.conf'), 'server { include ../../../../../../../../etc/hostname; include /etc/nginx/mime.types; }');
      const config = readNginxConfig(join(root, 'site.conf'));
      expect(config.includes.map((i) => i.status)).toEqual(['unresolved', 'unresolved']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('real-world nginx configs (tests/fixtures/real-world)', () => {
  test('dify site template: includes proxy.conf(.template) in every location, placeholders kept', () => {
    const dify = fixture('dify/conf.d/default.conf.template', { prefixDir: FIXTURES + 'dify' });
    expect(dify.kind).toBe('site');
    expect(dify.servers[0]!.locations.map(describeLocation)).toEqual([
      'location /console/api',
      'location /api',
      'location /v1',
      'location /files',
      'location /explore',
      'location /e/',
      'location /',
      'location /mcp',
      'location /triggers',
    ]);
    expect(dify.includes).toHaveLength(9);
    expect(dify.includes.every((i) => i.status === 'resolved' && i.files[0]!.endsWith('dify/proxy.conf.template'))).toBe(true);
    expect(dify.servers[0]!.listens[0]).toMatchObject({ raw: '${NGINX_PORT}', placeholder: true });
    expect(dify.servers[0]!.listens[0]!.port).toBeUndefined();
    expect(dify.diagnostics.map((d) => d.line)).toEqual([
      lineOf('dify/conf.d/default.conf.template', '${ACME_CHALLENGE_LOCATION}'),
      lineOf('dify/conf.d/default.conf.template', '${HTTPS_CONFIG}'),
    ]);
    expect(new Set(dify.proxyPasses.map((p) => `${p.target.host}:${p.target.effectivePort}`))).toEqual(new Set(['api:5001', 'web:3000', 'plugin_daemon:5002']));

    const route = routeNginxRequest(dify, { port: 80, path: '/v1/chat/completions' }, OLD);
    expect(route.match!.location!.path).toBe('/v1');
    expect(route.selection.undetermined[0]).toContain('placeholder');
    expect(route.proxyTarget).toMatchObject({ host: 'api', port: 5001, hostClass: 'name' });
    const s = route.settings!;
    expect(s.proxyBuffering).toBe(false);
    expect(origin(s.directives.proxy_buffering.values[0])).toBe(`dify/proxy.conf.template:${lineOf('dify/proxy.conf.template', 'proxy_buffering off')}`);
    expect(s.proxyHttpVersion).toBe('1.1');
    expect(s.proxyReadTimeoutMs).toBeUndefined();
    expect(s.directives.proxy_read_timeout.values[0]!.args).toEqual(['${NGINX_PROXY_READ_TIMEOUT}']);
    expect(s.proxyHeaders.find((h) => h.name === 'Connection')).toMatchObject({ value: '' });
    expect(routeNginxRequest(dify, { port: 80, path: '/api/chat-messages' }, OLD).match!.location!.path).toBe('/api');
    expect(routeNginxRequest(dify, { port: 80, path: '/console/api/apps' }, OLD).match!.location!.path).toBe('/console/api');
    const hook = routeNginxRequest(dify, { port: 80, path: '/e/plugin' }, OLD);
    expect(hook.proxyTarget!.host).toBe('plugin_daemon');
    expect(hook.settings!.proxyHeaders.map((h) => h.name)).toContain('Dify-Hook-Url');
  });

  test('dify nginx.conf template: http{} includes conf.d/*.conf (rendered from the template); mime.types is the image’s', () => {
    const dify = fixture('dify/nginx.conf.template');
    expect(dify.kind).toBe('nginx.conf');
    const [mime, confd] = dify.includes;
    expect(mime).toMatchObject({ pattern: '/etc/nginx/mime.types', status: 'unresolved' });
    expect(confd).toMatchObject({ pattern: '/etc/nginx/conf.d/*.conf', status: 'resolved' });
    expect(confd!.files[0]).toMatch(/dify\/conf\.d\/default\.conf\.template$/);
    const s = routeNginxRequest(dify, { port: 80, path: '/v1/chat/completions' }, OLD).settings!;
    expect(origin(s.directives.keepalive_timeout.values[0])).toBe(`dify/nginx.conf.template:${lineOf('dify/nginx.conf.template', 'keepalive_timeout')}`);
    expect(s.keepaliveTimeoutMs).toBeUndefined();
  });

  test('librechat: bare proxy_pass in /api, nginx defaults apply', () => {
    const libre = fixture('librechat/nginx.conf');
    expect(libre.kind).toBe('site');
    expect(libre.servers[0]!.serverNames.map((n) => n.raw)).toEqual(['localhost']);
    const route = routeNginxRequest(libre, { host: 'localhost', port: 80, path: '/api/ask/openAI' }, OLD);
    expect(describeLocation(route.match!.location!)).toBe('location /api');
    expect(route.proxyTarget).toMatchObject({ host: 'api', port: 3080, uri: '/api' });
    expect(route.settings).toMatchObject({ proxyBuffering: true, proxyHttpVersion: '1.0', proxyReadTimeoutMs: 60_000 });
    expect(route.settings!.directives.proxy_buffering.source).toBe('default');
    expect(routeNginxRequest(libre, { port: 80, path: '/api/ask' }, NEW).settings!.proxyHttpVersion).toBe('1.1');
    const chat = routeNginxRequest(libre, { port: 80, path: '/v1/chat/completions' }, OLD);
    expect(describeLocation(chat.match!.location!)).toBe('location /');
    expect(chat.proxyTarget).toBeUndefined();
  });

  test('chatgpt-web: server-level proxy_set_header lines are not inherited by /api; the bot-blocking if runs first', () => {
    const web = fixture('chatgpt-web/nginx.conf');
    const route = routeNginxRequest(web, { host: 'localhost', port: 80, path: '/api/chat-process' }, OLD);
    expect(describeLocation(route.match!.location!)).toBe('location /api');
    expect(route.proxyTarget).toMatchObject({ host: 'app', port: 3002 });
    expect(route.settings!.proxyHeaders.map((h) => [h.name, h.value])).toEqual([
      ['X-Real-IP', '$remote_addr'],
      ['Host', '$proxy_host'],
      ['Connection', 'close'],
    ]);
    expect(route.settings!.proxyBuffering).toBe(true);
    expect(route.serverRewrites.map((d) => [d.name, d.line])).toEqual([['if', lineOf('chatgpt-web/nginx.conf', 'if ($http_user_agent')]]);
    expect(route.serverRewrites[0]!.args).toContain('~*');
    expect(describeLocation(routeNginxRequest(web, { port: 80, path: '/v1/chat/completions' }, OLD).match!.location!)).toBe('location /');
  });

  test('onyx: regex /api location streams, / buffers, mcp include pulls an upstream into server{}', () => {
    const onyx = fixture('onyx/app.conf.template.prod');
    expect(onyx.kind).toBe('site');
    expect(onyx.servers.map((s) => s.listens.map((l) => [l.port, l.ssl, l.defaultServer]))).toEqual([[[80, false, true]], [[443, true, true]]]);
    const [mcp, letsencrypt] = onyx.includes;
    expect(mcp).toMatchObject({ pattern: '/etc/nginx/conf.d/mcp*.conf', status: 'resolved' });
    expect(mcp!.files[0]).toMatch(/onyx\/mcp\.conf\.template$/);
    expect(letsencrypt).toMatchObject({ status: 'unresolved' });
    expect(letsencrypt!.stock).toContain('Certbot');
    expect(onyx.diagnostics).toContainEqual(expect.objectContaining({ severity: 'error', line: 1, message: expect.stringContaining('"upstream" directive is not allowed here') }));
    expect(onyx.upstreams.map((u) => [u.name, u.servers[0]!.hostClass])).toEqual([
      ['api_server', 'variable'],
      ['web_server', 'variable'],
      ['mcp_server', 'variable'],
    ]);

    const api = routeNginxRequest(onyx, { port: 80, path: '/api/chat/send-message' }, OLD);
    expect(api.match).toMatchObject({ how: 'regex' });
    expect(api.proxyTarget!.upstream!.name).toBe('api_server');
    expect(api.settings).toMatchObject({ proxyBuffering: false, proxyHttpVersion: '1.1', proxyReadTimeoutMs: undefined });
    expect(api.settings!.directives.proxy_read_timeout.values[0]!.args).toEqual(['${NGINX_PROXY_READ_TIMEOUT}s']);

    const web = routeNginxRequest(onyx, { port: 80, path: '/v1/chat/completions' }, OLD);
    expect(describeLocation(web.match!.location!)).toBe('location /');
    expect(web.proxyTarget!.upstream!.name).toBe('web_server');
    expect(web.settings!.proxyBuffering).toBe(true);

    const mcpRoute = routeNginxRequest(onyx, { port: 80, path: '/mcp/tools' }, OLD);
    expect(mcpRoute.match!.location!.file).toMatch(/onyx\/mcp\.conf\.template$/);
    expect(mcpRoute.settings).toMatchObject({ proxyReadTimeoutMs: 300_000, proxyBuffering: true });

    const tls = routeNginxRequest(onyx, { port: 443, path: '/api/chat' }, OLD);
    expect(tls.proxyTarget).toMatchObject({ host: 'localhost', port: 80, hostClass: 'loopback' });
    expect(tls.settings!.proxyBuffering).toBe(false);
    expect(tls.settings!.unresolvedIncludes.map((d) => d.args[0])).toEqual(['/etc/letsencrypt/options-ssl-nginx.conf']);
  });

  test('onyx mcp template on its own is a snippet (an upstream and a location)', () => {
    const mcp = fixture('onyx/mcp.conf.template');
    expect(mcp.kind).toBe('snippet');
    expect(mcp.directives.map((d) => d.name)).toEqual(['upstream', 'location']);
    expect(mcp.placeholders.map((p) => p.name)).toEqual(['ONYX_MCP_SERVER_HOST']);
  });

  test('mastodon: streaming API unbuffered with the 60 s default read timeout; the rest falls back to @proxy', () => {
    const mastodon = fixture('mastodon/nginx.conf');
    expect(mastodon.upstreams.map((u) => [u.name, u.servers[0]!.address, u.servers[0]!.hostClass])).toEqual([
      ['backend', '127.0.0.1:3000', 'loopback'],
      ['streaming', '127.0.0.1:4000', 'loopback'],
    ]);
    const tls = mastodon.servers[1]!;
    expect(tls.listens.map((l) => [l.raw, l.ssl, l.http2])).toEqual([['443', true, true], ['[::]:443', true, true]]);

    const streaming = routeNginxRequest(mastodon, { host: 'example.com', port: 443, path: '/api/v1/streaming' }, OLD);
    expect(streaming.proxyTarget!.upstream!.name).toBe('streaming');
    expect(streaming.settings).toMatchObject({ proxyBuffering: false, proxyHttpVersion: '1.1', proxyReadTimeoutMs: 60_000, gzip: true, gzipCompressesEventStream: false, http2: true });
    expect(streaming.settings!.directives.proxy_read_timeout.source).toBe('default');
    expect(origin(streaming.settings!.directives.gzip.values[0])).toBe(`mastodon/nginx.conf:${lineOf('mastodon/nginx.conf', 'gzip on;')}`);

    const api = routeNginxRequest(mastodon, { host: 'example.com', port: 443, path: '/api/v1/timelines/home' }, OLD);
    expect(describeLocation(api.match!.location!)).toBe('location /');
    expect(api.match!.namedFallback!.path).toBe('@proxy');
    expect(api.match!.namedFallback!.line).toBe(lineOf('mastodon/nginx.conf', 'location @proxy'));
    expect(api.proxyTarget).toBeUndefined();
    expect(api.fallback!.proxyTarget!.upstream!.name).toBe('backend');
    expect(api.fallback!.settings).toMatchObject({ proxyBuffering: true, proxyCache: 'CACHE', proxyHttpVersion: '1.1' });
    expect(origin(api.fallback!.settings.directives.proxy_buffering.values[0])).toBe(`mastodon/nginx.conf:${lineOf('mastodon/nginx.conf', 'proxy_buffering on')}`);

    const plain = routeNginxRequest(mastodon, { host: 'example.com', port: 80, path: '/api/v1/streaming' }, OLD);
    expect(plain.selection.server).toBe(mastodon.servers[0]);
    expect(describeLocation(plain.match!.location!)).toBe('location /');
  });

  test('fastchat: Debian-layout includes are the image’s; limit_conn of the location replaces the server’s', () => {
    const fastchat = fixture('fastchat/nginx.conf');
    expect(fastchat.kind).toBe('nginx.conf');
    expect(fastchat.includes.map((i) => [i.pattern, i.status, Boolean(i.stock)])).toEqual([
      ['/etc/nginx/modules-enabled/*.conf', 'unresolved', true],
      ['/etc/nginx/mime.types', 'unresolved', true],
      ['/etc/nginx/conf.d/*.conf', 'unresolved', true],
      ['/etc/nginx/sites-enabled/*', 'unresolved', true],
    ]);
    expect(fastchat.upstreams[0]!.servers.map((s) => [s.host, s.port, s.hostClass])).toEqual([['localhost', 7860, 'loopback']]);
    expect(fastchat.upstreams[0]!.balancing).toBe('ip_hash');
    const route = routeNginxRequest(fastchat, { host: 'chat.lmsys.org', port: 443, path: '/queue/join' }, OLD);
    expect(route.selection.server!.listens[0]).toMatchObject({ port: 443, ssl: true });
    expect(route.settings!.directives.limit_conn.values.map((v) => v.args)).toEqual([['perip', '5']]);
    expect(route.settings).toMatchObject({ gzip: true, proxyBuffering: true, proxyReadTimeoutMs: 60_000 });
    const http = routeNginxRequest(fastchat, { host: 'chat.lmsys.org', port: 80, path: '/' }, OLD);
    expect(http.serverRewrites.map((d) => d.name)).toEqual(['return']);
  });

  test('ichrisbirch: proxy_params comes from the image and is reported, not guessed', () => {
    const chat = fixture('ichrisbirch/chat.conf');
    expect(chat.includes[0]).toMatchObject({ pattern: 'proxy_params', status: 'unresolved' });
    expect(chat.includes[0]!.stock).toContain('Debian');
    const route = routeNginxRequest(chat, { host: 'chat.localhost', port: 80, path: '/_stcore/stream' }, OLD);
    expect(route.proxyTarget).toMatchObject({ host: '127.0.0.1', port: 8505, hostClass: 'loopback' });
    expect(route.settings).toMatchObject({ proxyBuffering: true, proxyHttpVersion: '1.1', proxyReadTimeoutMs: 86_400_000 });
    expect(route.settings!.unresolvedIncludes.map((d) => d.args[0])).toEqual(['proxy_params']);
  });

  test('socket.io nginx: an upstream declared after the server that uses it', () => {
    const io = fixture('socket.io/nginx.conf');
    expect(io.upstreams[0]!.servers.map((s) => s.address)).toEqual(['server-john:3000', 'server-paul:3000', 'server-george:3000', 'server-ringo:3000']);
    const route = routeNginxRequest(io, { port: 80, path: '/socket.io/' }, OLD);
    expect(route.proxyTarget!.upstream!.name).toBe('nodes');
    expect(route.settings!.proxyHeaders.find((h) => h.name === 'Connection')).toMatchObject({ value: 'upgrade', origin: { level: 'location' } });
  });

  test('dify snippets read as snippets', () => {
    expect(fixture('dify/proxy.conf.template').kind).toBe('snippet');
    const https = fixture('dify/https.conf.template');
    expect(https.kind).toBe('snippet');
    expect(https.placeholders.map((p) => p.name)).toContain('NGINX_SSL_PORT');
  });
});
