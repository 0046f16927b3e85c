/** `streamproof init` in a user's repository: the starter files, never over the user's own. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { REPO_ROOT, runChild } from '../integration/helpers.ts';

const repo = mkdtempSync(join(tmpdir(), 'streamproof-init-'));
afterAll(() => rmSync(repo, { recursive: true, force: true }));
const init = (...args: string[]) => runChild(process.execPath, [join(REPO_ROOT, 'bin', 'streamproof.js'), 'init', ...args], { cwd: repo });

test('writes a scenario on the named files (client side first) and both CI jobs; keeps what exists; --force overwrites', async () => {
  mkdirSync(join(repo, 'deploy'));
  writeFileSync(join(repo, 'deploy', 'site.conf'), 'server { listen 8080; location / { proxy_pass http://llm:8000; } }\n');
  writeFileSync(join(repo, 'edge.cfg'), 'frontend f\n  bind :80\n');
  const first = await init('--haproxy', 'edge.cfg', '--nginx', './deploy/site.conf');
  expect(first.code, first.stderr).toBe(0);
  const scenario = readFileSync(join(repo, 'streamproof', 'streams.scenario.ts'), 'utf8');
  expect(scenario).toContain("import { PASS, scenario } from 'streamproof';");
  expect(scenario).toContain("paths: ['direct', 'haproxy:./edge.cfg > nginx:./deploy/site.conf'],");
  expect(readFileSync(join(repo, '.github', 'workflows', 'streamproof.yml'), 'utf8')).toContain('npx streamproof run');
  expect(readFileSync(join(repo, 'ci', 'streamproof.gitlab-ci.yml'), 'utf8')).toContain('junit: reports/latest/junit.xml');

  writeFileSync(join(repo, '.github', 'workflows', 'streamproof.yml'), '# mine\n');
  const again = await init();
  expect(again.code).toBe(0);
  expect(again.stderr).toContain('kept .github/workflows/streamproof.yml (it exists; --force overwrites it)');
  expect(readFileSync(join(repo, '.github', 'workflows', 'streamproof.yml'), 'utf8')).toBe('# mine\n');
  expect((await init('--force')).code).toBe(0);
  expect(readFileSync(join(repo, '.github', 'workflows', 'streamproof.yml'), 'utf8')).toContain('actions/setup-node');
});

test('a config file that is not there: exit 2, STREAMPROOF_BAD_OPTIONS, nothing written', async () => {
  const empty = mkdtempSync(join(repo, 'empty-'));
  const result = await runChild(process.execPath, [join(REPO_ROOT, 'bin', 'streamproof.js'), 'init', '--nginx', 'nope.conf'], { cwd: empty });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/STREAMPROOF_BAD_OPTIONS: no such file: .*nope\.conf\nTo fix: /);
  expect(readdirSync(empty)).toEqual([]);
});
