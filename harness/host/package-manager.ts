/**
 * Debian's package manager, one call at a time. Every install streamproof makes goes through here:
 * calls from this process queue behind each other (two image builds once raced for dpkg's lock and
 * one failed), and a lock another process holds (unattended-upgrades, a second streamproof) is
 * waited for, up to a bound, with a line naming the holder.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { StreamproofError } from '../errors.ts';
import { runCaptured, type CapturedRun } from './command.ts';
import { failureOf } from './failure-causes.ts';

export interface PackageManagerOptions {
  log: (line: string) => void;
  /** How long to wait for a lock held by another process. */
  lockWaitMs: number;
}

const LOCK_HELD = /Could not get lock (\S+?)\.? It is held by process (\d+)(?: \(([^)]*)\))?/;
const LOCK_BUSY = /Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock (the )?(administration )?directory/;
/** apt's words for a lock it may not open at all: no use waiting. */
const NOT_ROOT = /are you root\?|Could not open lock file .* Permission denied/;
const LOCK_POLL_MS = 1_000;
const STILL_WAITING_EVERY_MS = 30_000;

let queue: Promise<unknown> = Promise.resolve();

/** Run `work` after every earlier package-manager call of this process has ended. */
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const next = queue.then(work, work);
  queue = next.catch(() => {});
  return next;
}

export function isPackageInstalled(name: string): boolean {
  const query = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return query.status === 0 && query.stdout.trim() === 'install ok installed';
}

/** Why this process cannot install packages, or undefined when it can. */
export function cannotInstallBecause(packages: readonly string[]): StreamproofError | undefined {
  const command = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    return new StreamproofError(
      'STREAMPROOF_HOST_PREREQUISITE',
      `${packages.join(', ')} must be installed, and this host has no apt-get to install ${packages.length > 1 ? 'them' : 'it'}`,
      `install ${packages.join(', ')} with this system's package manager, then run streamproof again`,
    );
  }
  if (process.getuid?.() !== 0) {
    return new StreamproofError(
      'STREAMPROOF_NEEDS_ROOT',
      `installing ${packages.join(', ')} needs root, and this process runs as uid ${process.getuid?.()}`,
      `run 'sudo ${command}', or run streamproof setup --install as root`,
    );
  }
  return undefined;
}

/**
 * Install the packages of `packages` that are missing, in one apt-get call; `apt-get update`
 * first when the package lists are empty (as on a new machine) or do not know a package.
 */
export function installPackages(packages: readonly string[], options: PackageManagerOptions): Promise<void> {
  return oneAtATime(async () => {
    const missing = packages.filter((name) => !isPackageInstalled(name));
    if (missing.length === 0) return;
    const refused = cannotInstallBecause(missing);
    if (refused) throw refused;
    options.log(`installing ${missing.join(', ')} with apt-get (about a minute)`);
    const install = ['install', '-y', '-q', '--no-install-recommends', ...missing];
    let updated = '';
    if (!hasPackageLists()) updated = (await aptGet(['update', '-q'], options)).output;
    let result = await aptGet(install, options);
    if (result.code !== 0 && !updated && /Unable to locate package|has no installation candidate/.test(result.output)) {
      updated = (await aptGet(['update', '-q'], options)).output;
      result = await aptGet(install, options);
    }
    const stillMissing = missing.filter((name) => !isPackageInstalled(name));
    if (result.code !== 0 || stillMissing.length > 0) {
      throw failureOf(`apt-get install ${missing.join(' ')}`, `${updated}\n${result.output}`, {
        code: 'STREAMPROOF_PACKAGE_INSTALL',
        fix: `run 'apt-get install -y ${missing.join(' ')}' as root and read its error`,
      });
    }
    options.log(`installed ${missing.join(', ')}`);
  });
}

function hasPackageLists(): boolean {
  try {
    return readdirSync('/var/lib/apt/lists').some((file) => /_Packages(\.\w+)?$/.test(file));
  } catch {
    return false;
  }
}

/** One apt-get call; while another process holds a lock it needs, wait (bounded) and call again. */
async function aptGet(args: string[], options: PackageManagerOptions): Promise<CapturedRun> {
  const started = Date.now();
  let holder: string | undefined;
  let lastWord = 0;
  for (;;) {
    const result = await runCaptured('apt-get', args, { DEBIAN_FRONTEND: 'noninteractive' });
    if (result.code === 0 || !LOCK_BUSY.test(result.output) || NOT_ROOT.test(result.output)) return result;
    const held = LOCK_HELD.exec(result.output);
    const now = holder;
    holder = held ? `${held[1]} is held by process ${held[2]}${held[3] ? ` (${held[3]})` : ''}` : 'the package manager lock is taken';
    const waited = Date.now() - started;
    if (waited >= options.lockWaitMs) {
      throw new StreamproofError(
        'STREAMPROOF_PACKAGE_LOCKED',
        `apt-get ${args[0]} waited ${Math.round(waited / 1000)} s for the package manager: ${holder}`,
        'let that process finish (unattended-upgrades can take minutes), or raise STREAMPROOF_PACKAGE_LOCK_WAIT (seconds; now ' +
          `${Math.round(options.lockWaitMs / 1000)})`,
      );
    }
    if (holder !== now || waited - lastWord >= STILL_WAITING_EVERY_MS) {
      options.log(
        `waiting for the package manager: ${holder}; waited ${Math.round(waited / 1000)} s of at most ${Math.round(options.lockWaitMs / 1000)} s (STREAMPROOF_PACKAGE_LOCK_WAIT)`,
      );
      lastWord = waited;
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}
