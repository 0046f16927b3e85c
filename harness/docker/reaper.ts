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

const timer = setInterval(async () => {
  if (ownerAlive()) return;
  clearInterval(timer);
  await removeRunContainers(runId).catch(() => {});
  process.exit(0);
}, 250);
