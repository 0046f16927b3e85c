/** `streamproof validate`'s reading of a user's config: upstream, listen port, and the static pass. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isStreamproofError } from '../../harness/errors.ts';
import { haproxyListenPortOf, haproxyUpstreamOf, loopbackUpstreamOf, nginxListenPortOf, nginxUpstreamOf, parseUpstream, readUserHops } from '../../harness/user-hops.ts';
import { hopsFromArgs, requestFromArgs } from '../../harness/validate/hops-from-args.ts';
import { staticPass } from '../../harness/validate/static-pass.ts';

const FIXTURES = 'tests/fixtures/user-configs';
const fixture = (name: string) => readFileSync(new URL(`../fixtures/user-configs/${name}`, import.meta.url), 'utf8');

describe('upstream and listen port', () => {
  test('nginx: the server of the upstream block proxy_pass names; else proxy_pass host:port; comments ignored', () => {
    expect(nginxUpstreamOf(fixture('nginx-default.conf'))).toEqual({ host: 'llm-backend', port: 8000 });
    expect(nginxUpstreamOf('location /v1/ { proxy_pass http://llm-backend:8000; }')).toEqual({ host: 'llm-backend', port: 8000 });
    expect(nginxUpstreamOf('location / { proxy_pass http://api.internal/v1/; }')).toEqual({ host: 'api.internal', port: 80 });
    expect(nginxUpstreamOf('# proxy_pass http://old:1;\nlocation / { return 200; }')).toBeUndefined();
    expect(nginxUpstreamOf('location / { proxy_pass http://10.0.0.5:8000; }')).toBeUndefined();
  });

  test('nginx: listen port, 80 when the site has none', () => {
    expect(nginxListenPortOf(fixture('nginx-default.conf'))).toBe(80);
    expect(nginxListenPortOf(fixture('nginx-hardened.conf'))).toBe(8443);
    expect(nginxListenPortOf('server { listen 127.0.0.1:9000 default_server; }')).toBe(9000);
    expect(nginxListenPortOf('server { location / { return 200; } }')).toBe(80);
    expect(nginxListenPortOf('server {\n    listen [::]:8081;\n}')).toBe(8081);
  });

  test('haproxy: the first server line and bind port', () => {
    const cfg = fixture('haproxy.cfg');
    expect(haproxyUpstreamOf(cfg)).toEqual({ host: 'llm-backend', port: 8000 });
    expect(haproxyListenPortOf(cfg)).toBe(8000);
    expect(haproxyListenPortOf('frontend f\n\tbind *:8443 ssl crt /x.pem\n')).toBe(8443);
    expect(haproxyUpstreamOf('backend b\n\tserver s1 10.0.0.1:80\n')).toBeUndefined();
  });

  test('--upstream must be host:port', () => {
    expect(parseUpstream('llm-backend:8000')).toEqual({ host: 'llm-backend', port: 8000 });
    for (const bad of ['llm-backend', ':8000', 'llm-backend:99999', 'http://x:1']) {
      let error: unknown;
      try {
        parseUpstream(bad);
      } catch (e) {
        error = e;
      }
      expect(isStreamproofError(error) && error.code, bad).toBe('STREAMPROOF_BAD_OPTIONS');
    }
  });
});

describe('loopback upstreams (real-world): the tap joins the box\'s network namespace', () => {
  const realWorld = (name: string) => `tests/fixtures/real-world/${name}`;

  test('found in proxy_pass, upstream blocks and HAProxy server lines; names are not loopback', () => {
    expect(loopbackUpstreamOf('nginx', readFileSync(realWorld('mastodon/nginx.conf'), 'utf8'))).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(loopbackUpstreamOf('nginx', readFileSync(realWorld('ichrisbirch/chat.conf'), 'utf8'))).toEqual({ host: '127.0.0.1', port: 8505 });
    expect(loopbackUpstreamOf('haproxy', readFileSync(realWorld('sockjs-node/haproxy.cfg'), 'utf8'))).toMatchObject({ host: '127.0.0.1' });
    expect(loopbackUpstreamOf('nginx', 'location / { proxy_pass http://localhost:11434; }')).toEqual({ host: 'localhost', port: 11434 });
    expect(loopbackUpstreamOf('nginx', 'location / { proxy_pass http://0.0.0.0:3001; }')).toEqual({ host: '0.0.0.0', port: 3001 });
    expect(loopbackUpstreamOf('nginx', 'location / { proxy_pass http://[::1]; }')).toEqual({ host: '::1', port: 80 });
    expect(loopbackUpstreamOf('nginx', fixture('nginx-default.conf'))).toBeUndefined();
    expect(loopbackUpstreamOf('nginx', readFileSync(realWorld('librechat/nginx.conf'), 'utf8'))).toBeUndefined();
  });

  test('readUserHops: the routed loopback upstream is the hop\'s, marked loopback; two hops may both use 127.0.0.1 (each its own namespace)', () => {
    const hops = readUserHops([
      { kind: 'nginx', file: realWorld('mastodon/nginx.conf') },
      { kind: 'nginx', file: realWorld('ichrisbirch/chat.conf') },
    ]);
    expect(hops.map((hop) => [hop.upstream, hop.loopbackUpstream])).toEqual([
      [{ host: '127.0.0.1', port: 3000 }, true],
      [{ host: '127.0.0.1', port: 8505 }, true],
    ]);
    expect(readUserHops([{ kind: 'nginx', file: `${FIXTURES}/nginx-default.conf` }])[0]!.loopbackUpstream).toBeUndefined();
  });

  test('a loopback upstream on a port the file listens on is the proxy itself: STREAMPROOF_CANNOT_TEST, no verdict', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamproof-loopback-'));
    try {
      const file = join(dir, 'itself.conf');
      writeFileSync(file, 'server {\n  listen 8080;\n  listen 8443;\n  location / { proxy_pass http://localhost:8443; }\n}\n');
      let error: unknown;
      try {
        readUserHops([{ kind: 'nginx', file }]);
      } catch (e) {
        error = e;
      }
      expect(isStreamproofError(error) && error.code).toBe('STREAMPROOF_CANNOT_TEST');
      expect((error as Error).message).toMatch(/itself\.conf proxies POST \/v1\/chat\/completions to localhost:8443, a port it listens on itself/);
      expect((error as Error).message).toMatch(/To fix: pass the file \(or server \{\} block\) the inner request reaches/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('files validate cannot test as written (real-world): no verdict, exit 2 before anything starts', () => {
  const realWorld = (name: string) => `tests/fixtures/real-world/${name}`;

  test('a template (dify default.conf) and a snippet (dify proxy.conf): named as such, not as lines nginx would refuse', () => {
    const codeAndMessage = (file: string) => {
      try {
        readUserHops([{ kind: 'nginx', file: realWorld(file) }]);
      } catch (e) {
        return isStreamproofError(e) ? `${e.code}: ${e.message}` : String(e);
      }
      return 'no error';
    };
    expect(codeAndMessage('dify/conf.d/default.conf.template')).toMatch(/^STREAMPROOF_CANNOT_TEST: .*default\.conf\.template is a template: it holds \$\{NGINX_PORT\}.*\nTo fix: render it as your deployment does/s);
    expect(codeAndMessage('dify/proxy.conf.template')).toMatch(/^STREAMPROOF_CANNOT_TEST: .*proxy\.conf\.template is a snippet for inside server \{\} or location \{\}.*\nTo fix: pass the site file or nginx\.conf that includes this snippet/s);
  });

  test('a whole nginx.conf is run as the image\'s own (socket.io: upstream block after the server; FastChat: TLS on 443, 80 redirecting, loopback upstream)', () => {
    const [socketIo] = readUserHops([{ kind: 'nginx', file: realWorld('socket.io/nginx.conf') }]);
    expect(socketIo).toMatchObject({ wholeNginxConf: true, listenPort: 80, upstream: { host: 'server-john', port: 3000 } });
    expect(socketIo!.moreAliases).toEqual(['server-paul', 'server-george', 'server-ringo']);
    const [fastchat] = readUserHops([{ kind: 'nginx', file: realWorld('fastchat/nginx.conf') }]);
    expect(fastchat).toMatchObject({ wholeNginxConf: true, listenPort: 443, tls: true, loopbackUpstream: true, upstream: { host: 'localhost', port: 7860 } });
    expect(fastchat!.tlsFiles).toMatchObject({ certificates: ['/etc/nginx/[PATH_TO_SSL_CERT]'], keys: ['/etc/nginx/[PATH_TO_PRIVATE_KEY]'] });
  });
});

describe('static pass', () => {
  test('nginx default on 1.22: buffering and the heartbeats fail, the silent pause is cut', () => {
    const { lines, expect: e } = staticPass('nginx', fixture('nginx-default.conf'), '1.22.1');
    expect(lines[0]).toContain('proxy_buffering is on and the upstream is spoken to in HTTP/1.0');
    expect(e['streaming.buffering']?.verdict).toBe('fail');
    expect(e['pause-heartbeats.heartbeat']?.verdict).toBe('fail');
    expect(e['pause-silent.heartbeat']?.verdict).toBe('fail');
  });

  test('nginx default on 1.30: HTTP/1.1 by default, so only the silent pause fails', () => {
    const { expect: e } = staticPass('nginx', fixture('nginx-default.conf'), '1.30.6');
    expect(e['streaming.buffering']?.verdict).toBe('pass');
    expect(e['pause-heartbeats.heartbeat']?.verdict).toBe('pass');
    expect(e['pause-silent.heartbeat']?.verdict).toBe('fail');
  });

  test('nginx hardened: everything passes', () => {
    const { expect: e } = staticPass('nginx', fixture('nginx-hardened.conf'), '1.22.1');
    expect(Object.values(e).every((x) => x.verdict === 'pass')).toBe(true);
  });

  test('haproxy: timeout server 50 s cuts the silent pause', () => {
    const { lines, expect: e } = staticPass('haproxy', fixture('haproxy.cfg'), '2.6.12');
    expect(lines).toContain('option http-no-delay: each event is sent at once');
    expect(e['pause-silent.heartbeat']?.verdict).toBe('fail');
    expect(e['pause-heartbeats.heartbeat']?.verdict).toBe('pass');
  });
});

describe('hops from the command line', () => {
  const codeOf = (action: () => unknown) => {
    try {
      action();
    } catch (error) {
      return isStreamproofError(error) ? error.code : String(error);
    }
    return 'no error';
  };

  test('one file: --upstream before or after it, as always', () => {
    expect(hopsFromArgs([{ option: 'nginx', value: 's.conf' }])).toEqual([{ kind: 'nginx', file: 's.conf' }]);
    const expected = [{ kind: 'haproxy', file: 'h.cfg', upstream: 'b:1' }];
    expect(hopsFromArgs([{ option: 'haproxy', value: 'h.cfg' }, { option: 'upstream', value: 'b:1' }])).toEqual(expected);
    expect(hopsFromArgs([{ option: 'upstream', value: 'b:1' }, { option: 'haproxy', value: 'h.cfg' }])).toEqual(expected);
  });

  test('a chain: command-line order, each --upstream belonging to the file before it', () => {
    const hops = hopsFromArgs([
      { option: 'haproxy', value: 'edge.cfg' },
      { option: 'nginx', value: 'app.conf' },
      { option: 'upstream', value: 'llm:8000' },
    ]);
    expect(hops).toEqual([{ kind: 'haproxy', file: 'edge.cfg' }, { kind: 'nginx', file: 'app.conf', upstream: 'llm:8000' }]);
  });

  test('--path and --host: taken as given; a relative path, spaces or a host with a path are STREAMPROOF_USAGE, both problems at once', () => {
    expect(requestFromArgs({})).toEqual({});
    expect(requestFromArgs({ path: '/api/ask?x=1', host: 'chat.example.com:8443' })).toEqual({ path: '/api/ask?x=1', host: 'chat.example.com:8443' });
    expect(requestFromArgs({ host: '[::1]' })).toEqual({ host: '[::1]' });
    expect(codeOf(() => requestFromArgs({ path: 'api/ask' }))).toBe('STREAMPROOF_USAGE');
    expect(codeOf(() => requestFromArgs({ path: '/a b' }))).toBe('STREAMPROOF_USAGE');
    expect(codeOf(() => requestFromArgs({ host: 'example.com/v1' }))).toBe('STREAMPROOF_USAGE');
    let message = '';
    try {
      requestFromArgs({ path: 'v1', host: 'a b' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/--path must be an absolute request path.*; --host must be a host name/);
    expect(message).toMatch(/To fix: e\.g\. streamproof validate --nginx \.\/site\.conf --path \/api\/chat --host chat\.example\.com/);
  });

  test('readUserHops: --path and --host route the first file; without --host the first server_name whose server proxies the path', () => {
    const [named] = readUserHops([{ kind: 'nginx', file: `${FIXTURES}/nginx-named-api.conf` }]);
    expect(named!.request).toEqual({ path: '/v1/chat/completions', host: 'api.example.com' });
    expect(named!.upstream).toEqual({ host: 'llm-backend', port: 8000 });
    const [plain] = readUserHops([{ kind: 'nginx', file: `${FIXTURES}/nginx-default.conf` }]);
    expect(plain!.request).toEqual({ path: '/v1/chat/completions', host: '127.0.0.1' });
    const [librechat] = readUserHops([{ kind: 'nginx', file: 'tests/fixtures/real-world/librechat/nginx.conf' }], { path: '/api/ask', host: 'chat.example.com' });
    expect(librechat!.request).toEqual({ path: '/api/ask', host: 'chat.example.com' });
    expect(staticPass('nginx', librechat!.text, '1.22.1', librechat).lines[0]).toMatch(/^POST \/api\/ask \(Host chat\.example\.com\) is served by the server at nginx\.conf:\d+, location \/api \(nginx\.conf:\d+\)$/);
  });

  test('usage errors: no file, an --upstream before the first file of a chain, two after one file', () => {
    expect(codeOf(() => hopsFromArgs([]))).toBe('STREAMPROOF_USAGE');
    expect(codeOf(() => hopsFromArgs([{ option: 'upstream', value: 'a:1' }]))).toBe('STREAMPROOF_USAGE');
    const before = [{ option: 'upstream', value: 'a:1' }, { option: 'nginx', value: 'a.conf' }, { option: 'nginx', value: 'b.conf' }] as const;
    expect(codeOf(() => hopsFromArgs(before))).toBe('STREAMPROOF_USAGE');
    const twice = [{ option: 'nginx', value: 'a.conf' }, { option: 'upstream', value: 'a:1' }, { option: 'upstream', value: 'b:2' }] as const;
    expect(codeOf(() => hopsFromArgs(twice))).toBe('STREAMPROOF_USAGE');
  });
});
