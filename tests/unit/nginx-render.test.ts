/**
 * How a config is laid out in the nginx container: a site beside the stock nginx.conf, a whole
 * nginx.conf in its place, the user's included files where nginx opens them; idle timeouts scaled,
 * nginx's unwritten defaults stated (scaled) only where they would not be duplicates.
 */
import { describe, expect, test } from 'vitest';
import { NGINX_MAIN_CONFIG_PATH, NGINX_SITE_PATH, renderNginxConfig } from '../../harness/proxies/nginx-config.ts';

const upstream = { host: 'streamproof-llm', port: 9000 };

describe('renderNginxConfig', () => {
  test('a site: conf.d beside the stock nginx.conf, with the scaled defaults at http level; a timeout after `{` on its line is scaled too', () => {
    const { files } = renderNginxConfig('server { listen 8080; location / { proxy_read_timeout 120s; } }', upstream, 0.1);
    expect(files[NGINX_SITE_PATH]).toContain('proxy_read_timeout 12000ms;');
    expect(files['/etc/nginx/conf.d/00-streamproof-time-scale.conf']).toContain('proxy_read_timeout 6000ms;');
    expect(files[NGINX_MAIN_CONFIG_PATH]).toBeUndefined();
  });

  test("a site that sets a timeout at its top level (http level): no scaled default beside it, nginx would call it a duplicate", () => {
    const { files } = renderNginxConfig('proxy_read_timeout 300s;\nserver { listen 8080; }', upstream, 0.1);
    const defaults = files['/etc/nginx/conf.d/00-streamproof-time-scale.conf']!;
    expect(defaults).not.toContain('proxy_read_timeout');
    expect(defaults).toContain('proxy_send_timeout 6000ms;');
  });

  test('a whole nginx.conf: in place of the stock one, the defaults included on its http line (line numbers kept), nothing in conf.d', () => {
    const conf = 'events {}\nhttp {\n    send_timeout 30s;\n    server { listen 80; }\n}\n';
    const { files } = renderNginxConfig(conf, upstream, 0.1, { wholeConfig: true, includes: {} });
    const main = files[NGINX_MAIN_CONFIG_PATH]!;
    expect(main.split('\n')[1]).toBe('http { include /etc/nginx/streamproof-time-scale.conf;');
    expect(main.split('\n')).toHaveLength(conf.split('\n').length);
    expect(main).toContain('send_timeout 3000ms;');
    expect(files['/etc/nginx/streamproof-time-scale.conf']).toContain('proxy_read_timeout 6000ms;');
    expect(files['/etc/nginx/streamproof-time-scale.conf']).not.toMatch(/^send_timeout/m);
    expect(Object.keys(files).filter((path) => path.startsWith('/etc/nginx/conf.d/'))).toEqual([]);
  });

  test('only the http level counts: a timeout in a server or location, or inside quotes and comments, still gets its scaled default', () => {
    const conf = 'events {}\nhttp {\n  log_format x \'{ "proxy_read_timeout": 1 }\';\n  # proxy_send_timeout 5s;\n  server { listen 80; proxy_read_timeout 90s; location / { send_timeout 9s; } }\n}\n';
    const defaults = renderNginxConfig(conf, upstream, 0.1, { wholeConfig: true, includes: {} }).files['/etc/nginx/streamproof-time-scale.conf']!;
    expect(defaults).toContain('proxy_read_timeout 6000ms;');
    expect(defaults).toContain('proxy_send_timeout 6000ms;');
    expect(defaults).toMatch(/^send_timeout 6000ms;/m);
  });

  test('included files at their nginx paths, their timeouts scaled; at scale 1 nothing is added', () => {
    const { files } = renderNginxConfig('events {}\nhttp { include proxy.conf; }\n', upstream, 1, { wholeConfig: true, includes: { '/etc/nginx/proxy.conf': 'proxy_read_timeout 90s;\n' } });
    expect(files).toEqual({ [NGINX_MAIN_CONFIG_PATH]: 'events {}\nhttp { include proxy.conf; }\n', '/etc/nginx/proxy.conf': 'proxy_read_timeout 90s;\n' });
    const scaled = renderNginxConfig('server {}', upstream, 0.5, { wholeConfig: false, includes: { '/etc/nginx/snippets/sse.conf': 'proxy_read_timeout 90s;\n' } });
    expect(scaled.files['/etc/nginx/snippets/sse.conf']).toBe('proxy_read_timeout 45000ms;\n');
  });
});
