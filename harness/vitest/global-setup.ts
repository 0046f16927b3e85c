/**
 * Runs once in vitest's main process before any scenario: Docker answers, stale containers from
 * killed runs are swept, a reaper guards this run, images are ready (pulled or built once), and
 * signals clean up from here, since workers die before their fixtures' teardown on Ctrl-C.
 */
import { ensureDockerAnswers, hostGatewayAddress } from '../docker/engine.ts';
import { resolveImage, resolvePinnedImage, resolveToxiproxyImage, resolveToxiproxyServerImage } from '../docker/images.ts';
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

  // A kind the run names an image for (--image) runs that image alone, pulled once here.
  const kinds = (['nginx', 'haproxy'] as const).filter((kind) => !settings.proxyImages[kind]);
  const [gateway, images, , toxiproxy, toxiproxyServer] = await Promise.all([
    hostGatewayAddress(),
    Promise.all(settings.versions.flatMap((version) => kinds.map((kind) => resolveImage(kind, version, { source: settings.imageSource, log })))),
    Promise.all(Object.values(settings.proxyImages).map((image) => resolvePinnedImage(image, log))),
    resolveToxiproxyImage({ source: settings.imageSource, log }),
    resolveToxiproxyServerImage({ source: settings.imageSource, log }),
  ]);
  shareWithWorkers(images, { fault: toxiproxy.image, server: toxiproxyServer }, gateway);
  const distinct = [...new Set([...images.map((i) => `${i.image} (${i.source})`), ...Object.values(settings.proxyImages).map((image) => `${image} (--image)`)])];
  log(`run ${run.runId}, time scale ${settings.timeScale}, images: ${distinct.join(', ')}; toxiproxy: ${toxiproxy.image} (${toxiproxy.source})`);

  return async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const left = await removeRunContainers(run.runId);
    if (left > 0) log(`teardown removed ${left} container(s) that a test did not stop`);
  };
}
