/**
 * streamproof as a user gets it: `npm pack` of this checkout, installed into a new project on
 * Node 22 and on Node 24 (npm's own `node` packages), with a scenario file and a config file of
 * that project; then `npx streamproof --version`, `--help`, `run` and `validate` as a user runs
 * them. Exit codes, results.json, and no container left behind.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { docker } from '../../harness/docker/engine.ts';
import { LABEL_RUN } from '../../harness/docker/run-registry.ts';
import type { ResultsFile } from '../../harness/results.ts';
import { REPO_ROOT, runChild, type ChildResult } from '../integration/helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'streamproof-package-'));
const NPM_MS = 300_000;
let tarball = '';

/** A site file of the user's project: streaming-tuned, its upstream a name of their deployment. */
const SITE = `upstream llm-backend {
    server llm-backend:8000;
}

server {
    listen 8443;

    location /v1/ {
        proxy_pass http://llm-backend;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_buffering off;
        proxy_read_timeout 3600s;
    }
}
`;

const SCENARIO = `import { PASS, scenario } from 'streamproof';

scenario({
  name: 'our edge through a tool call',
  llm: { script: { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: 70 }, heartbeatSeconds: 15 } },
  client: 'recorder',
  checks: ['heartbeat', 'completion'],
  paths: ['direct', 'nginx:./deploy/site.conf'],
  expect: { direct: PASS, 'nginx:./deploy/site.conf': PASS },
});
`;

/** PATH with `nodeDir` first: npm, npx and the streamproof bin all run on that Node. */
const envWith = (nodeDir: string) => ({ ...process.env, PATH: `${nodeDir}${delimiter}${process.env.PATH}`, CI: 'true', npm_config_update_notifier: 'false' });

async function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ChildResult> {
  const result = await runChild('npm', args, { cwd, env, timeoutMs: NPM_MS });
  expect(result.code, `npm ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

const runIdOf = (output: string) => /streamproof: run (\w+)\b/.exec(output)?.[1];

beforeAll(async () => {
  // prepack builds dist/ (tsc), as for a publish.
  const packed = await npm(['pack', '--pack-destination', work, '--silent'], REPO_ROOT, process.env);
  tarball = join(work, packed.stdout.trim().split('\n').at(-1)!);
  expect(existsSync(tarball), tarball).toBe(true);
}, NPM_MS);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed tarball', () => {
  test('ships the build, the profiles and a licence; not the tests, decisions or CI', async () => {
    const listing = await runChild('tar', ['-tzf', tarball]);
    const files = listing.stdout.trim().split('\n');
    expect(files).toEqual(expect.arrayContaining(['package/bin/streamproof.js', 'package/dist/harness/index.js', 'package/dist/harness/index.d.ts', 'package/proxies/nginx/hardened.conf', 'package/LICENSE']));
    expect(files.filter((file) => /^package\/(tests|decisions|\.ci|bench|harness)\//.test(file))).toEqual([]);
  });
});

describe.each([
  { node: 22, nodeDir: async () => installNode(22) },
  { node: 24, nodeDir: async () => join(REPO_ROOT, 'node_modules', 'node', 'bin') },
])('installed into a new project on Node $node', ({ node, nodeDir }) => {
  const project = join(work, `project-node${node}`);
  let env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    env = envWith(await nodeDir());
    const version = await runChild('node', ['--version'], { env });
    expect(version.stdout.trim()).toMatch(new RegExp(`^v${node}\\.`));
    mkdirSync(join(project, 'deploy'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: `user-project-${node}`, private: true, type: 'module' }, null, 2));
    writeFileSync(join(project, 'deploy', 'site.conf'), SITE);
    writeFileSync(join(project, 'edge.scenario.ts'), SCENARIO);
    // vitest is an optional peer: a team that writes scenarios has it, one that only validates does not.
    await npm(['install', '--no-audit', '--no-fund', tarball, 'vitest@^5'], project, env);
  }, NPM_MS);

  test('--version and --help exit 0; --help lists exit codes, environment and examples', async () => {
    const version = await runChild('npx', ['streamproof', '--version'], { cwd: project, env });
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    const help = await runChild('npx', ['streamproof', '--help'], { cwd: project, env });
    expect(help.code, help.stderr).toBe(0);
    for (const heading of ['Exit codes:', 'Environment:', 'Examples:', 'STREAMPROOF_TIME_SCALE', 'validate', 'init']) expect(help.stdout).toContain(heading);
  });

  test('npx streamproof run: the project\'s scenario through the project\'s config file, results in ./reports/latest, exit 0, no container left', async () => {
    const run = await runChild('npx', ['streamproof', 'run', '--versions', 'bookworm'], { cwd: project, env, timeoutMs: 300_000 });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const results = JSON.parse(readFileSync(join(project, 'reports', 'latest', 'results.json'), 'utf8')) as ResultsFile;
    expect(results.summary).toMatchObject({ checks: 4, asExpected: 4, unexpected: 0, errors: 0 });
    expect(results.results.flatMap((r) => r.path)).toEqual(expect.arrayContaining([expect.stringMatching(/^nginx:site@1\.22\.\d+$/)]));
    await expectNoContainersOf(runIdOf(run.stderr + run.stdout));
  }, 300_000);

  test('npx streamproof validate --nginx on the project\'s file: exit 0, results.json in --report-dir', async () => {
    const validate = await runChild('npx', ['streamproof', 'validate', '--nginx', 'deploy/site.conf', '--versions', 'bookworm', '--report-dir', 'out'], {
      cwd: project,
      env,
      timeoutMs: 300_000,
    });
    expect(validate.code, `${validate.stdout}\n${validate.stderr}`).toBe(0);
    const results = JSON.parse(readFileSync(join(project, 'out', 'results.json'), 'utf8')) as ResultsFile;
    expect(results.summary.unexpected + results.summary.errors).toBe(0);
    expect(results.summary.checks).toBeGreaterThan(0);
    await expectNoContainersOf(runIdOf(validate.stderr + validate.stdout));
  }, 300_000);

  test('run --shard on two runners, then merge: every check once in one results.json, exit 0', async () => {
    mkdirSync(join(project, 'sharded'), { recursive: true });
    for (const name of ['first', 'second', 'third']) {
      writeFileSync(
        join(project, 'sharded', `${name}.scenario.ts`),
        `import { PASS, scenario } from 'streamproof';\n\nscenario({ name: '${name} shard file', llm: { script: { tokens: 8 } }, client: 'recorder', checks: ['completion', 'integrity'], paths: ['direct'], expect: { direct: PASS } });\n`,
      );
    }
    const checks: number[] = [];
    for (const shard of ['1/2', '2/2']) {
      const dir = `reports/shard-${shard[0]}`;
      const run = await runChild('npx', ['streamproof', 'run', 'sharded', '--shard', shard, '--report-dir', dir], { cwd: project, env, timeoutMs: 120_000 });
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      const part = JSON.parse(readFileSync(join(project, dir, 'results.json'), 'utf8')) as ResultsFile;
      expect(part.shard).toEqual({ index: Number(shard[0]), count: 2 });
      checks.push(part.summary.checks);
    }
    // vitest splits by file: 3 files of 2 checks each over 2 shards.
    expect(checks.toSorted()).toEqual([2, 4]);
    const merged = await runChild('npx', ['streamproof', 'merge', 'reports/shard-1', 'reports/shard-2', '--report-dir', 'reports/merged'], { cwd: project, env });
    expect(merged.code, `${merged.stdout}\n${merged.stderr}`).toBe(0);
    const results = JSON.parse(readFileSync(join(project, 'reports', 'merged', 'results.json'), 'utf8')) as ResultsFile;
    expect(results.summary).toEqual({ checks: 6, asExpected: 6, unexpected: 0, errors: 0 });
    expect(new Set(results.results.map((r) => r.scenario))).toEqual(new Set(['first shard file', 'second shard file', 'third shard file']));
    expect(existsSync(join(project, 'reports', 'merged', 'junit.xml'))).toBe(true);
    expect(merged.stdout).toMatch(/Shards: 1\/2 \d checks in [\d.]+ s, 2\/2 \d checks in [\d.]+ s/);
    // One shard's results alone would lose the other's checks: refused, with the fix.
    const partial = await runChild('npx', ['streamproof', 'merge', 'reports/shard-1'], { cwd: project, env });
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/STREAMPROOF_BAD_OPTIONS: the results cannot be merged:\n\s+missing shard 2\/2[\s\S]*To fix: /);
  }, 300_000);

  test('a scenario file that is not there: exit 2 with STREAMPROOF_BAD_OPTIONS and a To fix line', async () => {
    const run = await runChild('npx', ['streamproof', 'run', './nope.scenario.ts'], { cwd: project, env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/STREAMPROOF_BAD_OPTIONS: no file .*nope\.scenario\.ts\nTo fix: /);
  });
});

test('on a Node the dependencies do not support (the system Node 20 here): exit 2 with the remedy', async (context) => {
  const system = await runChild('/usr/bin/node', ['--version']).catch(() => undefined);
  if (!system || !/^v(1\d|20|21|23|25)\./.test(system.stdout)) {
    context.skip(`no unsupported system Node at /usr/bin/node (${system?.stdout.trim() ?? 'absent'})`);
    return;
  }
  const old = await runChild('/usr/bin/node', [join(REPO_ROOT, 'bin', 'streamproof.js'), '--help']);
  expect(old.code).toBe(2);
  expect(old.stderr).toMatch(/^STREAMPROOF_NODE_UNSUPPORTED: Node 2\d\.\d+\.\d+ runs this; streamproof runs on Node \^22\.22\.0 \|\| \^24\.0\.0 \|\| >=26\.0\.0\nTo fix: use Node 24 LTS/);
});

/** npm's own Node 22 package, installed beside the projects; the directory of its `node`. */
async function installNode(major: number): Promise<string> {
  const prefix = join(work, `node${major}`);
  mkdirSync(prefix, { recursive: true });
  await npm(['install', '--no-audit', '--no-fund', '--prefix', prefix, `node@${major}`], prefix, process.env);
  return join(prefix, 'node_modules', '.bin');
}

async function expectNoContainersOf(runId: string | undefined): Promise<void> {
  expect(runId, 'the run id streamproof prints').toBeTruthy();
  const left = await docker().listContainers({ all: true, filters: { label: [`${LABEL_RUN}=${runId}`] } });
  expect(left.map((c) => `${c.Names.join(',')} ${c.State}`)).toEqual([]);
}
