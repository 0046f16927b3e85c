/**
 * What this host needs beside Node: the programs streamproof runs, each with the Debian packages
 * that bring it. Installed only when asked (`streamproof setup --install`), once per process
 * however many callers ask at the same time, all missing ones in one package-manager call.
 */
import { existsSync } from 'node:fs';
import { StreamproofError } from '../errors.ts';
import { CHROMIUM_PATH } from './chromium.ts';
import { findCommand } from './command.ts';
import { cannotInstallBecause, installPackages, type PackageManagerOptions } from './package-manager.ts';

export interface Prerequisite {
  /** What it is, as a user names it. */
  title: string;
  /** What streamproof needs it for. */
  neededFor: string;
  /** Debian packages that bring it. */
  packages: readonly string[];
  present(): boolean;
}

export const PREREQUISITES = {
  docker: {
    title: 'the Docker engine (dockerd)',
    neededFor: 'every proxy runs in a container',
    packages: ['docker.io', 'iptables', 'ca-certificates'],
    present: () => findCommand('dockerd') !== undefined,
  },
  debootstrap: {
    title: 'debootstrap',
    neededFor: 'building proxy images from Debian packages where no registry answers',
    packages: ['debootstrap'],
    present: () => findCommand('debootstrap') !== undefined,
  },
  chromium: {
    title: 'Chromium',
    neededFor: 'the browser-eventsource client and the HTML report check',
    packages: ['chromium'],
    present: () => existsSync(CHROMIUM_PATH),
  },
} as const satisfies Record<string, Prerequisite>;

export type PrerequisiteName = keyof typeof PREREQUISITES;

export interface EnsureOptions extends PackageManagerOptions {
  /** Install what is missing (setup --install); otherwise a missing one is an error with the remedy. */
  install: boolean;
}

/** One promise per prerequisite per process: concurrent callers share one install. */
const ensured = new Map<PrerequisiteName, Promise<void>>();

export async function ensurePrerequisites(names: readonly PrerequisiteName[], options: EnsureOptions): Promise<void> {
  const fresh = names.filter((name) => !ensured.has(name));
  if (fresh.length > 0) {
    const together = ensureNow(fresh, options);
    for (const name of fresh) ensured.set(name, together);
    // A failed install may be retried by a later call (after the user freed the lock, say).
    together.catch(() => fresh.forEach((name) => ensured.delete(name)));
  }
  await Promise.all(names.map((name) => ensured.get(name)));
}

async function ensureNow(names: readonly PrerequisiteName[], options: EnsureOptions): Promise<void> {
  const missing = names.map((name) => PREREQUISITES[name]).filter((prerequisite) => !prerequisite.present());
  if (missing.length === 0) return;
  const packages = [...new Set(missing.flatMap((prerequisite) => prerequisite.packages))];
  const described = missing.map((prerequisite) => `${prerequisite.title} (for ${prerequisite.neededFor})`);
  if (!options.install) {
    const refused = cannotInstallBecause(packages);
    throw new StreamproofError(
      'STREAMPROOF_HOST_PREREQUISITE',
      `this host lacks ${described.join(' and ')}`,
      refused && refused.code !== 'STREAMPROOF_NEEDS_ROOT'
        ? refused.fix
        : `run 'streamproof setup --install' as root (it installs ${packages.join(' ')} with apt-get), or 'sudo apt-get install -y --no-install-recommends ${packages.join(' ')}'`,
    );
  }
  await installPackages(packages, options);
  const still = missing.filter((prerequisite) => !prerequisite.present());
  if (still.length > 0) {
    throw new StreamproofError(
      'STREAMPROOF_HOST_PREREQUISITE',
      `installed ${packages.join(', ')}, yet ${still.map((p) => p.title).join(' and ')} cannot be found${still.some((p) => p === PREREQUISITES.chromium) ? ` (Chromium expected at ${CHROMIUM_PATH})` : ''}`,
      'check PATH includes /usr/sbin and /usr/bin (and STREAMPROOF_CHROMIUM, if set, names the executable)',
    );
  }
}
