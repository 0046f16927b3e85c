/**
 * What decides how streamproof starts where it is installed: the Node versions it accepts (one rule,
 * stated twice: plain JS for old Nodes, TypeScript for the harness), the Docker engine the docker CLI
 * would use, and which scenario files `streamproof run` takes from its arguments.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isSupportedNode as binRule } from '../../bin/check-node.js';
import { dockerContextHost } from '../../harness/docker/docker-context.ts';
import { isSupportedNode, SUPPORTED_NODE } from '../../harness/node-version.ts';
import { selectScenarioFiles } from '../../harness/vitest/scenario-files.ts';

const tmp = mkdtempSync(join(tmpdir(), 'streamproof-entry-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('Node versions', () => {
  const cases = ['20.20.2', '22.12.0', '22.21.9', '22.22.0', '22.23.3', '23.11.0', '24.0.0', '24.21.0', '25.2.1', '26.0.0', '27.1.0', 'v24.1.0'];
  test.each(cases)('%s: the bin check and the harness agree', (version) => {
    expect(binRule(version)).toBe(isSupportedNode(version));
  });
  test('the rule is the engines range of package.json', async () => {
    const manifest = (await import('../../package.json', { with: { type: 'json' } })).default as { engines: { node: string } };
    expect(manifest.engines.node).toBe(SUPPORTED_NODE);
    expect(cases.filter(isSupportedNode)).toEqual(['22.22.0', '22.23.3', '24.0.0', '24.21.0', '26.0.0', '27.1.0', 'v24.1.0']);
  });
});

describe('the docker context', () => {
  function configDir(current: string | undefined, contexts: Record<string, string>): string {
    const dir = mkdtempSync(join(tmp, 'docker-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(current ? { currentContext: current } : {}));
    for (const [name, host] of Object.entries(contexts)) {
      const meta = join(dir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
      mkdirSync(meta, { recursive: true });
      writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: name, Endpoints: { docker: { Host: host } } }));
    }
    return dir;
  }

  test('the current context of the CLI config names the engine; default and none name none', () => {
    const dir = configDir('remote', { remote: 'tcp://10.0.0.5:2375' });
    expect(dockerContextHost({ DOCKER_CONFIG: dir })).toBe('tcp://10.0.0.5:2375');
    expect(dockerContextHost({ DOCKER_CONFIG: configDir('default', {}) })).toBeUndefined();
    expect(dockerContextHost({ DOCKER_CONFIG: configDir(undefined, {}) })).toBeUndefined();
  });

  test('DOCKER_CONTEXT wins over the config file, as for the CLI', () => {
    const dir = configDir('remote', { remote: 'tcp://10.0.0.5:2375', other: 'ssh://me@host' });
    expect(dockerContextHost({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'other' })).toBe('ssh://me@host');
  });
});

describe('streamproof run: the files its arguments name', () => {
  const root = join(tmp, 'repo');
  mkdirSync(join(root, 'streams', 'edge'), { recursive: true });
  mkdirSync(join(root, 'node_modules', 'dep'), { recursive: true });
  for (const file of ['streams/a.scenario.ts', 'streams/edge/b.scenario.ts', 'other.ts', 'node_modules/dep/x.scenario.ts']) writeFileSync(join(root, file), '');

  test('none: every scenario file under the directory', () => {
    expect(selectScenarioFiles([], root)).toEqual({ include: ['**/*.scenario.{ts,mts,js,mjs}'], filters: [] });
  });

  test('a file runs whatever its name; a directory runs its scenario files; a glob its matches; a word filters', () => {
    expect(selectScenarioFiles(['./other.ts', 'streams/edge', 'streams/*.scenario.ts', 'edge'], root)).toEqual({
      include: ['other.ts', 'streams/edge/**/*.scenario.{ts,mts,js,mjs}', 'streams/a.scenario.ts'],
      filters: ['edge'],
    });
  });

  test('every path and glob that finds nothing, at once: STREAMPROOF_BAD_OPTIONS', () => {
    expect(() => selectScenarioFiles(['./missing.scenario.ts', 'nope/*.ts'], root)).toThrow(
      /STREAMPROOF_BAD_OPTIONS: 2 problems:\n {2}no file .*missing\.scenario\.ts\n {2}the glob nope\/\*\.ts matches no file/,
    );
  });

  test('no scenario file at all: STREAMPROOF_NO_SCENARIOS naming init', () => {
    const empty = mkdtempSync(join(tmp, 'empty-'));
    expect(() => selectScenarioFiles([], empty)).toThrow(/STREAMPROOF_NO_SCENARIOS: no scenario file .*\nTo fix: .*npx streamproof init/);
  });
});
