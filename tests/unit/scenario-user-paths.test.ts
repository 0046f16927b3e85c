/**
 * A scenario's paths may name the user's own config files (`nginx:./deploy/site.conf`). Each is read
 * when the file loads, so every problem of every path shows at once, before any container starts.
 */
import { describe, expect, test } from 'vitest';
import { scenario, type ScenarioSpec } from '../../harness/scenario.ts';

const base = {
  name: 'user paths',
  llm: { script: {} },
  client: 'recorder',
  checks: ['completion'],
} as const;

const spec = (paths: string[]): ScenarioSpec => ({ ...base, paths, expect: Object.fromEntries(paths.map((path) => [path, 'pass'])) }) as unknown as ScenarioSpec;

describe('paths of your own files', () => {
  test('a missing file, a path mixing your file with a built-in box, a file with no upstream: all three at once', () => {
    const paths = [
      'nginx:./no/such/site.conf',
      'haproxy:default > nginx:./tests/fixtures/user-configs/nginx-hardened.conf',
      'nginx:./tests/fixtures/user-configs/no-upstream.conf',
    ];
    let message = '';
    try {
      scenario(spec(paths));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^STREAMPROOF_BAD_OPTIONS: scenario 'user paths' has 3 problem\(s\):/);
    expect(message).toMatch(/paths: 'nginx:\.\/no\/such\/site\.conf': no nginx site file at .*no\/such\/site\.conf/);
    expect(message).toContain("paths: 'haproxy:default > nginx:./tests/fixtures/user-configs/nginx-hardened.conf' mixes your own files with built-in profiles or toxiproxy");
    expect(message).toMatch(/paths: 'nginx:\.\/tests\/fixtures\/user-configs\/no-upstream\.conf': found no upstream host:port/);
    expect(message).toMatch(/\nTo fix: /);
  });

  test('a first file that listens with TLS: named with the way to test it (validate streams over TLS)', () => {
    expect(() => scenario(spec(['nginx:./tests/fixtures/user-configs/nginx-tls-certbot.conf']))).toThrow(
      /nginx-tls-certbot\.conf listens with TLS on port 443, and a scenario's clients connect in plain HTTP \(run `streamproof validate` on it/,
    );
  });

  test('a built-in profile that does not exist still names the way to use a file', () => {
    expect(() => scenario(spec(['nginx:my-site']))).toThrow(/no nginx profile 'my-site' in 'nginx:my-site' \(have: .*; or your own file as nginx:\.\/path\/to\/file\)/);
  });
});
