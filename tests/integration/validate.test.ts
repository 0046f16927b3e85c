/**
 * `streamproof validate` as a user runs it (a child process), against realistic configs of
 * tests/fixtures/user-configs/, unmodified: the exit code is right for CI, each failure names its
 * directive and fix, a broken config ends with nginx's own message and line, and nothing is left
 * behind. One version (bookworm) keeps it to ~15 s per config; the four run side by side.
 */
import { describe, expect, test } from 'vitest';
import { containersOfOwner, envOfNewRun, startChild, type ChildResult } from './helpers.ts';

const FIXTURES = 'tests/fixtures/user-configs';

/** Runs the CLI to completion (bounded), then counts the containers its process left behind. */
async function validate(...args: string[]): Promise<ChildResult & { left: number }> {
  const running = startChild(process.execPath, ['bin/streamproof.js', 'validate', ...args], {
    env: envOfNewRun({ STREAMPROOF_VERSIONS: 'bookworm', STREAMPROOF_TIME_SCALE: '0.1', NO_COLOR: '1' }),
  });
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 110_000);
  try {
    const result = await running.exited;
    const left = running.child.pid === undefined ? 0 : (await containersOfOwner(running.child.pid)).length;
    return { ...result, left };
  } finally {
    clearTimeout(timer);
  }
}

describe.concurrent('streamproof validate', () => {
  test('a default-ish nginx site (upstream block, location /v1/): exit 1, buffering and proxy_read_timeout named with their fix', async () => {
    const r = await validate('--nginx', `${FIXTURES}/nginx-default.conf`);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.left, 'containers left behind').toBe(0);
    expect(r.code, out).toBe(1);
    expect(r.stdout).toContain('upstream llm-backend:8000 (read from the config)');
    expect(r.stdout).toContain('proxy_buffering is on and the upstream is spoken to in HTTP/1.0');
    expect(r.stdout).toMatch(/token streaming.*buffering\s+FAIL\s+FAIL/);
    expect(r.stdout).toContain('add `proxy_buffering off;`');
    expect(r.stdout).toContain('proxy_read_timeout 60s (default) < 70 s tool pause and no heartbeat reached the client');
  });

  test('a hardened nginx site, on its own listen port, with --upstream: exit 0', async () => {
    const r = await validate('--nginx', `${FIXTURES}/nginx-hardened.conf`, '--upstream', 'llm-backend:8000');
    expect(r.left, 'containers left behind').toBe(0);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('listen port 8443');
    expect(r.stdout).toContain('All 6 checks pass.');
  });

  test('an haproxy.cfg with the stock 50 s timeout server: exit 1, timeout server named with its fix', async () => {
    const r = await validate('--haproxy', `${FIXTURES}/haproxy.cfg`);
    expect(r.left, 'containers left behind').toBe(0);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    expect(r.stdout).toMatch(/haproxy:haproxy@2\.6\.\d+/);
    expect(r.stdout).toContain('timeout server 50 s < 70 s tool pause and no heartbeat reached the client');
    expect(r.stdout).toContain('raise `timeout server` in the backend');
    expect(r.stdout).toContain('1 of 6 checks fail.');
  });

  test('a site allowing one connection per client: the streams refused while the others ran run again alone, exit 0', async () => {
    const r = await validate('--nginx', `${FIXTURES}/nginx-limit-conn.conf`);
    expect(r.left, 'containers left behind').toBe(0);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/refused while the others ran \(HTTP 503\): run again on its own/);
    expect(r.stdout).toContain('All 6 checks pass.');
  });

  test("a broken nginx site: exit 2 with nginx's own message and the line of the user's file, no container left", async () => {
    const r = await validate('--nginx', `${FIXTURES}/nginx-broken.conf`);
    expect(r.left, 'containers left behind').toBe(0);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(2);
    expect(r.stderr).toContain('STREAMPROOF_PROXY_CONFIG');
    expect(r.stderr).toContain('invalid value "of" in "proxy_buffering" directive');
    expect(r.stderr).toMatch(/line 10 of \S*nginx-broken\.conf/);
    expect(r.stderr).toMatch(/\nTo fix: \S/);
  });

  test('no upstream in the config and no --upstream: STREAMPROOF_BAD_OPTIONS with a To fix line, exit 2', async () => {
    const r = await validate('--nginx', `${FIXTURES}/no-upstream.conf`);
    expect(r.left, 'containers left behind').toBe(0);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(2);
    expect(r.stderr).toContain('STREAMPROOF_BAD_OPTIONS: found no upstream host:port');
    expect(r.stderr).toContain('To fix: name the host:port your config proxies to: --upstream');
  });
});
