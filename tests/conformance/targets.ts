/**
 * The Toxiproxy servers the conformance suite runs against. Every target runs the same tests, so
 * streamproof's server is held to the behaviour of the official one.
 *
 * To add a target: push a ConformanceTarget to the list in conformanceTargets(). `start()` brings
 * a server up and says how to reach it; the suite creates its proxies with `nextListen()`, connects
 * through `dial()`, and binds the servers its proxies forward to on `hostForUpstream`. Give a
 * `skipReason` when the target cannot run on this machine (the suite shows it as skipped with it).
 * A container target should dial the container's bridge IP, not a published port: Docker's userland
 * port proxy turns a TCP RST into a plain close (officialImageTarget shows the wiring).
 */
import '../../harness/docker/testcontainers-env.ts';
import { docker, hostGatewayAddress } from '../../harness/docker/engine.ts';
import { resolveToxiproxyServerImage } from '../../harness/docker/images.ts';
import { runLabels } from '../../harness/docker/run-registry.ts';
import { readSettings } from '../../harness/settings.ts';
import { splitHostPort } from '../../harness/toxiproxy/proxy.ts';
import { ToxiproxyServer } from '../../harness/toxiproxy/api-server.ts';

export interface StartedTarget {
  /** Base URL of the API, e.g. http://127.0.0.1:8474 */
  apiUrl: string;
  /** Host part of proxy listen addresses (as the server sees it). */
  hostForListen: string;
  /** The address the server dials to reach a server the tests run on this machine; tests bind there. */
  hostForUpstream: string;
  /** A listen address for a new proxy. Default `${hostForListen}:0`; a container returns a published port. */
  nextListen?(): string;
  /** Where the tests connect for a proxy whose API-reported listen address is `listen`. Default: `listen`. */
  dial?(listen: string): { host: string; port: number };
  close(): Promise<void>;
}

export interface ConformanceTarget {
  name: string;
  /** Set when the target cannot run here; the suite reports it as skipped with this reason. */
  skipReason?: string;
  start(): Promise<StartedTarget>;
}

export function listenFor(target: StartedTarget): string {
  return target.nextListen?.() ?? `${target.hostForListen}:0`;
}

export function dialFor(target: StartedTarget, listen: string): { host: string; port: number } {
  if (target.dial) return target.dial(listen);
  const address = splitHostPort(listen);
  if (!address) throw new Error(`the API reported an unusable listen address: ${listen}`);
  return address;
}

/** streamproof's server, in this process, on loopback. */
export const hostTarget: ConformanceTarget = {
  name: 'streamproof server on the host',
  async start() {
    const server = await ToxiproxyServer.start({ host: '127.0.0.1', port: 0 });
    return { apiUrl: server.url, hostForListen: '127.0.0.1', hostForUpstream: '127.0.0.1', close: () => server.close() };
  },
};

export const OFFICIAL_IMAGE = 'ghcr.io/shopify/toxiproxy:2.12.0';

/** Proxy ports @testcontainers/toxiproxy uses (its FIRST_PROXIED_PORT and 31 more). */
const CONTAINER_PROXY_PORTS = Array.from({ length: 32 }, (_, i) => 8666 + i);

/**
 * A Toxiproxy image through @testcontainers/toxiproxy; proxies forward to this host's bridge
 * gateway. The same wiring drives the official image and streamproof's server image.
 */
function containerTarget(name: string, image: () => Promise<string>, skipReason: string | undefined): ConformanceTarget {
  return {
    name,
    ...(skipReason ? { skipReason } : {}),
    async start() {
      const { ToxiProxyContainer } = await import('@testcontainers/toxiproxy');
      // Run labels: the harness's sweep removes the container if this process dies first.
      const container = await new ToxiProxyContainer(await image()).withLabels(runLabels()).start();
      let next = 0;
      return {
        apiUrl: `http://${container.getHost()}:${container.getMappedPort(8474)}`,
        hostForListen: '0.0.0.0',
        hostForUpstream: await hostGatewayAddress(),
        // The suite deletes its proxies after each test, so cycling through the pool never collides.
        nextListen: () => `0.0.0.0:${CONTAINER_PROXY_PORTS[next++ % CONTAINER_PROXY_PORTS.length]}`,
        // Straight to the container's bridge address: Docker's userland port proxy would turn the
        // server's TCP RST (reset_peer) into a plain close.
        dial: (listen) => ({ host: container.getIpAddress('bridge'), port: splitHostPort(listen)?.port ?? 0 }),
        close: async () => {
          await container.stop();
        },
      };
    },
  };
}

/** The official image, where Docker has it or can pull it. */
export function officialImageTarget(skipReason: string | undefined): ConformanceTarget {
  return containerTarget(`official image ${OFFICIAL_IMAGE}`, async () => OFFICIAL_IMAGE, skipReason);
}

/** streamproof's server in its image (what chains run as taps and, offline, as fault boxes). */
export function serverImageTarget(skipReason: string | undefined): ConformanceTarget {
  return containerTarget(
    'streamproof server in its image',
    () => resolveToxiproxyServerImage({ source: readSettings().imageSource }),
    skipReason,
  );
}

async function dockerSkipReason(): Promise<string | undefined> {
  try {
    await withTimeout(docker().ping(), 3000, 'Docker ping');
    return undefined;
  } catch (error) {
    return `no Docker engine answers (${(error as Error).message})`;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms).unref()),
  ]);
}

/** Why `image` cannot run here, or undefined when Docker has it or can pull it. */
export async function imageSkipReason(image: string, pullTimeoutMs = 60_000): Promise<string | undefined> {
  try {
    await withTimeout(docker().ping(), 3000, 'Docker ping');
  } catch (error) {
    return `no Docker engine answers (${(error as Error).message})`;
  }
  try {
    await docker().getImage(image).inspect();
    return undefined;
  } catch {
    // not present: try a pull
  }
  try {
    await withTimeout(
      (async () => {
        const stream = await docker().pull(image);
        await new Promise<void>((resolve, reject) => docker().modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve())));
      })(),
      pullTimeoutMs,
      `docker pull ${image}`,
    );
    return undefined;
  } catch (error) {
    return `Docker does not have ${image} and cannot pull it (${(error as Error).message.split('\n')[0]!.trim()})`;
  }
}

/**
 * A Toxiproxy server already running, by its API URL: to hold streamproof's server to any
 * Toxiproxy build a team runs. The suite creates, resets and deletes proxies on it, so give it a
 * server of its own. Its proxies listen on `listenHost` (default: the URL's host) with port 0 and
 * are dialled at the address the API reports, so the server must be reachable directly (the same
 * host, or a container's own address: a published port turns a TCP RST into a plain close); the
 * servers the tests run bind on `upstreamHost` (default: the URL's host), where the server dials.
 */
export function urlTarget(apiUrl: string, options: { listenHost?: string; upstreamHost?: string } = {}): ConformanceTarget {
  const url = new URL(apiUrl);
  const host = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname.replace(/^\[|\]$/g, '');
  const base = url.href.replace(/\/$/, '');
  return {
    name: `Toxiproxy at ${base}`,
    async start() {
      const response = await withTimeout(fetch(`${base}/version`), 3000, `GET ${base}/version`);
      if (!response.ok) throw new Error(`GET ${base}/version answered HTTP ${response.status}: is TOXIPROXY_URL a Toxiproxy API?`);
      return {
        apiUrl: base,
        hostForListen: options.listenHost ?? host,
        hostForUpstream: options.upstreamHost ?? host,
        close: async () => {},
      };
    },
  };
}

/**
 * TOXIPROXY_URL set: that server alone (TOXIPROXY_LISTEN_HOST and TOXIPROXY_UPSTREAM_HOST as in
 * urlTarget). Otherwise streamproof's server on the host and in its image, and the official image.
 */
export async function conformanceTargets(env: NodeJS.ProcessEnv = process.env): Promise<ConformanceTarget[]> {
  if (env.TOXIPROXY_URL) {
    return [
      urlTarget(env.TOXIPROXY_URL, {
        ...(env.TOXIPROXY_LISTEN_HOST ? { listenHost: env.TOXIPROXY_LISTEN_HOST } : {}),
        ...(env.TOXIPROXY_UPSTREAM_HOST ? { upstreamHost: env.TOXIPROXY_UPSTREAM_HOST } : {}),
      }),
    ];
  }
  return [hostTarget, serverImageTarget(await dockerSkipReason()), officialImageTarget(await imageSkipReason(OFFICIAL_IMAGE))];
}
