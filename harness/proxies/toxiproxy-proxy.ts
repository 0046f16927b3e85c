/**
 * Toxiproxy in a container, testcontainers-module style: the official image or streamproof's
 * compatible server (harness/toxiproxy/), driven the same way, through toxiproxy-node-client.
 *
 *   await using toxiproxy = await new ToxiproxyProxy(image, { profile: 'faults', upstream, ... }).start();
 *   await toxiproxy.hop.addToxic({ type: 'reset_peer', stream: 'downstream', toxicity: 1, attributes: { timeout: 0 } });
 *
 * As a hop of a path it creates one proxy, `hop`, listening on 8666 towards `upstream`. As the
 * taps of a chain (no `upstream`) it starts empty; the chain adds one proxy per tap.
 */
import { Wait } from 'testcontainers';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { StreamproofError } from '../errors.ts';
import type { TapRecording } from '../chain/observation.ts';
import { ProxyContainer, StartedProxyContainer } from './proxy-container.ts';
import type { ProxyContainerOptions, UpstreamAddress } from './proxy-handle.ts';

export const TOXIPROXY_API_PORT = 8474;
/** Where the `hop` proxy listens: Toxiproxy's customary first proxy port. */
export const TOXIPROXY_HOP_PORT = 8666;

export interface ToxiproxyProxyOptions extends Omit<ProxyContainerOptions, 'upstream'> {
  /** As a hop: where the `hop` proxy forwards. Absent for a taps container. */
  upstream?: UpstreamAddress;
  /**
   * Ports a box joining this container's network namespace listens on, published here for it
   * (a box in a joined namespace cannot publish its own; SharedNetworkNamespace).
   */
  publishFor?: readonly number[];
}

export class ToxiproxyProxy extends ProxyContainer {
  private readonly options: ToxiproxyProxyOptions;

  constructor(image: string, options: ToxiproxyProxyOptions) {
    // The API is always published (the harness drives it from this host); the hop port when asked.
    const published = options.upstream !== undefined && options.publish !== false;
    super(image, 'toxiproxy', options, [TOXIPROXY_API_PORT, ...(published ? [TOXIPROXY_HOP_PORT] : []), ...(options.publishFor ?? [])]);
    this.options = options;
    this.withWaitStrategy(Wait.forHttp('/version', TOXIPROXY_API_PORT).forStatusCode(200));
  }

  override async start(): Promise<StartedToxiproxyProxy> {
    const container = await this.startOrRemove(
      (error) =>
        new StreamproofError(
          'STREAMPROOF_PROXY_START',
          `toxiproxy (${this.imageName.string}) did not start: ${(error as Error).message}\n${this.outputTail()}`,
          'check the image runs (streamproof images), and that Docker can publish a port on 127.0.0.1',
          { cause: error },
        ),
    );
    try {
      const client = new Toxiproxy(`http://127.0.0.1:${container.getMappedPort(TOXIPROXY_API_PORT)}`);
      const version = parseVersion(String(await client.getVersion()));
      const hop = this.options.upstream ? await createProxy(client, 'hop', TOXIPROXY_HOP_PORT, this.options.upstream) : undefined;
      return new StartedToxiproxyProxy(container, client, hop, {
        kind: 'toxiproxy',
        image: this.imageName.string,
        version,
        options: this.options,
        listenPort: TOXIPROXY_HOP_PORT,
        published: this.options.upstream !== undefined && this.options.publish !== false,
        logs: this.output,
      });
    } catch (error) {
      await container.stop({ timeout: 0 }).catch(() => {});
      throw error;
    }
  }
}

/** Toxiproxy ≥ 2.6 answers {"version": "2.12.0"}; older releases answer plain text. */
function parseVersion(answer: string): string {
  const raw = answer.trim();
  try {
    return String((JSON.parse(raw) as { version?: unknown }).version ?? raw);
  } catch {
    return raw || 'unknown';
  }
}

function createProxy(client: Toxiproxy, name: string, listenPort: number, upstream: UpstreamAddress): Promise<Proxy> {
  return client.createProxy({ name, listen: `0.0.0.0:${listenPort}`, upstream: `${upstream.host}:${upstream.port}` });
}

export class StartedToxiproxyProxy extends StartedProxyContainer {
  readonly client: Toxiproxy;
  private readonly hopProxy: Proxy | undefined;

  constructor(container: ConstructorParameters<typeof StartedProxyContainer>[0], client: Toxiproxy, hop: Proxy | undefined, facts: ConstructorParameters<typeof StartedProxyContainer>[1]) {
    super(container, facts);
    this.client = client;
    this.hopProxy = hop;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.getMappedPort(TOXIPROXY_API_PORT)}`;
  }

  /** The `hop` proxy, to add toxics to. */
  get hop(): Proxy {
    if (!this.hopProxy) throw new Error('this toxiproxy container was started without an upstream: it has no hop proxy');
    return this.hopProxy;
  }

  createProxy(name: string, listenPort: number, upstream: UpstreamAddress): Promise<Proxy> {
    return createProxy(this.client, name, listenPort, upstream);
  }

  /** What a proxy of streamproof's server recorded (its extension; the official image has none). */
  async recording(proxyName: string): Promise<TapRecording> {
    const response = await fetch(`${this.apiUrl}/streamproof/recordings/${encodeURIComponent(proxyName)}`);
    if (!response.ok) {
      throw new Error(`no recording for ${proxyName} at ${this.image} (HTTP ${response.status}): taps need streamproof's Toxiproxy-compatible server`);
    }
    return (await response.json()) as TapRecording;
  }
}
