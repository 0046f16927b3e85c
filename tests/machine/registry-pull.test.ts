/**
 * The pull path, against a real registry: Debian's docker-registry (its binary, unpacked from the
 * package into a temporary directory: no service installed or started) on 127.0.0.1, serving a
 * local proxy build pushed to it under a team's own name. `validate --image nginx=<that name>` pulls
 * it and runs it; a name the registry does not have is "cannot test" (exit 2), never a verdict.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { docker } from '../../harness/docker/engine.ts';
import { imageExists, resolveImage } from '../../harness/docker/images.ts';
import { findCommand, runCaptured } from '../../harness/host/command.ts';
import { readSettings } from '../../harness/settings.ts';
import { pollUntil, runChild } from '../integration/helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'streamproof-registry-'));
const canUnpack = findCommand('apt-get') !== undefined && findCommand('dpkg-deb') !== undefined;
let registry: ChildProcess | undefined;
let address = '';
const pushed = () => `${address}/team/nginx:deployed-${process.pid}`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function follow(stream: NodeJS.ReadableStream): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    docker().modem.followProgress(stream, (error: Error | null, output: Array<{ error?: string }>) => {
      const failure = error?.message ?? output.find((line) => line.error)?.error;
      if (failure) reject(new Error(failure));
      else resolve();
    }),
  );
}

describe.skipIf(!canUnpack)("a team's image from a registry on 127.0.0.1", () => {
  beforeAll(async () => {
    const download = await runCaptured('sh', ['-c', `cd '${work}' && apt-get download docker-registry`]);
    expect(download.code, `apt-get download docker-registry:\n${download.output}`).toBe(0);
    const deb = readdirSync(work).find((file) => file.endsWith('.deb'))!;
    const unpacked = await runCaptured('dpkg-deb', ['-x', join(work, deb), join(work, 'root')]);
    expect(unpacked.code, unpacked.output).toBe(0);

    address = `127.0.0.1:${await freePort()}`;
    writeFileSync(
      join(work, 'config.yml'),
      ['version: 0.1', 'storage:', '  filesystem:', `    rootdirectory: ${join(work, 'storage')}`, 'http:', `  addr: ${address}`, ''].join('\n'),
    );
    registry = spawn(join(work, 'root', 'usr', 'bin', 'docker-registry'), ['serve', join(work, 'config.yml')], { stdio: 'ignore' });
    await pollUntil('the registry to answer /v2/', async () => ((await fetch(`http://${address}/v2/`).catch(() => undefined))?.status === 200 ? true : undefined), {
      timeoutMs: 20_000,
    });

    // A local build, pushed under the team's name, then gone from this engine: only a pull brings it back.
    const local = await resolveImage('nginx', 'bookworm', { source: readSettings().imageSource });
    const [repo, tag] = [pushed().slice(0, pushed().lastIndexOf(':')), pushed().slice(pushed().lastIndexOf(':') + 1)];
    await docker().getImage(local.image).tag({ repo, tag });
    await follow(await docker().getImage(pushed()).push({ authconfig: {} }));
    await docker().getImage(pushed()).remove();
    expect(await imageExists(pushed())).toBe(false);
  }, 120_000);

  afterAll(async () => {
    registry?.kill();
    await docker().getImage(pushed()).remove().catch(() => {});
    rmSync(work, { recursive: true, force: true });
  });

  test('validate --image pulls the named image and runs the file in it: exit 0', async () => {
    const result = await runChild(
      process.execPath,
      ['bin/streamproof.js', 'validate', '--nginx', 'tests/fixtures/user-configs/nginx-hardened.conf', '--image', `nginx=${pushed()}`, '--versions', 'bookworm,sid'],
      { timeoutMs: 180_000 },
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stderr).toContain(`streamproof: pulling ${pushed()}`);
    expect(await imageExists(pushed())).toBe(true);
    // One version: the image the team named, whatever --versions says.
    expect(result.stdout.match(/nginx:nginx-hardened@1\.22\.\d+/g)?.length).toBeGreaterThan(0);
    expect(result.stdout).not.toMatch(/@1\.30\./);
  }, 180_000);

  test('an image the registry does not have: exit 2, STREAMPROOF_IMAGE_UNAVAILABLE with the registry\'s answer, before any container', async () => {
    const missing = `${address}/team/nginx:no-such-tag`;
    const result = await runChild(process.execPath, ['bin/streamproof.js', 'validate', '--nginx', 'tests/fixtures/user-configs/nginx-hardened.conf', '--image', `nginx=${missing}`], {
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`STREAMPROOF_IMAGE_UNAVAILABLE: cannot pull ${missing}, the image named for this run:`);
    expect(result.stderr).toMatch(/\nTo fix: check the name, and that Docker reaches its registry/);
    // Refused before the run began: no container was started to be left behind.
    expect(result.stderr).not.toMatch(/streamproof: run \w+/);
  }, 60_000);
});

