/**
 * The request validate streams (POST /v1/chat/completions, Host 127.0.0.1) through real-world files
 * (tests/fixtures/real-world, provenance there): the location that serves it, its upstream, and
 * every upstream name the proxy must resolve to start.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { haproxyRequestUnderTest, nginxRequestUnderTest, upstreamNamesOf } from '../../harness/config/request-under-test.ts';

const path = (name: string) => `tests/fixtures/${name}`;
const text = (name: string) => readFileSync(path(name), 'utf8');
const routed = (name: string, port = 80, version = '1.22.1') => nginxRequestUnderTest(path(name), text(name), port, version);

describe('nginx: the location serving POST /v1/chat/completions, not the first proxy_pass', () => {
  test('a /v1/ location after others: its upstream block server and its own settings', () => {
    const r = routed('user-configs/nginx-default.conf');
    expect(r?.servedBy).toBe('server at nginx-default.conf:7, location /v1/ (nginx-default.conf:17)');
    expect(r?.upstream).toEqual({ host: 'llm-backend', port: 8000 });
    expect(r?.settings).toMatchObject({ proxyBuffering: true, proxyHttpVersion: '1.0', proxyReadTimeoutMs: 60_000 });
    expect(routed('user-configs/nginx-hardened.conf', 8443)?.settings).toMatchObject({ proxyBuffering: false, proxyHttpVersion: '1.1', proxyReadTimeoutMs: 3_600_000 });
  });

  test('nginx 1.30 speaks HTTP/1.1 upstream by default (measured), 1.22 HTTP/1.0', () => {
    expect(routed('user-configs/nginx-default.conf', 80, '1.30.6')?.settings?.proxyHttpVersion).toBe('1.1');
  });

  test('dify: /v1 of several locations goes to api:5001; web and plugin_daemon must resolve too', () => {
    const r = routed('real-world/dify/conf.d/default.conf.template');
    expect(r?.servedBy).toMatch(/location \/v1 \(default\.conf\.template:\d+\)/);
    expect(r?.upstream).toEqual({ host: 'api', port: 5001 });
    expect(upstreamNamesOf('nginx', path('real-world/dify/conf.d/default.conf.template'), text('real-world/dify/conf.d/default.conf.template'))).toEqual(['api', 'web', 'plugin_daemon']);
  });

  test('LibreChat and chatgpt-web: the path lands in a static location, which does not proxy', () => {
    for (const name of ['real-world/librechat/nginx.conf', 'real-world/chatgpt-web/nginx.conf']) {
      const r = routed(name);
      expect(r?.servedBy).toMatch(/location \/ \(nginx\.conf:\d+\)/);
      expect(r?.upstream).toBeUndefined();
    }
  });

  test('socket.io: a load-balanced upstream of four servers; all four names must resolve', () => {
    const name = 'real-world/socket.io/nginx.conf';
    expect(routed(name)?.upstream).toEqual({ host: 'server-john', port: 3000 });
    expect(upstreamNamesOf('nginx', path(name), text(name))).toEqual(['server-john', 'server-paul', 'server-george', 'server-ringo']);
  });

  test('mastodon on port 80: the redirecting server answers (no upstream); its loopback upstreams are no names', () => {
    const name = 'real-world/mastodon/nginx.conf';
    expect(routed(name)?.upstream).toBeUndefined();
    expect(upstreamNamesOf('nginx', path(name), text(name))).toEqual([]);
  });
});

describe('HAProxy: every server name', () => {
  test('socket.io four servers; ailocal the local and the remote hosts (they resolve to the tap: nothing leaves)', () => {
    expect(upstreamNamesOf('haproxy', path('real-world/socket.io/haproxy.cfg'), text('real-world/socket.io/haproxy.cfg'))).toEqual(['server-john', 'server-paul', 'server-george', 'server-ringo']);
    expect(upstreamNamesOf('haproxy', path('real-world/ailocal-openai-proxy/openai-proxy.cfg'), text('real-world/ailocal-openai-proxy/openai-proxy.cfg')).sort()).toEqual(['api.ailocal.org', 'api.openai.com', 'studio']);
  });

  test('addresses are not names: sockjs-node (127.0.0.1) and the haproxy example (192.0.2.x)', () => {
    expect(upstreamNamesOf('haproxy', path('real-world/sockjs-node/haproxy.cfg'), text('real-world/sockjs-node/haproxy.cfg'))).toEqual([]);
    expect(upstreamNamesOf('haproxy', path('real-world/haproxy-examples/basic-config-edge.cfg'), text('real-world/haproxy-examples/basic-config-edge.cfg'))).toEqual([]);
  });
});

describe('HAProxy: the backend POST /v1/chat/completions reaches through the frontend rules', () => {
  const haproxy = (name: string, port: number) => haproxyRequestUnderTest(path(name), text(name), port);

  test('ailocal/openai-proxy: a path ACL sends it to studio:11434, not the first server line (api.ailocal.org)', () => {
    const r = haproxy('real-world/ailocal-openai-proxy/openai-proxy.cfg', 2020);
    expect(r?.servedBy).toMatch(/^backend backend_chat_completions \(openai-proxy\.cfg:\d+\), by use_backend at openai-proxy\.cfg:\d+$/);
    expect(r?.upstream).toEqual({ host: 'studio', port: 11434 });
  });

  test('a default_backend; a request answered or rejected by the frontend names no upstream', () => {
    expect(haproxy('user-configs/haproxy.cfg', 8000)).toEqual({
      servedBy: 'backend llm_servers (haproxy.cfg:22), by default_backend',
      upstream: { host: 'llm-backend', port: 8000 },
      // Where a fix goes: the backend, and the `timeout server` it inherits from defaults.
      blockLine: 22,
      timeoutServerLine: 16,
    });
    expect(haproxy('real-world/haproxy-examples/basic-config-edge.cfg', 80)?.upstream).toBeUndefined();
    expect(haproxy('real-world/haproxy-examples/basic-config-edge.cfg', 80)?.servedBy).toMatch(/^no backend: answered by /);
  });
});
