/**
 * A proxy image built from a Debian suite, for machines no registry answers: debootstrap a minbase
 * root with the packages, then import it into Docker through its API (no docker CLI needed).
 * debootstrap comes from the host prerequisites, installed once before any build starts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker } from './engine.ts';
import { StreamproofError } from '../errors.ts';
import { FAILURE_CAUSES, failureOf, type FailureCause } from '../host/failure-causes.ts';
import { findCommand, runCaptured as run } from '../host/command.ts';
import { ensurePrerequisites, type EnsureOptions } from '../host/prerequisites.ts';

export interface LocalBuild {
  suite: string;
  /** The image name (repository:tag) to create. */
  image: string;
  packages: readonly string[];
  mirror: string;
}

/** Bump when the steps below change what an image holds: the tag hashes it, so images are rebuilt. */
export const LOCAL_BUILD_RECIPE = 'debootstrap minbase + docker import, v2';

/**
 * Free space one build needs in TMPDIR: at its end the root of bookworm with nginx and haproxy held
 * 239 MB (measured; 89 MB of it package caches and lists, removed before the import). With room
 * for the suites' growth.
 */
export const BUILD_FREE_BYTES = 600 * 1024 * 1024;

/** debootstrap's own failures, before the general causes (which also cover its downloads). */
const DEBOOTSTRAP_CAUSES: readonly FailureCause[] = [
  {
    code: 'STREAMPROOF_IMAGE_BUILD',
    pattern: /No such script/,
    cause: 'this debootstrap does not know the suite',
    fix: 'upgrade debootstrap (a newer Debian release or backports knows newer suites), or leave this version out with --versions',
  },
  {
    code: 'STREAMPROOF_IMAGE_BUILD',
    pattern: /Release file .* is expired|Invalid Release signature|NO_PUBKEY|Release signed by unknown key|Couldn't find these debs/i,
    cause: "the mirror's Release file did not verify, or lacks the packages",
    fix: 'check the system clock and the mirror (STREAMPROOF_DEBIAN_MIRROR), and that debian-archive-keyring is installed',
  },
  ...FAILURE_CAUSES,
];

export async function buildLocalImage(build: LocalBuild, options: EnsureOptions): Promise<void> {
  await ensurePrerequisites(['debootstrap'], options);
  if (process.getuid?.() !== 0) {
    throw new StreamproofError(
      'STREAMPROOF_NEEDS_ROOT',
      `building ${build.image} from Debian ${build.suite} needs root (debootstrap chroots into the new root)`,
      'run streamproof setup as root once (the images stay), or let a registry answer so images are pulled (STREAMPROOF_IMAGE_SOURCE=public)',
    );
  }
  const scratch = tmpdir();
  assertFreeSpace(scratch, build);
  options.log(`building ${build.image} from Debian ${build.suite} (no registry answered; about 90 s, once per machine)`);
  const root = mkdtempSync(join(scratch, `streamproof-rootfs-${build.suite}-`));
  try {
    const bootstrap = await run(findCommand('debootstrap')!, [
      '--variant=minbase',
      ...(build.packages.length > 0 ? [`--include=${build.packages.join(',')}`] : []),
      build.suite,
      root,
      build.mirror,
    ]);
    if (bootstrap.code !== 0) {
      const ownLog = readOr(join(root, 'debootstrap', 'debootstrap.log'));
      if (freeBytes(scratch) < BUILD_FREE_BYTES / 4) throw diskFull(scratch, build, `debootstrap stopped: ${lastLine(bootstrap.output)}`);
      throw failureOf(`debootstrap of Debian ${build.suite} from ${build.mirror}`, `${ownLog}\n${bootstrap.output}`, {
        code: 'STREAMPROOF_IMAGE_BUILD',
        fix: `run 'debootstrap --variant=minbase ${build.suite} /tmp/x ${build.mirror}' as root and read its error, or let a registry answer (STREAMPROOF_IMAGE_SOURCE=public)`,
      }, DEBOOTSTRAP_CAUSES);
    }
    // Package caches are not part of the image; the stock configs stay as Debian ships them.
    await run('sh', ['-c', 'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*', 'sh', root]);
    await importRoot(root, build);
    options.log(`built ${build.image}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** `tar -C root -c . | docker import`, through the engine's API. */
async function importRoot(root: string, build: LocalBuild): Promise<void> {
  const tar = spawn('tar', ['--numeric-owner', '-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tarError = '';
  tar.stderr.on('data', (d: Buffer) => (tarError += d));
  const [repo, tag] = splitName(build.image);
  try {
    const progress = await docker().importImage(tar.stdout, {
      repo,
      tag,
      message: `streamproof local build: debian ${build.suite} + ${build.packages.join(',')}`,
      changes: ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LABEL dev.streamproof.image=proxies'],
    });
    await new Promise<void>((resolve, reject) =>
      docker().modem.followProgress(progress, (error: Error | null, output: Array<{ error?: string }>) => {
        const failure = error?.message ?? output.find((line) => line.error)?.error;
        if (failure) reject(new Error(failure));
        else resolve();
      }),
    );
  } catch (error) {
    throw failureOf(`importing Debian ${build.suite}'s root into Docker as ${build.image}`, `${tarError}\n${(error as Error).message}`, {
      code: 'STREAMPROOF_IMAGE_BUILD',
      fix: "check that the Docker engine has disk space (docker system df) and answers ('streamproof doctor')",
    });
  }
}

function splitName(image: string): [string, string] {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? [image.slice(0, colon), image.slice(colon + 1)] : [image, 'latest'];
}

function assertFreeSpace(dir: string, build: LocalBuild): void {
  if (freeBytes(dir) < BUILD_FREE_BYTES) throw diskFull(dir, build, 'before debootstrap started');
}

function diskFull(dir: string, build: LocalBuild, when: string): StreamproofError {
  const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
  return new StreamproofError(
    'STREAMPROOF_DISK_FULL',
    `building ${build.image} from Debian ${build.suite} needs about ${mb(BUILD_FREE_BYTES)} free in ${dir}, which has ${mb(freeBytes(dir))} (${when})`,
    `free space there, or set TMPDIR to a directory on a larger disk`,
  );
}

function freeBytes(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function lastLine(output: string): string {
  return output.trim().split('\n').at(-1) ?? '';
}
