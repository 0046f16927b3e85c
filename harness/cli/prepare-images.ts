/** Every image a run needs, pulled or built once, before any test: `setup` and `images`. */
import { ensureDockerAnswers } from '../docker/engine.ts';
import { resolveImage, resolvePinnedImage, resolveToxiproxyImage, resolveToxiproxyServerImage } from '../docker/images.ts';
import { readSettings } from '../settings.ts';
import { log } from './run-options.ts';

export async function prepareImages(options: { install?: boolean } = {}): Promise<void> {
  const settings = readSettings();
  await ensureDockerAnswers();
  // A kind the run names an image for (--image) runs that image alone: no matrix image for it.
  const kinds = (['nginx', 'haproxy'] as const).filter((kind) => !settings.proxyImages[kind]);
  const supply = { source: settings.imageSource, log, install: options.install ?? false };
  const [images, , toxiproxy] = await Promise.all([
    Promise.all(settings.versions.flatMap((v) => kinds.map((kind) => resolveImage(kind, v, supply)))),
    Promise.all(Object.values(settings.proxyImages).map((image) => resolvePinnedImage(image, log))),
    // Fault boxes (official Toxiproxy where it can be pulled) and the chains' taps (always streamproof's server).
    resolveToxiproxyImage(supply),
    resolveToxiproxyServerImage(supply),
  ]);
  for (const image of images) log(`image for ${image.kind}@${image.version}: ${image.image} (${image.source})`);
  for (const [kind, image] of Object.entries(settings.proxyImages)) log(`image for ${kind}: ${image} (named by --image)`);
  log(`image for toxiproxy: ${toxiproxy.image} (${toxiproxy.source})`);
}
