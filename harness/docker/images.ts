/**
 * Image tags live here and nowhere else.
 *
 * A proxy "version" names a point of the matrix. Where a registry answers, the official image of
 * that release is used; where none does (as on machines without network), a local image is built
 * from the Debian suite that ships the same release line, tagged by a hash of its recipe so each
 * is built once per machine.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { docker } from './engine.ts';
import { StreamproofError } from '../errors.ts';
import type { ProxyVersion } from '../settings.ts';

export type ProxyKind = 'nginx' | 'haproxy';

export const PROXY_IMAGES: Record<ProxyVersion, { debianSuite: string; public: Record<ProxyKind, string> }> = {
  bookworm: { debianSuite: 'bookworm', public: { nginx: 'nginx:1.22', haproxy: 'haproxy:2.6' } },
  trixie: { debianSuite: 'trixie', public: { nginx: 'nginx:1.26', haproxy: 'haproxy:3.0' } },
  sid: { debianSuite: 'sid', public: { nginx: 'nginx:1.30', haproxy: 'haproxy:3.2' } },
};

/** Packages of the local image: every proxy kind of one suite in one image, so one build serves all. */
const LOCAL_PACKAGES = ['nginx', 'haproxy', 'ca-certificates'];
const BUILD_SCRIPT = fileURLToPath(new URL('../../scripts/build-local-image.sh', import.meta.url));

export interface ResolvedImage {
  kind: ProxyKind;
  version: ProxyVersion;
  /** The image name to run. */
  image: string;
  source: 'public' | 'local';
}

export function localImageName(version: ProxyVersion): string {
  const suite = PROXY_IMAGES[version].debianSuite;
  const recipe = createHash('sha256')
    .update(JSON.stringify({ suite, LOCAL_PACKAGES }))
    .update(readFileSync(BUILD_SCRIPT))
    .digest('hex')
    .slice(0, 12);
  return `streamproof/proxies:${suite}-${recipe}`;
}

async function imageExists(name: string): Promise<boolean> {
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

function buildLocal(version: ProxyVersion, name: string, log: (line: string) => void): Promise<void> {
  const suite = PROXY_IMAGES[version].debianSuite;
  log(`building ${name} from Debian ${suite} (no registry answered; about 90 s, once per machine)`);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [BUILD_SCRIPT, suite, name, ...LOCAL_PACKAGES], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolve();
      reject(
        new StreamproofError(
          'STREAMPROOF_IMAGE_BUILD',
          `building ${name} from Debian ${suite} failed:\n${output.trim().split('\n').slice(-12).join('\n')}`,
          "make the Debian mirror reachable (STREAMPROOF_DEBIAN_MIRROR), run as root so debootstrap can be installed, or let a registry answer and set STREAMPROOF_IMAGE_SOURCE=public",
        ),
      );
    });
  });
}

/** Memo per process: one pull attempt and one build per image, however many tests ask. */
const pending = new Map<string, Promise<ResolvedImage>>();

export function resolveImage(
  kind: ProxyKind,
  version: ProxyVersion,
  source: 'auto' | 'public' | 'local',
  log: (line: string) => void = () => {},
): Promise<ResolvedImage> {
  const key = `${kind}:${version}:${source}`;
  let promise = pending.get(key);
  if (!promise) {
    promise = resolveUncached(kind, version, source, log);
    pending.set(key, promise);
  }
  return promise;
}

async function resolveUncached(
  kind: ProxyKind,
  version: ProxyVersion,
  source: 'auto' | 'public' | 'local',
  log: (line: string) => void,
): Promise<ResolvedImage> {
  const publicName = PROXY_IMAGES[version].public[kind];
  if (source !== 'local') {
    if (await imageExists(publicName)) return { kind, version, image: publicName, source: 'public' };
    try {
      await pull(publicName);
      return { kind, version, image: publicName, source: 'public' };
    } catch (error) {
      if (source === 'public') {
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
  const buildKey = `local-build:${localName}`;
  let build = pending.get(buildKey) as Promise<unknown> | undefined;
  if (!build) {
    build = (async () => {
      if (!(await imageExists(localName))) await buildLocal(version, localName, log);
    })();
    pending.set(buildKey, build as Promise<ResolvedImage>);
  }
  await build;
  return { kind, version, image: localName, source: 'local' };
}
