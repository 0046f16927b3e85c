/**
 * Host prerequisites on a real Debian host, with the real apt-get, dpkg, debootstrap and Docker:
 * one install however many builds ask at once, a lock another process holds waited for (bounded,
 * named), and each known cause of a failed install or build mapped to its own fix.
 *
 * These tests remove debootstrap from the host and install it again (as a new machine lacks it),
 * so they run only as root on a host with apt-get; the package's .deb is kept first and put back
 * with dpkg whatever happens. They hold dpkg's lock for seconds: nothing else in the suite installs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { docker } from '../../harness/docker/engine.ts';
import { imageExists } from '../../harness/docker/images.ts';
import { buildLocalImage } from '../../harness/docker/local-build.ts';
import { isStreamproofError } from '../../harness/errors.ts';
import { findCommand, runCaptured } from '../../harness/host/command.ts';
import { installPackages, isPackageInstalled } from '../../harness/host/package-manager.ts';
import { readSettings } from '../../harness/settings.ts';
import { REPO_ROOT, runChild } from '../integration/helpers.ts';

const DPKG_LOCK = '/var/lib/dpkg/lock-frontend';
const isRootWithApt = process.getuid?.() === 0 && findCommand('apt-get') !== undefined && findCommand('python3') !== undefined;
const mirror = readSettings().debianMirror;
const scratch = mkdtempSync(join(tmpdir(), 'streamproof-prerequisites-'));
let savedDeb: string | undefined;

if (!isRootWithApt) {
  process.stderr.write('streamproof: skipping the host prerequisite tests: they need root, apt-get and python3 (a Debian CI host)\n');
}

/** The error `action` rejects with (fails the test if it resolves). */
async function rejectionOf(action: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await action;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a failure, but it succeeded');
}

/** Make this host one without debootstrap, as a new machine is. */
async function removeDebootstrap(): Promise<void> {
  if (isPackageInstalled('debootstrap')) {
    const removed = await runCaptured('dpkg', ['--remove', 'debootstrap']);
    expect(removed.code, removed.output).toBe(0);
  }
  expect(findCommand('debootstrap')).toBeUndefined();
}

/** Another process holding dpkg's lock, as unattended-upgrades does; resolves once it holds it. */
async function holdDpkgLock(seconds: number): Promise<ChildProcess> {
  const holder = spawn(
    'python3',
    [
      '-c',
      // apt takes fcntl (POSIX) locks: lockf is the same kind, so apt-get sees this process as the holder.
      `import fcntl, os, sys, time
fd = os.open('${DPKG_LOCK}', os.O_RDWR | os.O_CREAT, 0o640)
fcntl.lockf(fd, fcntl.LOCK_EX)
print('locked', flush=True)
time.sleep(${seconds})`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: holder.stdout! });
  await new Promise<void>((resolve, reject) => {
    holder.once('error', reject);
    holder.once('exit', (code) => reject(new Error(`the lock holder exited (${code}) before taking the lock`)));
    lines.once('line', (line) => (line === 'locked' ? resolve() : reject(new Error(`lock holder said ${line}`))));
  });
  return holder;
}

describe.skipIf(!isRootWithApt)('host prerequisites, installed for real', () => {
  beforeAll(async () => {
    // Keep the package, to put it back even where the mirror goes away during the tests.
    const cached = readdirSync('/var/cache/apt/archives').find((file) => /^debootstrap_.*\.deb$/.test(file));
    if (cached) savedDeb = join('/var/cache/apt/archives', cached);
    else {
      const download = await runCaptured('sh', ['-c', `cd '${scratch}' && apt-get download debootstrap`]);
      expect(download.code, `apt-get download debootstrap (to restore it afterwards):\n${download.output}`).toBe(0);
      savedDeb = join(scratch, readdirSync(scratch).find((file) => file.endsWith('.deb'))!);
    }
  }, 60_000);

  afterAll(async () => {
    if (!findCommand('debootstrap') && savedDeb) await runCaptured('dpkg', ['--install', savedDeb]);
    rmSync(scratch, { recursive: true, force: true });
  });

  test('a dpkg lock another process holds is waited for, with a line naming the holder, then the install goes on', async () => {
    await removeDebootstrap();
    const holder = await holdDpkgLock(3);
    const released = new Promise<number>((resolve) => holder.once('exit', () => resolve(Date.now())));
    const lines: string[] = [];
    await installPackages(['debootstrap'], { log: (line) => lines.push(line), lockWaitMs: 60_000 });
    const installedAt = Date.now();

    expect(findCommand('debootstrap')).toBeDefined();
    const waiting = lines.filter((line) => line.startsWith('waiting for the package manager'));
    expect(waiting, lines.join('\n')).toHaveLength(1);
    expect(waiting[0]).toContain(`${DPKG_LOCK} is held by process ${holder.pid} (python3)`);
    expect(waiting[0]).toContain('STREAMPROOF_PACKAGE_LOCK_WAIT');
    expect(installedAt).toBeGreaterThanOrEqual(await released);
  }, 120_000);

  test('the wait is bounded: past it, STREAMPROOF_PACKAGE_LOCKED names the holder and the setting', async () => {
    await removeDebootstrap();
    const holder = await holdDpkgLock(60);
    try {
      const started = Date.now();
      const error = await rejectionOf(installPackages(['debootstrap'], { log: () => {}, lockWaitMs: 2_000 }));
      expect(error.code, error.message).toBe('STREAMPROOF_PACKAGE_LOCKED');
      expect(error.message).toContain(`held by process ${holder.pid} (python3)`);
      expect(error.message).toMatch(/\nTo fix: .*STREAMPROOF_PACKAGE_LOCK_WAIT/);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      holder.kill();
    }
  }, 60_000);

  test('two concurrent image builds on a host without debootstrap: one install, both builds succeed', async () => {
    await removeDebootstrap();
    const lines: string[] = [];
    const options = { install: true, log: (line: string) => lines.push(line), lockWaitMs: 300_000 };
    const builds = ['bookworm', 'sid'].map((suite) => ({
      suite,
      image: `streamproof-test/prerequisites:${suite}-${process.pid}`,
      packages: ['ca-certificates'],
      mirror,
    }));
    try {
      await Promise.all(builds.map((build) => buildLocalImage(build, options)));
      expect(lines.filter((line) => line.startsWith('installing ')), lines.join('\n')).toEqual([
        'installing debootstrap with apt-get (about a minute)',
      ]);
      for (const build of builds) expect(await imageExists(build.image), build.image).toBe(true);
      // The import keeps what the proxies need: a PATH, and the label the sweep knows.
      const config = (await docker().getImage(builds[0]!.image).inspect()).Config;
      expect(config.Labels).toMatchObject({ 'dev.streamproof.image': 'proxies' });
      expect(config.Env).toContain('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    } finally {
      for (const build of builds) await docker().getImage(build.image).remove({ force: true }).catch(() => {});
    }
  }, 400_000);

  test('a suite this debootstrap does not know: STREAMPROOF_IMAGE_BUILD quoting debootstrap, with its own fix', async () => {
    const error = await rejectionOf(
      buildLocalImage(
        { suite: 'no-such-suite', image: 'streamproof-test/prerequisites:none', packages: [], mirror },
        { install: true, log: () => {}, lockWaitMs: 60_000 },
      ),
    );
    expect(error.code, error.message).toBe('STREAMPROOF_IMAGE_BUILD');
    expect(error.message).toContain('this debootstrap does not know the suite');
    expect(error.message).toContain('No such script: /usr/share/debootstrap/scripts/no-such-suite');
    expect(error.message).toMatch(/\nTo fix: upgrade debootstrap.*--versions/);
  }, 120_000);

  test('an unreachable mirror: STREAMPROOF_MIRROR_UNREACHABLE quoting debootstrap, naming the setting', async () => {
    const error = await rejectionOf(
      buildLocalImage(
        { suite: 'bookworm', image: 'streamproof-test/prerequisites:none', packages: [], mirror: 'http://127.0.0.1:9/debian' },
        { install: true, log: () => {}, lockWaitMs: 60_000 },
      ),
    );
    expect(error.code, error.message).toBe('STREAMPROOF_MIRROR_UNREACHABLE');
    expect(error.message).toContain('Failed getting release file http://127.0.0.1:9/debian/dists/bookworm/Release');
    expect(error.message).toMatch(/\nTo fix: .*STREAMPROOF_DEBIAN_MIRROR/);
  }, 120_000);

  test('a full disk under TMPDIR: STREAMPROOF_DISK_FULL before debootstrap starts, naming the directory and its free space', async (context) => {
    const small = join(scratch, 'small');
    mkdirSync(small, { recursive: true });
    const mounted = await runCaptured('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', small]);
    if (mounted.code !== 0) {
      context.skip(`cannot mount a small tmpfs here: ${mounted.output.trim()}`);
      return;
    }
    try {
      vi.stubEnv('TMPDIR', small);
      const error = await rejectionOf(
        buildLocalImage(
          { suite: 'bookworm', image: 'streamproof-test/prerequisites:none', packages: [], mirror },
          { install: true, log: () => {}, lockWaitMs: 60_000 },
        ),
      );
      expect(error.code, error.message).toBe('STREAMPROOF_DISK_FULL');
      expect(error.message).toMatch(new RegExp(`needs about 600 MB free in ${small}, which has [0-8] MB`));
      expect(error.message).toMatch(/\nTo fix: free space there, or set TMPDIR/);
      expect(readdirSync(small)).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
      await runCaptured('umount', [small]);
    }
  }, 60_000);

  test('not root: installing says it needs root with the command to run; without install, every missing prerequisite is named at once', async () => {
    await removeDebootstrap();
    const ensure = (install: boolean) =>
      runChild(
        'setpriv',
        [
          ...['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e'],
          `import { ensurePrerequisites } from ${JSON.stringify(join(REPO_ROOT, 'harness/host/prerequisites.ts'))};
try {
  await ensurePrerequisites(['debootstrap', 'chromium'], { install: ${install}, log: () => {}, lockWaitMs: 5000 });
} catch (error) {
  process.stderr.write(error.message);
  process.exit(2);
}`,
        ],
        { env: { ...process.env, STREAMPROOF_CHROMIUM: '/nonexistent/chromium', HOME: scratch } },
      );

    const install = await ensure(true);
    expect(install.code, install.stderr).toBe(2);
    expect(install.stderr).toContain('STREAMPROOF_NEEDS_ROOT: installing debootstrap needs root, and this process runs as uid 65534');
    expect(install.stderr).toContain("To fix: run 'sudo apt-get install -y --no-install-recommends debootstrap'");

    const check = await ensure(false);
    expect(check.code, check.stderr).toBe(2);
    expect(check.stderr).toContain('STREAMPROOF_HOST_PREREQUISITE: this host lacks debootstrap (for building proxy images');
    expect(check.stderr).toContain('and Chromium (for the browser-eventsource client');
    expect(check.stderr).toContain("To fix: run 'streamproof setup --install' as root");
    expect(findCommand('debootstrap')).toBeUndefined();
  }, 60_000);
});
