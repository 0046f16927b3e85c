/**
 * Containers never outlive a run, even without Ryuk (no registry here to pull it from):
 * - every container carries the run's labels (run id, owner pid);
 * - a sweep at start removes containers of runs whose owner process is gone;
 * - a detached reaper process removes this run's containers as soon as the owner dies (Ctrl-C, kill -9);
 * - normal teardown removes them first, so the reaper usually finds nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { docker } from './engine.ts';
import { harnessModule } from '../package-files.ts';

export const LABEL_RUN = 'dev.streamproof.run';
export const LABEL_OWNER_PID = 'dev.streamproof.owner-pid';
export const LABEL_OWNER_HOST = 'dev.streamproof.owner-host';

export interface RunIdentity {
  runId: string;
  ownerPid: number;
}

const ENV_RUN_ID = 'STREAMPROOF_RUN_ID';
const ENV_OWNER_PID = 'STREAMPROOF_RUN_OWNER_PID';

/** The run this process belongs to: inherited from the process that owns the run (vitest's main process), else a new one. */
export function currentRun(): RunIdentity {
  const runId = process.env[ENV_RUN_ID];
  const ownerPid = Number(process.env[ENV_OWNER_PID]);
  if (runId && Number.isInteger(ownerPid)) return { runId, ownerPid };
  return beginRun();
}

/**
 * Make this process the owner of a run; child processes (vitest workers) inherit it. Idempotent:
 * a process owns one run however many projects set it up. `isNew` says whether it just began.
 */
export function beginRun(): RunIdentity & { isNew: boolean } {
  if (process.env[ENV_OWNER_PID] === String(process.pid) && process.env[ENV_RUN_ID]) {
    return { runId: process.env[ENV_RUN_ID], ownerPid: process.pid, isNew: false };
  }
  const identity = { runId: randomUUID().slice(0, 8), ownerPid: process.pid, isNew: true };
  process.env[ENV_RUN_ID] = identity.runId;
  process.env[ENV_OWNER_PID] = String(identity.ownerPid);
  return identity;
}

/**
 * A run of its own inside this process's run (`<run>.<part>`): what this process starts from now on
 * carries it, so a test file can count and remove exactly its own containers while scenarios of
 * the same run stream beside it (counting by the run's id once removed their containers: measured,
 * 7 scenario errors "no such container"). The run's teardown, reaper and signal handler remove
 * sub-runs with the run.
 */
export function beginSubRun(): RunIdentity {
  const { runId, ownerPid } = currentRun();
  const sub = { runId: `${runId.split('.')[0]}.${randomUUID().slice(0, 6)}`, ownerPid };
  process.env[ENV_RUN_ID] = sub.runId;
  return sub;
}

/** The run or one of its sub-runs. */
const inRun = (labels: Record<string, string>, runId: string) => labels[LABEL_RUN] === runId || labels[LABEL_RUN]?.startsWith(`${runId}.`) === true;

export function runLabels(run: RunIdentity = currentRun()): Record<string, string> {
  return { [LABEL_RUN]: run.runId, [LABEL_OWNER_PID]: String(run.ownerPid), [LABEL_OWNER_HOST]: hostname() };
}

function ownerAlive(labels: Record<string, string>): boolean {
  if (labels[LABEL_OWNER_HOST] !== hostname()) return true; // another host's run: not ours to judge
  const pid = Number(labels[LABEL_OWNER_PID]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function removeContainers(filter: (labels: Record<string, string>) => boolean): Promise<number> {
  const containers = await docker().listContainers({ all: true, filters: { label: [LABEL_RUN] } });
  const doomed = containers.filter((c) => filter(c.Labels));
  await Promise.all(doomed.map((c) => docker().getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
  const networks = await docker().listNetworks({ filters: { label: [LABEL_RUN] } });
  await Promise.all(
    networks.filter((n) => filter(n.Labels ?? {})).map((n) => docker().getNetwork(n.Id).remove().catch(() => {})),
  );
  return doomed.length;
}

/** Containers of runs whose owner process is gone: what the next sweep would remove. */
export async function sweepableContainerCount(): Promise<number> {
  const containers = await docker().listContainers({ all: true, filters: { label: [LABEL_RUN] } });
  return containers.filter((c) => !ownerAlive(c.Labels)).length;
}

/** Remove containers left by runs whose owner process is gone (a killed run, a crashed CI job). */
export function sweepStaleContainers(): Promise<number> {
  return removeContainers((labels) => !ownerAlive(labels));
}

/** The run's containers and networks, its sub-runs' too. */
export function removeRunContainers(runId: string): Promise<number> {
  return removeContainers((labels) => inRun(labels, runId));
}

/** Count the run's containers still present, its sub-runs' too (tests assert it is zero after teardown). */
export async function runContainerCount(runId: string): Promise<number> {
  const containers = await docker().listContainers({ all: true, filters: { label: [LABEL_RUN] } });
  return containers.filter((c) => inRun(c.Labels, runId)).length;
}

const REAPER = harnessModule('docker/reaper');

/**
 * Remove the run's containers before returning, from a signal handler: vitest calls
 * process.exit() 1 ms after SIGINT, so asynchronous cleanup there would never finish.
 */
export function removeRunContainersNow(runId: string): void {
  spawnSync(process.execPath, [REAPER, runId, '--now'], { stdio: 'ignore', timeout: 20_000 });
}

/**
 * Start the reaper: a detached process that waits for the owner to die, then removes the run's
 * containers. Its stdio goes nowhere, so it cannot hold a CI job's output open.
 */
export function startReaper(run: RunIdentity): void {
  const child = spawn(process.execPath, [REAPER, run.runId, String(run.ownerPid)], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  child.unref();
}
