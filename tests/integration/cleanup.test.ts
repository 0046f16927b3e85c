/**
 * Containers never outlive a run: Ctrl-C (SIGINT) and kill -9 of a real `vitest run` leave none
 * behind, and the start-of-run sweep removes a dead run's containers but never a live run's.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { docker } from '../../harness/docker/engine.ts';
import { LABEL_OWNER_HOST, LABEL_OWNER_PID, LABEL_RUN, sweepStaleContainers } from '../../harness/docker/run-registry.ts';
import { containersOfOwner, envOfNewRun, pollUntil, startChild } from './helpers.ts';

const reportDir = mkdtempSync(join(tmpdir(), 'streamproof-cleanup-'));
afterAll(() => rmSync(reportDir, { recursive: true, force: true }));

/** Is any process of the process group `pgid` still alive? */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describe('an interrupted run leaves no container', () => {
  test.each(['SIGINT', 'SIGKILL'] as const)('%s to vitest: its containers are removed', async (signal) => {
    // A scenario with a 70 s tool pause at time scale 1: its containers are up long before it ends.
    const running = startChild(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', '--project', 'scenarios', 'tool-pause-no-heartbeat'],
      {
        // Its own process group, so that afterwards its workers can be checked (and killed) as a group.
        detached: true,
        env: envOfNewRun({ STREAMPROOF_TIME_SCALE: '1', STREAMPROOF_REPORT_DIR: reportDir, NO_COLOR: '1' }),
      },
    );
    const pid = running.child.pid!;
    try {
      const first = await pollUntil(
        `a container owned by vitest (pid ${pid})`,
        async () => {
          if (running.child.exitCode !== null) throw new Error(`vitest exited early (${running.child.exitCode}):\n${running.output()}`);
          const containers = await containersOfOwner(pid);
          return containers.length > 0 ? containers : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );
      expect(first[0]!.Labels[LABEL_OWNER_HOST]).toBe(hostname());

      running.child.kill(signal);

      await pollUntil(
        `no container owned by pid ${pid} after ${signal}`,
        async () => ((await containersOfOwner(pid)).length === 0 ? true : undefined),
        // Generous: on a loaded machine a create sent just before the signal completes up to ~30 s
        // later, and the reaper removes it then (harness/docker/reaper.ts).
        { timeoutMs: 60_000, intervalMs: 200 },
      ).catch(async (error: Error) => {
        const left = (await containersOfOwner(pid)).map((c) => `${c.Id.slice(0, 12)} ${c.State}`);
        throw new Error(`${error.message}; still there: ${left.join(', ')}\n${running.output()}`);
      });

      // vitest and its workers must be gone too: a worker left behind could start a container later.
      const exit = await Promise.race([
        running.exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`vitest did not exit after ${signal}`)), 15_000).unref()),
      ]);
      if (signal === 'SIGKILL') expect(exit.signal).toBe('SIGKILL');
      else expect(exit.code, running.output()).not.toBe(0);
      await pollUntil(`vitest's workers (process group ${pid}) to exit`, async () => (groupAlive(pid) ? undefined : true), {
        timeoutMs: 15_000,
      });
      expect(await containersOfOwner(pid)).toEqual([]);
    } finally {
      if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
      // Whatever happened, this test leaves nothing behind.
      const left = await containersOfOwner(pid);
      await Promise.all(left.map((c) => docker().getContainer(c.Id).remove({ force: true }).catch(() => {})));
    }
  }, 180_000);
});

describe('sweepStaleContainers', () => {
  async function deadPid(): Promise<number> {
    const child = spawn('true', [], { stdio: 'ignore' });
    await new Promise((resolve, reject) => child.once('exit', resolve).once('error', reject));
    return child.pid!;
  }

  async function exists(id: string): Promise<boolean> {
    try {
      await docker().getContainer(id).inspect();
      return true;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      throw error;
    }
  }

  const created: string[] = [];

  async function sleeper(labels: Record<string, string>): Promise<string> {
    const images = JSON.parse(process.env.STREAMPROOF_IMAGES ?? '{}') as Record<string, string>;
    const image = images['nginx:bookworm'];
    if (!image) throw new Error(`STREAMPROOF_IMAGES names no nginx:bookworm image: ${process.env.STREAMPROOF_IMAGES}`);
    const container = await docker().createContainer({ Image: image, Cmd: ['sleep', '300'], Labels: labels });
    created.push(container.id);
    await container.start();
    return container.id;
  }

  test('removes a dead owner’s containers, keeps a live owner’s and another host’s', async () => {
    const tag = randomUUID().slice(0, 8);
    const dead = String(await deadPid());
    expect(() => process.kill(Number(dead), 0)).toThrow();

    try {
      const [stale, live, foreign] = await Promise.all([
        sleeper({ [LABEL_RUN]: `itest-stale-${tag}`, [LABEL_OWNER_PID]: dead, [LABEL_OWNER_HOST]: hostname() }),
        sleeper({ [LABEL_RUN]: `itest-live-${tag}`, [LABEL_OWNER_PID]: String(process.pid), [LABEL_OWNER_HOST]: hostname() }),
        // A dead pid on another host says nothing about that host's process: not ours to remove.
        sleeper({ [LABEL_RUN]: `itest-foreign-${tag}`, [LABEL_OWNER_PID]: dead, [LABEL_OWNER_HOST]: `not-${hostname()}` }),
      ]);
      expect(await exists(stale)).toBe(true);

      await sweepStaleContainers();

      expect(await exists(stale), 'the dead owner’s container is removed').toBe(false);
      expect(await exists(live), 'the live owner’s container survives').toBe(true);
      expect(await exists(foreign), 'another host’s container survives').toBe(true);
    } finally {
      await Promise.all(created.map((id) => docker().getContainer(id).remove({ force: true }).catch(() => {})));
    }
  });
});
