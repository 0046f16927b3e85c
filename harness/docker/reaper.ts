/**
 * Detached watchdog for one run (started by startReaper): waits until the owner process is gone,
 * removes the run's containers and networks, exits. Does Ryuk's job where Ryuk cannot be pulled.
 */
import { removeRunContainers } from './run-registry.ts';

const [runId, ownerPidText] = process.argv.slice(2);
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
