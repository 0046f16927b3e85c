/**
 * A haproxy.cfg HAProxy refuses: STREAMPROOF_PROXY_CONFIG with HAProxy's own message and the
 * file:line it names, a "To fix:" line, and no container left behind (as for nginx in bad-input).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { loadHaproxyProfile } from '../../harness/proxies/haproxy-config.ts';
import { Stack } from '../../harness/stack.ts';
import { expectNoContainersLeftAfterEach } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'streamproof-haproxy-bad-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Every failure below must leave no container of this run behind.
expectNoContainersLeftAfterEach();

test('a misspelt keyword in a haproxy.cfg: STREAMPROOF_PROXY_CONFIG with HAProxy\'s message and file:line, on every version', async () => {
  const text = loadHaproxyProfile('default').text.replace('\toption\tdontlognull\n', '\toption\tdontlognul\n');
  const typoLine = text.split('\n').findIndex((l) => l.includes('dontlognul') && !l.includes('dontlognull')) + 1;
  expect(typoLine).toBeGreaterThan(0);
  const file = join(tmp, 'typo.cfg');
  writeFileSync(file, text);

  // Several at once and on each HAProxy release (2.6 and 3.x log the refusal from different processes).
  const versions = ['bookworm', 'sid', 'bookworm', 'sid'] as const;
  const stacks = versions.map(() => new Stack());
  try {
    const errors = await Promise.all(
      stacks.map((stack, i) =>
        stack.proxy({ kind: 'haproxy', profile: file, version: versions[i]! }, 9, 0.1).then(
          () => new Error('expected a failure, but it started'),
          (error: Error) => error,
        ),
      ),
    );
    for (const error of errors as Array<Error & { code?: string }>) {
      expect(error.code, error.message).toBe('STREAMPROOF_PROXY_CONFIG');
      expect(error.message).toContain("unknown option 'dontlognul'");
      expect(error.message).toContain(`haproxy.cfg:${typoLine}]`);
      expect(error.message).toContain(`line ${typoLine} of ${file}`);
      expect(error.message).toMatch(/\nTo fix: \S/);
    }
  } finally {
    await Promise.all(stacks.map((stack) => stack[Symbol.asyncDispose]()));
  }
});

test('an unknown haproxy profile: STREAMPROOF_UNKNOWN_PROFILE before any container', async () => {
  const stack = new Stack();
  try {
    const error = await stack.proxy({ kind: 'haproxy', profile: 'nope', version: 'bookworm' }, 9, 0.1).then(
      () => new Error('expected a failure'),
      (e: Error) => e,
    );
    expect((error as { code?: string }).code).toBe('STREAMPROOF_UNKNOWN_PROFILE');
    expect(error.message).toContain('hardened');
  } finally {
    await stack[Symbol.asyncDispose]();
  }
});
