/**
 * Image tags live here and nowhere else.
 *
 * A proxy "version" names a point of the matrix. Where a registry answers, the official image of
 * that release is used; where none does (as on machines without network), a local image is built
 * from the Debian suite that ships the same release line, tagged by a hash of its recipe so each
 * is built once per machine.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker } from './engine.ts';
import { buildLocalImage, LOCAL_BUILD_RECIPE } from './local-build.ts';
import { StreamproofError } from '../errors.ts';
import { HARNESS_DIR, MODULE_EXTENSION } from '../package-files.ts';
import { readSettings, type ProxyVersion } from '../settings.ts';

export type ProxyKind = 'nginx' | 'haproxy';

export const PROXY_IMAGES: Record<ProxyVersion, { debianSuite: string; public: Record<ProxyKind, string> }> = {
  bookworm: { debianSuite: 'bookworm', public: { nginx: 'nginx:1.22', haproxy: 'haproxy:2.6' } },
  trixie: { debianSuite: 'trixie', public: { nginx: 'nginx:1.26', haproxy: 'haproxy:3.0' } },
  sid: { debianSuite: 'sid', public: { nginx: 'nginx:1.30', haproxy: 'haproxy:3.2' } },
};

/** Packages of the local image: every proxy kind of one suite in one image, so one build serves all. */
const LOCAL_PACKAGES = ['nginx', 'haproxy', 'ca-certificates'];

export type ImageSource = 'auto' | 'public' | 'local';

export interface ImageOptions {
  source: ImageSource;
  log?: (line: string) => void;
  /** Install what a local build needs (debootstrap) where it is missing: `streamproof setup --install`. */
  install?: boolean;
}

export interface ResolvedImage {
  kind: ProxyKind;
  version: ProxyVersion;
  /** The image name to run. */
  image: string;
  source: 'public' | 'local';
}

export function localImageName(version: ProxyVersion): string {
  const suite = PROXY_IMAGES[version].debianSuite;
  const recipe = createHash('sha256').update(JSON.stringify({ suite, LOCAL_PACKAGES, LOCAL_BUILD_RECIPE })).digest('hex').slice(0, 12);
  return `streamproof/proxies:${suite}-${recipe}`;
}

export async function imageExists(name: string): Promise<boolean> {
  try {
    await docker().getImage(name).inspect();
    return true;
  } catch {
    return false;
  }
}

async function pull(name: string): Promise<void> {
  const stream = await docker().pull(name);
  await new Promise<void>((resolve, reject) =>
    docker().modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}

/** Memo per process: one pull attempt and one build per image, however many tests ask. */
const pending = new Map<string, Promise<unknown>>();

function once<T>(key: string, work: () => Promise<T>): Promise<T> {
  let promise = pending.get(key) as Promise<T> | undefined;
  if (!promise) {
    promise = work();
    pending.set(key, promise);
  }
  return promise;
}

export function resolveImage(kind: ProxyKind, version: ProxyVersion, options: ImageOptions): Promise<ResolvedImage> {
  return once(`${kind}:${version}:${options.source}`, () => resolveUncached(kind, version, options));
}

async function resolveUncached(kind: ProxyKind, version: ProxyVersion, options: ImageOptions): Promise<ResolvedImage> {
  const publicName = PROXY_IMAGES[version].public[kind];
  if (options.source !== 'local') {
    if (await imageExists(publicName)) return { kind, version, image: publicName, source: 'public' };
    try {
      await pull(publicName);
      return { kind, version, image: publicName, source: 'public' };
    } catch (error) {
      if (options.source === 'public') {
        throw new StreamproofError(
          'STREAMPROOF_IMAGE_UNAVAILABLE',
          `cannot pull ${publicName}: ${(error as Error).message}`,
          'let Docker reach its registry, or set STREAMPROOF_IMAGE_SOURCE=auto (or local) to build the image from Debian packages',
        );
      }
    }
  }
  const localName = localImageName(version);
  // Several kinds share one local image: build it once even when nginx and haproxy ask together.
  await once(`local-build:${localName}`, async () => {
    if (await imageExists(localName)) return;
    const settings = readSettings();
    await buildLocalImage(
      { suite: PROXY_IMAGES[version].debianSuite, image: localName, packages: LOCAL_PACKAGES, mirror: settings.debianMirror },
      { install: options.install ?? false, log: options.log ?? (() => {}), lockWaitMs: settings.packageLockWaitSeconds * 1000 },
    );
  });
  return { kind, version, image: localName, source: 'local' };
}

/**
 * An image a team names (--image nginx=nginx:1.27.3-alpine): present, or pulled; never a local
 * build in its place, since the point is that very image.
 */
export function resolvePinnedImage(name: string, log: (line: string) => void = () => {}): Promise<string> {
  return once(`pinned:${name}`, async () => {
    if (await imageExists(name)) return name;
    log(`pulling ${name}`);
    try {
      await pull(name);
    } catch (error) {
      throw new StreamproofError(
        'STREAMPROOF_IMAGE_UNAVAILABLE',
        `cannot pull ${name}, the image named for this run: ${(error as Error).message.trim()}`,
        `check the name, and that Docker reaches its registry ('docker pull ${name}' shows why it does not)`,
      );
    }
    return name;
  });
}

// ─── Toxiproxy ─────────────────────────────────────────────────────────────────────────────────

/** The official Toxiproxy image, used for fault-injection hops wherever it can be pulled. */
export const OFFICIAL_TOXIPROXY_IMAGE = 'ghcr.io/shopify/toxiproxy:2.12.0';

const TOXIPROXY_SERVER_DIR = join(HARNESS_DIR, 'toxiproxy');

/**
 * streamproof's own Toxiproxy-compatible server (harness/toxiproxy/), in an image: a proxy base
 * image (Debian bookworm, local or official) plus this Node binary and the server's files, which
 * use Node builtins only. Taps always run it (they need its recording extension); fault hops run
 * it where the official image cannot be pulled. Tagged by a hash of everything copied in.
 */
export function toxiproxyServerImageName(baseImage: string): string {
  const hash = createHash('sha256').update(baseImage).update(process.version);
  for (const file of toxiproxyServerFiles()) hash.update(file).update(readFileSync(join(TOXIPROXY_SERVER_DIR, file)));
  return `streamproof/toxiproxy:${hash.digest('hex').slice(0, 12)}`;
}

/** The server's modules: `.ts` in the checkout, `.js` in the build (not tests, not type declarations). */
function toxiproxyServerFiles(): string[] {
  return (readdirSync(TOXIPROXY_SERVER_DIR, { recursive: true }) as string[])
    .filter((file) => file.endsWith(MODULE_EXTENSION) && !/\.(test|d)\.[jt]s$/.test(file))
    .sort();
}

async function buildToxiproxyServerImage(baseImage: string, name: string, log: (line: string) => void): Promise<void> {
  log(`building ${name} (streamproof's Toxiproxy-compatible server on ${baseImage}; once per machine)`);
  const context = mkdtempSync(join(tmpdir(), 'streamproof-toxiproxy-'));
  try {
    copyFileSync(process.execPath, join(context, 'node'));
    for (const file of toxiproxyServerFiles()) cpSync(join(TOXIPROXY_SERVER_DIR, file), join(context, 'toxiproxy', file));
    writeFileSync(
      join(context, 'Dockerfile'),
      [
        `FROM ${baseImage}`,
        'COPY node /usr/local/bin/node',
        'COPY toxiproxy /opt/streamproof/toxiproxy',
        'EXPOSE 8474',
        `ENTRYPOINT ["/usr/local/bin/node", "/opt/streamproof/toxiproxy/main${MODULE_EXTENSION}"]`,
        'CMD ["--host", "0.0.0.0", "--port", "8474"]',
        '',
      ].join('\n'),
    );
    const stream = await docker().buildImage({ context, src: ['Dockerfile', 'node', 'toxiproxy'] }, { t: name, labels: { 'dev.streamproof.image': 'toxiproxy' } });
    await new Promise<void>((resolve, reject) =>
      docker().modem.followProgress(stream, (error: Error | null, output: Array<{ error?: string }>) => {
        const failure = error?.message ?? output.find((line) => line.error)?.error;
        if (failure) {
          reject(
            new StreamproofError(
              'STREAMPROOF_IMAGE_BUILD',
              `building ${name} failed: ${failure}`,
              `check that ${baseImage} runs (streamproof images) and that Docker has disk space`,
            ),
          );
        } else resolve();
      }),
    );
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** The image of streamproof's Toxiproxy-compatible server, built from the bookworm proxy image. */
export function resolveToxiproxyServerImage(options: ImageOptions): Promise<string> {
  return once(`toxiproxy-server:${options.source}`, async () => {
    const base = await resolveImage('nginx', 'bookworm', options);
    const name = toxiproxyServerImageName(base.image);
    if (!(await imageExists(name))) await buildToxiproxyServerImage(base.image, name, options.log ?? (() => {}));
    return name;
  });
}

/** A fault-injection hop: the official image where it is present or pullable, else streamproof's server. */
export function resolveToxiproxyImage(options: ImageOptions): Promise<{ image: string; source: 'official' | 'streamproof' }> {
  return once(`toxiproxy:${options.source}`, async () => {
    if (options.source !== 'local') {
      if (await imageExists(OFFICIAL_TOXIPROXY_IMAGE)) return { image: OFFICIAL_TOXIPROXY_IMAGE, source: 'official' as const };
      try {
        await pull(OFFICIAL_TOXIPROXY_IMAGE);
        return { image: OFFICIAL_TOXIPROXY_IMAGE, source: 'official' as const };
      } catch {
        options.log?.(`${OFFICIAL_TOXIPROXY_IMAGE} cannot be pulled: fault hops use streamproof's Toxiproxy-compatible server`);
      }
    }
    return { image: await resolveToxiproxyServerImage(options), source: 'streamproof' as const };
  });
}
