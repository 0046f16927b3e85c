/**
 * Every real-world config of tests/fixtures/real-world (provenance in its README), run as a user
 * runs it (`streamproof validate --nginx FILE` / `--haproxy FILE`), with the verdict measured for
 * it: a failed check only where a stream reached the model, exit 2 with the reason and the fix
 * where nothing could be tested, and never a container left behind. The files that reach a
 * verdict are also in validate.test.ts (ichrisbirch, socket.io's and FastChat's nginx.conf,
 * LibreChat); this table holds the rest.
 */
import { describe, expect, test } from 'vitest';
import { containersOfOwner, envOfNewRun, startChild } from './helpers.ts';

const REAL = 'tests/fixtures/real-world';

interface Case {
  args: string[];
  code: 0 | 1 | 2;
  /** What the output must say: the error code and problem, or the verdict line. */
  says: RegExp[];
}

const CASES: Record<string, Case> = {
  'dify default.conf.template: an envsubst template': {
    args: ['--nginx', `${REAL}/dify/conf.d/default.conf.template`],
    code: 2,
    says: [/STREAMPROOF_CANNOT_TEST: .*is a template: it holds \$\{NGINX_PORT\}/, /To fix: render it as your deployment does/],
  },
  'dify nginx.conf.template: a whole nginx.conf, but a template': {
    args: ['--nginx', `${REAL}/dify/nginx.conf.template`],
    code: 2,
    says: [/STREAMPROOF_CANNOT_TEST: .*is a template: it holds \$\{NGINX_WORKER_PROCESSES\}/],
  },
  'dify https.conf.template: a snippet': {
    args: ['--nginx', `${REAL}/dify/https.conf.template`],
    code: 2,
    says: [/STREAMPROOF_CANNOT_TEST: .*is a snippet for inside server \{\} or location \{\}/, /To fix: pass the site file or nginx\.conf that includes this snippet/],
  },
  'onyx app.conf.template.prod: a template': {
    args: ['--nginx', `${REAL}/onyx/app.conf.template.prod`],
    code: 2,
    says: [/STREAMPROOF_CANNOT_TEST: .*is a template: it holds \$\{ONYX_BACKEND_API_HOST\}/],
  },
  'onyx mcp.conf.template: a snippet': {
    args: ['--nginx', `${REAL}/onyx/mcp.conf.template`],
    code: 2,
    says: [/STREAMPROOF_CANNOT_TEST: .*is a snippet/],
  },
  "mastodon nginx.conf: listen 443 ssl with its ssl_certificate lines commented out, which nginx refuses": {
    args: ['--nginx', `${REAL}/mastodon/nginx.conf`],
    code: 2,
    says: [/STREAMPROOF_PROXY_CONFIG: nginx refused .*no "ssl_certificate" is defined for the "listen \.\.\. ssl" directive .*\(line 25 of .*mastodon\/nginx\.conf\)/],
  },
  'chatgpt-web nginx.conf: POST /v1/chat/completions lands in its static location (HTTP 405)': {
    args: ['--nginx', `${REAL}/chatgpt-web/nginx.conf`],
    code: 2,
    says: [/STREAMPROOF_CANNOT_TEST: 3 stream\(s\) never reached the mock LLM/, /HTTP 405/, /--path and --host naming a request your file proxies/],
  },
  'chatgpt-web nginx.conf with --path /api/chat-process: its bare location /api buffers and cuts': {
    args: ['--nginx', `${REAL}/chatgpt-web/nginx.conf`, '--path', '/api/chat-process'],
    code: 1,
    says: [/POST \/api\/chat-process is served by the server at nginx\.conf:1, location \/api \(nginx\.conf:18\)/, /buffering\s+FAIL\s+FAIL/, /no heartbeats\s+heartbeat\s+FAIL\s+FAIL cut/, /3 of 6 checks fail\./],
  },
  'sockjs-node haproxy.cfg: the 1.x address on the frontend line, which HAProxy 2.x refuses': {
    args: ['--haproxy', `${REAL}/sockjs-node/haproxy.cfg`],
    code: 2,
    says: [/STREAMPROOF_PROXY_CONFIG: line 9 of .*\(`frontend all 0\.0\.0\.0:8888`\) puts the listening address on the section line/, /To fix: move the address to a `bind` line of that section \(e\.g\. `bind 0\.0\.0\.0:8888`\)/],
  },
  'socket.io haproxy.cfg: nbproc, gone since HAProxy 2.5': {
    args: ['--haproxy', `${REAL}/socket.io/haproxy.cfg`],
    code: 2,
    says: [/STREAMPROOF_PROXY_CONFIG: haproxy refused .*\(line 6 of .*socket\.io\/haproxy\.cfg\).*nbproc is not supported any more since HAProxy 2\.5/],
  },
  "haproxy's basic-config-edge.cfg: servers on 192.0.2.x, other hosts' addresses": {
    args: ['--haproxy', `${REAL}/haproxy-examples/basic-config-edge.cfg`],
    code: 2,
    says: [/STREAMPROOF_CANNOT_TEST: .*proxies to 192\.0\.2\.1:80, another host's address/, /To fix: test a copy whose servers name the host/],
  },
  "haproxy's acl-content-sw.cfg: 1.3-era servers on 192.168.x addresses": {
    args: ['--haproxy', `${REAL}/haproxy-examples/acl-content-sw.cfg`],
    code: 2,
    says: [/STREAMPROOF_CANNOT_TEST: .*proxies to 192\.168\.12\.2:80, another host's address/],
  },
  'ailocal openai-proxy.cfg: errorfiles at absolute paths of its author\'s machine': {
    args: ['--haproxy', `${REAL}/ailocal-openai-proxy/openai-proxy.cfg`],
    code: 2,
    says: [/STREAMPROOF_PROXY_CONFIG: haproxy refused .*\(line 16 of .*openai-proxy\.cfg\).*errorfile : error opening file '\/home\/m\/Code/],
  },
  'ailocal conf.d/openai-proxy.cfg: refused by HAProxy at its frontend': {
    args: ['--haproxy', `${REAL}/ailocal-openai-proxy/conf.d/openai-proxy.cfg`],
    code: 2,
    says: [/STREAMPROOF_PROXY_CONFIG: haproxy refused .*\(line 31 of .*conf\.d\/openai-proxy\.cfg\)/],
  },
};

describe.concurrent('real-world configs as their users would run them (bookworm)', () => {
  test.each(Object.entries(CASES))('%s', async (_, { args, code, says }) => {
    const running = startChild(process.execPath, ['bin/streamproof.js', 'validate', ...args], {
      env: envOfNewRun({ STREAMPROOF_VERSIONS: 'bookworm', STREAMPROOF_TIME_SCALE: '0.1', NO_COLOR: '1' }),
    });
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 110_000);
    try {
      const r = await running.exited;
      const out = `${r.stdout}\n${r.stderr}`;
      expect(r.code, out).toBe(code);
      for (const pattern of says) expect(out).toMatch(pattern);
      // Exit 2 is never dressed as a verdict.
      if (code === 2) expect(out).not.toMatch(/checks? (fail|pass)\./);
      if (running.child.pid !== undefined) expect(await containersOfOwner(running.child.pid), 'containers left behind').toHaveLength(0);
    } finally {
      clearTimeout(timer);
    }
  });
});
