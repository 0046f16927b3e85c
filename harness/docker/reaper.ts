/**
 * Detached watchdog for one run (started by startReaper): waits until the owner process is gone,
 * removes the run's containers and networks, exits. Does Ryuk's job where Ryuk cannot be pulled.
 * `reaper.ts RUN_ID --now` removes them at once (for signal handlers that must finish before exit).
 */
import { removeRunContainers } from './run-registry.ts';

const [runId, ownerPidText] = process.argv.slice(2);
if (runId && ownerPidText === '--now') {
  // Called synchronously from a signal handler: remove the run's containers, then exit.
  await removeRunContainers(runId).catch(() => {});
  process.exit(0);
}
const ownerPid = Number(ownerPidText);
if (!runId || !Number.isInteger(ownerPid)) process.exit(2);

function ownerAlive(): boolean {
  try {
    process.kill(ownerPid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * After the owner is gone, containers can still appear: a create request its workers sent just
 * before they died completes at the daemon afterwards (seen after SIGINT on a loaded machine: three
 * containers in state "created" 30 s later; a 5 s quiet window missed them once in fresh-machine
 * CI). So removal repeats until nothing of the run has turned up for 30 s.
 */
const QUIET_MS = 30_000;
const GIVE_UP_MS = 120_000;

async function removeUntilQuiet(runId: string): Promise<void> {
  const started = Date.now();
  let lastFound = Date.now();
  while (Date.now() - lastFound < QUIET_MS && Date.now() - started < GIVE_UP_MS) {
    const removed = await removeRunContainers(runId).catch(() => 0);
    if (removed > 0) lastFound = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const timer = setInterval(async () => {
  if (ownerAlive()) return;
  clearInterval(timer);
  await removeUntilQuiet(runId);
  process.exit(0);
}, 250);
