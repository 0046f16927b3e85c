/**
 * Runs once in vitest's main process before any scenario: Docker answers, stale containers from
 * killed runs are swept, a reaper guards this run, images are ready (pulled or built once), and
 * signals clean up from here, since workers die before their fixtures' teardown on Ctrl-C.
 */
import { ensureDockerAnswers, hostGatewayAddress } from '../docker/engine.ts';
import { resolveImage } from '../docker/images.ts';
import { beginRun, removeRunContainers, removeRunContainersNow, startReaper, sweepStaleContainers } from '../docker/run-registry.ts';
import { assertNodeVersion } from '../node-version.ts';
import { readSettings } from '../settings.ts';
import { shareWithWorkers } from '../stack.ts';

const log = (line: string) => process.stderr.write(`streamproof: ${line}\n`);

export default async function setup(): Promise<() => Promise<void>> {
  assertNodeVersion();
  const settings = readSettings();
  await ensureDockerAnswers();

  const run = beginRun();
  if (run.isNew) {
    const swept = await sweepStaleContainers();
    if (swept > 0) log(`removed ${swept} container(s) left by an interrupted run`);
    startReaper(run);
  }

  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: removing this run's containers`);
    removeRunContainersNow(run.runId);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const [gateway, ...images] = await Promise.all([
    hostGatewayAddress(),
    ...settings.versions.map((version) => resolveImage('nginx', version, settings.imageSource, log)),
  ]);
  shareWithWorkers(images as Awaited<ReturnType<typeof resolveImage>>[], gateway as string);
  log(
    `run ${run.runId}, time scale ${settings.timeScale}, images: ${images.map((i) => typeof i === 'string' ? i : `${i.image} (${i.source})`).join(', ')}`,
  );

  return async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const left = await removeRunContainers(run.runId);
    if (left > 0) log(`teardown removed ${left} container(s) that a test did not stop`);
  };
}
