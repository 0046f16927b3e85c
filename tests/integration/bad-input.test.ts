/**
 * Bad input fails early, with a STREAMPROOF_* code, every problem named, a "To fix:" line, and no
 * container left behind.
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isStreamproofError } from '../../harness/errors.ts';
import { MockLlm } from '../../harness/mock-llm/index.ts';
import { loadNginxSite, nginxProfiles } from '../../harness/proxies/nginx-config.ts';
import { scenario, type ScenarioSpec } from '../../harness/scenario.ts';
import { PROXY_VERSIONS } from '../../harness/settings.ts';
import { Stack } from '../../harness/stack.ts';
import { envOfNewRun, expectNoContainersLeftAfterEach, runChild } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'streamproof-bad-input-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Every failure below must leave no container of this run behind.
expectNoContainersLeftAfterEach();

/** The error `action` throws or rejects with (fails the test if it succeeds). */
async function failureOf(action: () => unknown): Promise<Error & { code?: string }> {
  try {
    await action();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a failure, but it succeeded');
}

function expectToFix(error: Error): void {
  expect(error.message).toMatch(/\nTo fix: \S/);
}

describe('nginx configuration', () => {
  test('a misspelt directive in a site file: STREAMPROOF_PROXY_CONFIG naming the directive and file:line', async () => {
    const lines = [
      '# a site with a typo',
      'server {',
      '    listen 8080;',
      '    location / {',
      '        proxy_pass http://llm_upstream;',
      '        proxy_bufering off;',
      '    }',
      '}',
    ];
    const typoLine = lines.findIndex((l) => l.includes('proxy_bufering')) + 1;
    const file = join(tmp, 'typo.conf');
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect(loadNginxSite(file).text).toContain('proxy_bufering');

    // Several at once: how quickly nginx exits after refusing a config must not change the outcome.
    const stacks = Array.from({ length: 6 }, () => new Stack());
    try {
      const errors = await Promise.all(
        stacks.map((stack) => failureOf(() => stack.proxy({ kind: 'nginx', profile: file, version: 'bookworm' }, 9, 0.1))),
      );
      for (const error of errors) {
        expect(error.code, error.message).toBe('STREAMPROOF_PROXY_CONFIG');
        expect(error.message).toContain('unknown directive "proxy_bufering"');
        expect(error.message).toContain(`streamproof-site.conf:${typoLine}`);
        expectToFix(error);
      }
    } finally {
      await Promise.all(stacks.map((stack) => stack[Symbol.asyncDispose]()));
    }
  });

  test('an unknown profile: STREAMPROOF_UNKNOWN_PROFILE listing the available ones', async () => {
    const profiles = nginxProfiles();
    expect(profiles).toEqual(expect.arrayContaining(['default', 'hardened']));

    const error = await failureOf(() => loadNginxSite('nope'));
    expect(error.code).toBe('STREAMPROOF_UNKNOWN_PROFILE');
    expect(error.message).toContain("'nope'");
    for (const profile of profiles) expect(error.message).toContain(profile);
    expectToFix(error);

    // Through the stack too: refused before any container is created.
    const stack = new Stack();
    try {
      const viaStack = await failureOf(() => stack.proxy({ kind: 'nginx', profile: 'nope', version: 'bookworm' }, 9, 0.1));
      expect(viaStack.code).toBe('STREAMPROOF_UNKNOWN_PROFILE');
    } finally {
      await stack[Symbol.asyncDispose]();
    }
  });
});

describe('scenario options', () => {
  test('several bad fields at once: STREAMPROOF_BAD_OPTIONS naming every one', async () => {
    const spec = {
      name: 'bad options',
      llm: { script: { tokens: -1 } },
      client: 'curl',
      checks: [],
      expect: { direct: 'pass' },
      maxReconects: 3,
    } as unknown as ScenarioSpec;

    const error = await failureOf(() => scenario(spec));
    expect(error.code).toBe('STREAMPROOF_BAD_OPTIONS');
    expect(isStreamproofError(error)).toBe(true);
    const problems = error.message.split('\n').filter((l) => l.startsWith('  '));
    const problem = (needle: RegExp) => expect(problems.some((l) => needle.test(l)), `a problem line matching ${needle} in:\n${error.message}`).toBe(true);
    problem(/^\s*client: .*recorder/); // names what is allowed
    problem(/^\s*checks: .*/);
    problem(/^\s*llm\.script\.tokens: .*>0/);
    problem(/Unrecognized key: "maxReconects"/);
    expect(error.message).toMatch(/has 4 problem\(s\)/);
    // Only real problems: the script has no tool call, so none may be reported about one.
    expect(error.message).not.toContain('toolCall');
    expectToFix(error);
  });
  test('a mistyped threshold name is an error, not silently ignored', async () => {
    const spec = {
      name: 'typo in thresholds',
      llm: {},
      client: 'recorder',
      checks: ['buffering'],
      thresholds: { delayP59Ms: 300 },
      expect: { direct: 'pass' },
    } as unknown as ScenarioSpec;
    const error = await failureOf(() => scenario(spec));
    expect(error.code).toBe('STREAMPROOF_BAD_OPTIONS');
    expect(error.message).toMatch(/thresholds: Unrecognized key: "delayP59Ms"/);
  });
  test('paths and faults: a broken chain, an unknown profile in a chain, faults with no toxiproxy box, a bad toxic', async () => {
    const spec = {
      name: 'bad chain',
      llm: {},
      client: 'recorder',
      checks: ['completion'],
      paths: ['haproxy:alb -> nginx', 'haproxy:nope > nginx:hardened', 'nginx:default > haproxy:alb'],
      faults: [{ type: 'reset_peers' }, { type: 'latency', attributes: { latency: 'slow' } }],
      expect: { 'nginx:default > haproxy:alb': 'pass' },
    } as unknown as ScenarioSpec;
    const error = await failureOf(() => scenario(spec));
    expect(error.code).toBe('STREAMPROOF_BAD_OPTIONS');
    expect(error.message).toMatch(/paths\.0: a path is `direct`, or boxes `kind:profile` or `kind:\.\/your\/file` joined by ` > `/);
    expect(error.message).toMatch(/faults\.0\.type: .*reset_peer/);
    expect(error.message).toMatch(/faults\.1\.attributes\.latency: .*number/);
    expectToFix(error);

    // With the grammar right, profiles are checked box by box, and faults need a toxiproxy box.
    const second = await failureOf(() =>
      scenario({ ...spec, paths: ['haproxy:nope > nginx:hardened'], faults: [{ type: 'latency' }], expect: {} } as unknown as ScenarioSpec),
    );
    expect(second.message).toMatch(/no haproxy profile 'nope' in 'haproxy:nope > nginx:hardened' \(have: .*alb/);
    expect(second.message).toMatch(/faults: no path has a toxiproxy box/);
  });
});

describe('the CLI', () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runChild(process.execPath, ['bin/streamproof.js', ...args], {
      env: envOfNewRun({ STREAMPROOF_REPORT_DIR: join(tmp, 'reports'), NO_COLOR: '1', ...env }),
      timeoutMs: 30_000,
    });

  test('doctor: every need checked, exit 0 here; without Docker it names the problem and the fix, exit 1', async () => {
    const healthy = await cli(['doctor']);
    expect(healthy.code, healthy.stdout + healthy.stderr).toBe(0);
    for (const need of ['Node', 'Docker', 'mock LLM addresses', 'nginx@bookworm image', 'haproxy@bookworm image', 'toxiproxy images']) {
      expect(healthy.stdout).toMatch(new RegExp(`^ok\\s+${need}`, 'm'));
    }
    const socket = '/tmp/streamproof-no-docker.sock';
    const broken = await cli(['doctor'], { DOCKER_HOST: `unix://${socket}` });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^FAIL\s+Docker: STREAMPROOF_DOCKER_UNAVAILABLE/m);
    expect(broken.stdout).toMatch(/To fix: \S/);
  });

  test('no Docker engine: exit 2, STREAMPROOF_DOCKER_UNAVAILABLE with a remedy', async () => {
    const socket = '/tmp/streamproof-no-docker.sock';
    expect(existsSync(socket), `${socket} must not exist`).toBe(false);
    const result = await cli(['images'], { DOCKER_HOST: `unix://${socket}` });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('STREAMPROOF_DOCKER_UNAVAILABLE');
    expect(result.stderr).toContain(socket);
    expect(result.stderr).toMatch(/To fix: \S/);
  });

  test('--time-scale out of range: refused, naming the option and the allowed range', async () => {
    const result = await cli(['run', '--time-scale', '5']);
    expect(result.code, result.stdout + result.stderr).not.toBe(0);
    expect(result.stderr).toContain('--time-scale');
    expect(result.stderr).toContain('(0, 1]');
    expect(result.stdout, 'no scenario ran').not.toMatch(/RUN|Test Files/);
  });

  test('--versions with an unknown version: refused, naming the allowed versions', async () => {
    const result = await cli(['run', '--versions', 'jessie']);
    expect(result.code, result.stdout + result.stderr).not.toBe(0);
    expect(result.stderr).toContain('--versions');
    expect(result.stderr).toContain('jessie');
    for (const version of PROXY_VERSIONS) expect(result.stderr).toContain(version);
    expect(result.stdout, 'no scenario ran').not.toMatch(/RUN|Test Files/);
  });

  test('an unknown option: refused, naming it', async () => {
    const result = await cli(['run', '--time-scal', '0.5']);
    expect(result.code, result.stdout + result.stderr).not.toBe(0);
    expect(result.stderr).toContain("unknown option '--time-scal'");
    expect(result.stdout, 'no scenario ran').not.toMatch(/RUN|Test Files/);
  });
});

describe('mock LLM', () => {
  test('a port already taken: STREAMPROOF_PORT_TAKEN with a remedy', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve, reject) => holder.once('error', reject).listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const error = await failureOf(() => MockLlm.start({ mode: 'stateless', hosts: ['127.0.0.1'], port }));
      expect(error.code).toBe('STREAMPROOF_PORT_TAKEN');
      expect(isStreamproofError(error)).toBe(true);
      expect(error.message).toContain(`127.0.0.1:${port}`);
      expectToFix(error);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
