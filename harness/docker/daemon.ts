/**
 * Make a Docker engine answer. Where one answers, nothing is touched (never restart or stop an
 * engine streamproof did not start). Only with `install`: Debian's docker.io is installed where
 * dockerd is missing, and dockerd is started directly, detached, its output in a log file (Debian's
 * init script fails on `ulimit` in containers, and a daemon holding the caller's stdout hangs CI).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { ensureDockerAnswers } from './engine.ts';
import { StreamproofError } from '../errors.ts';
import { tail } from '../host/failure-causes.ts';
import { findCommand } from '../host/command.ts';
import { ensurePrerequisites, type EnsureOptions } from '../host/prerequisites.ts';

export const DOCKERD_LOG = process.env.STREAMPROOF_DOCKERD_LOG ?? '/var/log/streamproof-dockerd.log';
const START_WAIT_MS = 60_000;

export async function ensureDockerEngine(options: EnsureOptions): Promise<void> {
  if (await answers(5_000)) {
    options.log('the Docker engine answers; leaving it as it is');
    return;
  }
  const where = process.env.DOCKER_HOST;
  if (where && !where.startsWith('unix://')) {
    throw new StreamproofError(
      'STREAMPROOF_DOCKER_UNAVAILABLE',
      `no Docker engine answers at DOCKER_HOST=${where}`,
      'start that engine (or fix DOCKER_HOST); streamproof installs and starts an engine only on this host, with DOCKER_HOST unset',
    );
  }
  if (!options.install) {
    throw new StreamproofError(
      'STREAMPROOF_DOCKER_UNAVAILABLE',
      findCommand('dockerd') ? 'dockerd is installed but no Docker engine answers' : 'no Docker engine answers and none is installed',
      findCommand('dockerd')
        ? "start it ('sudo systemctl start docker'), or run 'streamproof setup --install' as root to start dockerd directly"
        : "install Docker (https://docs.docker.com/engine/install/), or run 'streamproof setup --install' as root on Debian or Ubuntu (installs docker.io, starts dockerd)",
    );
  }
  await ensurePrerequisites(['docker'], options);
  if (!dockerdRunning()) {
    if (process.getuid?.() !== 0) {
      throw new StreamproofError('STREAMPROOF_NEEDS_ROOT', 'starting dockerd needs root', "run 'sudo streamproof setup --install', or start Docker yourself");
    }
    options.log(`starting dockerd in the background (log: ${DOCKERD_LOG})`);
    const out = openSync(DOCKERD_LOG, 'a');
    try {
      // Its own session and no fd of ours: the daemon outlives this process without holding its pipes.
      spawn(findCommand('dockerd')!, [], { detached: true, stdio: ['ignore', out, out] }).unref();
    } finally {
      closeSync(out);
    }
  }
  const deadline = Date.now() + START_WAIT_MS;
  while (Date.now() < deadline) {
    if (await answers(2_000)) {
      options.log('the Docker engine answers');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const logTail = existsSync(DOCKERD_LOG) ? tail(readFileSync(DOCKERD_LOG, 'utf8'), 15).replace(/^/gm, '  ') : '  (no log)';
  throw new StreamproofError(
    'STREAMPROOF_DOCKER_UNAVAILABLE',
    `dockerd did not answer within ${START_WAIT_MS / 1000} s; the end of ${DOCKERD_LOG}:\n${logTail}`,
    `read ${DOCKERD_LOG} for the daemon's own error (a second dockerd, or missing iptables, are common causes)`,
  );
}

async function answers(timeoutMs: number): Promise<boolean> {
  try {
    await ensureDockerAnswers(timeoutMs);
    return true;
  } catch {
    return false;
  }
}

function dockerdRunning(): boolean {
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'dockerd') return true;
    } catch {
      // the process ended meanwhile
    }
  }
  return false;
}
