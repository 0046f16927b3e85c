/** Shared by the integration tests: bounded polling of Docker and child processes, leftover checks. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { afterEach, expect } from 'vitest';
import { docker } from '../../harness/docker/engine.ts';
import { beginSubRun, LABEL_OWNER_PID, LABEL_RUN, removeRunContainers, runContainerCount } from '../../harness/docker/run-registry.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Poll `probe` every `intervalMs` until it returns a value other than undefined; throw at the deadline. */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 200 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Every streamproof-labelled container (any state) whose owner pid is `pid`. */
export async function containersOfOwner(pid: number): Promise<Dockerode.ContainerInfo[]> {
  return docker().listContainers({ all: true, filters: { label: [LABEL_RUN, `${LABEL_OWNER_PID}=${pid}`] } });
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningChild {
  child: ChildProcess;
  /** Everything written so far (stdout + stderr), for failure messages. */
  output(): string;
  /** Resolves when the process has exited and its streams are closed. */
  exited: Promise<ChildResult>;
}

/** Spawn a process with captured output; the Node 24 running this test is `process.execPath`. */
export function startChild(command: string, args: string[], options: SpawnOptions = {}): RunningChild {
  const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d));
  child.stderr?.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<ChildResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, output: () => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`, exited };
}

/** Run a process to completion, bounded. */
export async function runChild(command: string, args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<ChildResult> {
  const { timeoutMs = 30_000, ...spawnOptions } = options;
  const running = startChild(command, args, spawnOptions);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  try {
    return await running.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** The process environment without the variables that tie a process to this test run. */
export function envOfNewRun(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.STREAMPROOF_RUN_ID;
  delete env.STREAMPROOF_RUN_OWNER_PID;
  return env;
}

/**
 * After every test of the file: no container of this run may be left (each failure must clean up
 * after itself). Leftovers are removed before the test fails, so the next one is judged on its own.
 */
export function expectNoContainersLeftAfterEach(): void {
  // This file's own sub-run: the scenarios of the same run stream beside it, and their containers
  // are neither this file's leftovers nor its to remove.
  const parent = process.env.STREAMPROOF_RUN_ID;
  const runId = parent ? beginSubRun().runId : undefined;
  afterEach(async () => {
    expect(runId, 'global setup exports the run id').toBeTruthy();
    if (!runId) return;
    const left = await runContainerCount(runId);
    if (left > 0) await removeRunContainers(runId);
    expect(left, `containers of run ${runId} left after the failure`).toBe(0);
  });
}
