/**
 * One test's stack: its own mock LLM and its own proxy containers, on their own ports, torn down
 * with the test (vitest fixture in scenario.ts). Tests run concurrently, so nothing is shared.
 */
import { hostGatewayAddress } from './docker/engine.ts';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TapRecording } from './chain/observation.ts';
import { docker } from './docker/engine.ts';
import { resolveImage, resolvePinnedImage, resolveToxiproxyImage, resolveToxiproxyServerImage, type ProxyKind, type ResolvedImage } from './docker/images.ts';
import { runLabels } from './docker/run-registry.ts';
import { MockLlm, type MockLlmOptions } from './mock-llm/index.ts';
import { loadHaproxyProfile } from './proxies/haproxy-config.ts';
import { HaproxyProxy } from './proxies/haproxy-proxy.ts';
import { HAPROXY_LISTEN_PORT } from './proxies/haproxy-config.ts';
import { loadNginxSite, NGINX_LISTEN_PORT } from './proxies/nginx-config.ts';
import { NginxProxy } from './proxies/nginx-proxy.ts';
import { LLM_HOST_ALIAS, type ProxyContainerOptions, type ProxyHandle, type UpstreamAddress } from './proxies/proxy-handle.ts';
import { TOXIPROXY_HOP_PORT, ToxiproxyProxy } from './proxies/toxiproxy-proxy.ts';
import { readSettings, type ProxyVersion } from './settings.ts';
import type { TlsFileNeeds } from './config/tls-needs.ts';
import { throwawayTlsFiles } from './tls/throwaway-files.ts';

/** One hop of a path, as a scenario names it: `nginx:hardened` at a matrix version. */
export interface HopSpec {
  kind: BoxKind;
  profile: string;
  version: ProxyVersion;
  /** The image to run instead of the version's (a scenario's `image`); the run's --image otherwise. */
  image?: string;
}

/** One hop of a user's chain (streamproof validate): their file and what it says. */
export interface UserHop {
  kind: ProxyKind;
  file: string;
  /** The box's profile name in results (`kind:<name>@version`): the file's name, unique on the chain. */
  name: string;
  /** The host:port the file proxies to: a tap carries that name. */
  upstream: UpstreamAddress;
  /** The port the file listens on: the previous tap forwards there. */
  listenPort: number;
  /** The file's other upstream host names: the tap carries them too, so they resolve. */
  moreAliases?: readonly string[];
  /**
   * The upstream is a loopback address (127.0.0.1, localhost, 0.0.0.0): the box joins its tap's
   * network namespace, where the tap listens on that port, instead of the tap carrying a name.
   */
  loopbackUpstream?: boolean;
  /** The listen port speaks TLS (`listen 443 ssl`, `bind :443 ssl crt …`): the client connects with https. */
  tls?: boolean;
  /** The TLS files the file names: each gets a throwaway certificate, key or both (harness/tls). */
  tlsFiles?: TlsFileNeeds;
  /** nginx: the file is a whole nginx.conf (events {}, http {}), placed as the image's own. */
  wholeNginxConf?: boolean;
  /** nginx: the user's files it includes, each placed where nginx opens it. */
  includedFiles?: ReadonlyArray<{ localPath: string; nginxPath: string }>;
}

/** Boxes of a user's chain that did not start (each start's own error, the config refusals among them). */
export class UserHopsRefused extends Error {
  readonly failures: Array<{ hop: UserHop; error: unknown }>;

  constructor(failures: Array<{ hop: UserHop; error: unknown }>) {
    super(failures.map(({ hop, error }) => `${hop.file}: ${(error as Error).message}`).join('\n'));
    this.name = 'UserHopsRefused';
    this.failures = failures;
  }
}

/** What can stand on a path: the proxies of the matrix, and Toxiproxy injecting faults. */
export type BoxKind = ProxyKind | 'toxiproxy';

/** Images beyond the proxies: a fault hop (official Toxiproxy or streamproof's server) and the taps (always streamproof's). */
type ImageKey = BoxKind | 'toxiproxy-server';

export interface StartedPath {
  boxes: ProxyHandle[];
  /** Where the client connects (the first box); undefined for a direct path. */
  url: string | undefined;
  /** Each tap's recording, one per box (the tap behind it); undefined without taps (paths of 0 or 1 box). */
  collectTaps(): Promise<TapRecording[] | undefined>;
}

const TAPS_ALIAS = 'streamproof-taps';
const TAPS_FIRST_PORT = 8700;
const hopAlias = (index: number) => `hop-${index + 1}`;
/** The proxy each user-chain tap runs (one tap container per box). */
const TAP_PROXY = 'behind';

/** One start after another, last item first, each whatever became of the one before; results in item order. */
async function settleInReverse<I, T>(items: I[], start: (item: I, index: number) => Promise<T>): Promise<{ values: T[]; failures: Array<{ index: number; error: unknown }> }> {
  const values: T[] = [];
  const failures: Array<{ index: number; error: unknown }> = [];
  for (let i = items.length - 1; i >= 0; i--) {
    try {
      values.unshift(await start(items[i]!, i));
    } catch (error) {
      failures.unshift({ index: i, error });
    }
  }
  return { values, failures };
}

/** Waits for every promise (none left starting while the stack is torn down); values in order, failures with their index. */
async function settleAll<T>(promises: Array<Promise<T>>): Promise<{ values: T[]; failures: Array<{ index: number; error: unknown }> }> {
  const settled = await Promise.allSettled(promises);
  const failures = settled.flatMap((s, index) => (s.status === 'rejected' ? [{ index, error: s.reason as unknown }] : []));
  return { values: settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])), failures };
}

function listenPortOf(kind: BoxKind): number {
  return kind === 'toxiproxy' ? TOXIPROXY_HOP_PORT : kind === 'haproxy' ? HAPROXY_LISTEN_PORT : NGINX_LISTEN_PORT;
}

/**
 * A private bridge network for one chain, labelled with the run so a sweep can remove it. Its /24
 * comes from 10.213.0.0/16, picked at random: Docker's default pools hold ~30 networks, fewer than
 * a matrix of chains running at once (measured: "could not find an available, non-overlapping
 * IPv4 address pool").
 */
async function createChainNetwork(): Promise<{ name: string } & AsyncDisposable> {
  const name = `streamproof-chain-${randomUUID().slice(0, 8)}`;
  let network: Awaited<ReturnType<ReturnType<typeof docker>['createNetwork']>> | undefined;
  for (let attempt = 0; !network; attempt++) {
    const subnet = `10.213.${Math.floor(Math.random() * 256)}.0/24`;
    try {
      network = await docker().createNetwork({
        Name: name,
        Driver: 'bridge',
        Labels: runLabels(),
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] },
      });
    } catch (error) {
      if (attempt >= 20 || !/overlap|in use/i.test((error as Error).message)) throw error;
    }
  }
  return {
    name,
    [Symbol.asyncDispose]: async () => {
      await network.remove().catch(() => {});
    },
  };
}

const ENV_IMAGES = 'STREAMPROOF_IMAGES';
const ENV_GATEWAY = 'STREAMPROOF_HOST_GATEWAY';

/** Main process: hand resolved images and the gateway to the workers (they inherit the env). */
export function shareWithWorkers(images: ResolvedImage[], toxiproxy: { fault: string; server: string }, gateway: string): void {
  process.env[ENV_IMAGES] = JSON.stringify({
    ...Object.fromEntries(images.map((i) => [`${i.kind}:${i.version}`, i.image])),
    toxiproxy: toxiproxy.fault,
    'toxiproxy-server': toxiproxy.server,
  });
  process.env[ENV_GATEWAY] = gateway;
}

async function imageFor(kind: ImageKey, version: ProxyVersion, hopImage?: string): Promise<string> {
  const settings = readSettings();
  const pinned = hopImage ?? (kind === 'toxiproxy-server' ? undefined : settings.proxyImages[kind]);
  if (pinned) return resolvePinnedImage(pinned);
  const shared = JSON.parse(process.env[ENV_IMAGES] ?? '{}') as Record<string, string>;
  const source = settings.imageSource;
  switch (kind) {
    case 'toxiproxy':
      return shared.toxiproxy ?? (await resolveToxiproxyImage({ source })).image;
    case 'toxiproxy-server':
      return shared['toxiproxy-server'] ?? (await resolveToxiproxyServerImage({ source }));
    default:
      return shared[`${kind}:${version}`] ?? (await resolveImage(kind, version, { source })).image;
  }
}

export class Stack implements AsyncDisposable {
  private readonly disposables: AsyncDisposable[] = [];

  /** A mock LLM reachable from this host (loopback) and from containers (the Docker bridge gateway). */
  async mockLlm(options: Omit<MockLlmOptions, 'hosts'>): Promise<MockLlm> {
    const gateway = process.env[ENV_GATEWAY] ?? (await hostGatewayAddress());
    const llm = await MockLlm.start({ ...options, hosts: ['127.0.0.1', gateway] });
    this.disposables.push(llm);
    return llm;
  }

  /** One box on the default bridge, forwarding to the mock LLM: a path of one hop. */
  async proxy(hop: HopSpec, upstreamPort: number, timeScale: number): Promise<ProxyHandle> {
    return this.box(hop, { upstream: { host: LLM_HOST_ALIAS, port: upstreamPort }, timeScale });
  }

  /**
   * A path of boxes, client side first. One box runs on the default bridge. Two or more run on a
   * private network, each reached by its alias, with a recording tap behind every box (one
   * container of streamproof's Toxiproxy-compatible server, a proxy per tap), so each point of the
   * chain can be measured; only the first box is published on 127.0.0.1.
   */
  async path(hops: HopSpec[], llmPort: number, timeScale: number): Promise<StartedPath> {
    const llm = { host: LLM_HOST_ALIAS, port: llmPort };
    if (hops.length === 0) return { boxes: [], url: undefined, collectTaps: async () => undefined };
    if (hops.length === 1) {
      const box = await this.proxy(hops[0]!, llmPort, timeScale);
      return { boxes: [box], url: box.url, collectTaps: async () => undefined };
    }

    const network = await createChainNetwork();
    this.disposables.push(network);
    const tapsImage = await imageFor('toxiproxy-server', 'bookworm');
    const taps = await new ToxiproxyProxy(tapsImage, {
      profile: 'taps',
      timeScale,
      version: hops[0]!.version,
      network: { name: network.name, alias: TAPS_ALIAS },
    }).start();
    this.disposables.push(taps);

    const tapName = (i: number) => `behind-${i + 1}`;
    const tapPort = (i: number) => TAPS_FIRST_PORT + i;
    await Promise.all(
      hops.map((_, i) => {
        const next = hops[i + 1];
        const upstream = next ? { host: hopAlias(i + 1), port: listenPortOf(next.kind) } : llm;
        return taps.createProxy(tapName(i), tapPort(i), upstream);
      }),
    );
    const boxes = await Promise.all(
      hops.map((hop, i) =>
        this.box(hop, {
          upstream: { host: TAPS_ALIAS, port: tapPort(i) },
          timeScale,
          network: { name: network.name, alias: hopAlias(i) },
          publish: i === 0,
        }),
      ),
    );
    return {
      boxes,
      url: boxes[0]!.url,
      collectTaps: async () => Promise.all(hops.map((_, i) => taps.recording(tapName(i)))),
    };
  }

  /**
   * A user's own configs, unmodified (idle timeouts scaled, as the profiles'), client side first, on
   * a private network. Behind every box sits a recording tap (streamproof's Toxiproxy-compatible
   * server) carrying as its alias the upstream host that box's config names, listening on the port
   * it names and forwarding to the next box (the mock LLM after the last): every name resolves
   * without touching the files, and every point of the chain is measured, one box or several. Only
   * the first box is published on 127.0.0.1. A box whose file proxies to a loopback address runs
   * in its tap's network namespace, the tap listening there on that port. Every box is started
   * even when one is refused, so every refusal is reported at once (UserHopsRefused).
   */
  async userPath(hops: UserHop[], llmPort: number, timeScale: number, version: ProxyVersion): Promise<StartedPath> {
    const network = await createChainNetwork();
    this.disposables.push(network);
    const tapsImage = await imageFor('toxiproxy-server', 'bookworm');
    const boxAlias = (i: number) => `streamproof-${hopAlias(i)}`;
    const taps = await settleAll(
      hops.map(async (hop, i) => {
        // A loopback upstream: the box will live in the tap's namespace, so the tap carries the
        // box's alias and publishes its port; otherwise the tap carries the upstream's name.
        const place = hop.loopbackUpstream
          ? { network: { name: network.name, alias: boxAlias(i), moreAliases: hop.moreAliases ?? [] }, publishFor: i === 0 ? [hop.listenPort] : [] }
          : { network: { name: network.name, alias: hop.upstream.host, moreAliases: hop.moreAliases ?? [] } };
        const tap = await new ToxiproxyProxy(tapsImage, { profile: 'tap', timeScale, version, ...place }).start();
        this.disposables.push(tap);
        const next = hops[i + 1];
        await tap.createProxy(TAP_PROXY, hop.upstream.port, next ? { host: boxAlias(i + 1), port: next.listenPort } : { host: LLM_HOST_ALIAS, port: llmPort });
        return tap;
      }),
    );
    if (taps.failures.length > 0) throw taps.failures[0]!.error;
    // From the origin side: a box's health checks never find the box behind it not listening yet
    // (measured: an edge HAProxy started beside its nginx marked it DOWN and answered 503 for 10 s).
    const boxes = await settleInReverse(hops, async (hop, i) =>
      this.box(
        { kind: hop.kind, profile: hop.file, version },
        {
          upstream: { host: LLM_HOST_ALIAS, port: llmPort }, // unused: the user's file names its own upstream
          ...(hop.tlsFiles ? { files: await throwawayTlsFiles(hop.tlsFiles) } : {}),
          timeScale,
          network: hop.loopbackUpstream ? { owner: taps.values[i]! } : { name: network.name, alias: boxAlias(i) },
          publish: i === 0,
          listenPort: hop.listenPort,
        },
        hop.name,
        hop,
      ),
    );
    if (boxes.failures.length > 0) throw new UserHopsRefused(boxes.failures.map(({ index, error }) => ({ hop: hops[index]!, error })));
    return {
      boxes: boxes.values,
      url: boxes.values[0]!.url,
      collectTaps: async () => Promise.all(taps.values.map((tap) => tap.recording(TAP_PROXY))),
    };
  }

  /** `name`: the profile name reported, when not the file's own (two user files of one name on a chain). */
  private async box(hop: HopSpec, wiring: Omit<ProxyContainerOptions, 'profile' | 'version'>, name?: string, user?: UserHop): Promise<ProxyHandle> {
    const options = { ...wiring, version: hop.version };
    let started: ProxyHandle;
    switch (hop.kind) {
      case 'nginx': {
        const site = loadNginxSite(hop.profile);
        const includes = Object.fromEntries((user?.includedFiles ?? []).map(({ localPath, nginxPath }) => [nginxPath, readFileSync(localPath, 'utf8')]));
        started = await new NginxProxy(await imageFor('nginx', hop.version, hop.image), {
          ...options,
          profile: name ?? site.name,
          site: site.text,
          ...(user?.wholeNginxConf ? { wholeConfig: true } : {}),
          ...(Object.keys(includes).length > 0 ? { includes } : {}),
        }).start();
        break;
      }
      case 'haproxy': {
        const profile = loadHaproxyProfile(hop.profile);
        started = await new HaproxyProxy(await imageFor('haproxy', hop.version, hop.image), {
          ...options,
          profile: name ?? profile.name,
          config: profile.text,
          luaFiles: profile.luaFiles,
          file: profile.file,
        }).start();
        break;
      }
      case 'toxiproxy':
        started = await new ToxiproxyProxy(await imageFor('toxiproxy', hop.version, hop.image), { ...options, profile: hop.profile }).start();
        break;
    }
    this.disposables.push(started);
    return started;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // Last started, first stopped: the proxy goes before the origin it points at.
    const errors: unknown[] = [];
    for (const d of this.disposables.reverse()) {
      try {
        await d[Symbol.asyncDispose]();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'stack teardown failed');
  }
}
