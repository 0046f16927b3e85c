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
import '../docker/testcontainers-env.ts';
import { AbstractStartedContainer, GenericContainer, PullPolicy, Wait, type StartedTestContainer } from 'testcontainers';
import type { Readable } from 'node:stream';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { docker } from '../docker/engine.ts';
import { runLabels } from '../docker/run-registry.ts';
import { StreamproofError } from '../errors.ts';
import type { TapRecording } from '../chain/observation.ts';
import { bindPublishedPortsToLoopback, collectLogs, LLM_HOST_ALIAS, type ProxyContainerOptions, type ProxyHandle, type UpstreamAddress } from './proxy-handle.ts';

export const TOXIPROXY_API_PORT = 8474;
/** Where the `hop` proxy listens: Toxiproxy's customary first proxy port. */
export const TOXIPROXY_HOP_PORT = 8666;

export interface ToxiproxyProxyOptions extends Omit<ProxyContainerOptions, 'upstream'> {
  /** As a hop: where the `hop` proxy forwards. Absent for a taps container. */
  upstream?: UpstreamAddress;
}

export class ToxiproxyProxy extends GenericContainer {
  private readonly options: ToxiproxyProxyOptions;
  private readonly output = collectLogs();
  private containerId: string | undefined;

  constructor(image: string, options: ToxiproxyProxyOptions) {
    super(image);
    this.options = options;
    // The API is always published (the harness drives it from this host); the hop port when asked.
    this.withExposedPorts(...(options.upstream && options.publish !== false ? [TOXIPROXY_API_PORT, TOXIPROXY_HOP_PORT] : [TOXIPROXY_API_PORT]));
    if (options.network) this.withNetworkMode(options.network.name).withNetworkAliases(options.network.alias);
    this.withPullPolicy(PullPolicy.neverPull())
      .withExtraHosts([{ host: LLM_HOST_ALIAS, ipAddress: 'host-gateway' }])
      .withLabels({ ...runLabels(), 'dev.streamproof.kind': 'toxiproxy', 'dev.streamproof.profile': options.profile })
      .withLogConsumer((stream: Readable) => this.output.consume(stream))
      .withWaitStrategy(Wait.forHttp('/version', TOXIPROXY_API_PORT).forStatusCode(200))
      .withStartupTimeout(30_000);
  }

  protected override async beforeContainerCreated(): Promise<void> {
    bindPublishedPortsToLoopback(this.hostConfig);
  }

  protected override async containerCreated(containerId: string): Promise<void> {
    this.containerId = containerId;
  }

  override async start(): Promise<StartedToxiproxyProxy> {
    let container: StartedTestContainer;
    try {
      container = await super.start();
    } catch (error) {
      if (this.containerId) await docker().getContainer(this.containerId).remove({ force: true, v: true }).catch(() => {});
      throw new StreamproofError(
        'STREAMPROOF_PROXY_START',
        `toxiproxy (${this.imageName.string}) did not start: ${(error as Error).message}\n${this.output.text().trim().split('\n').slice(-8).join('\n')}`,
        'check the image runs (streamproof images), and that Docker can publish a port on 127.0.0.1',
        { cause: error },
      );
    }
    const started = new StartedToxiproxyProxy(container, this.imageName.string, this.options, this.output);
    try {
      await started.init();
    } catch (error) {
      await container.stop({ timeout: 0 }).catch(() => {});
      throw error;
    }
    return started;
  }
}

export class StartedToxiproxyProxy extends AbstractStartedContainer implements ProxyHandle {
  readonly kind = 'toxiproxy' as const;
  readonly profile: string;
  readonly matrixVersion: string;
  readonly image: string;
  readonly listenPort = TOXIPROXY_HOP_PORT;
  version = 'unknown';
  readonly client: Toxiproxy;
  private hopProxy: Proxy | undefined;
  private readonly options: ToxiproxyProxyOptions;
  private readonly output: ReturnType<typeof collectLogs>;

  constructor(container: StartedTestContainer, image: string, options: ToxiproxyProxyOptions, logs: ReturnType<typeof collectLogs>) {
    super(container);
    this.profile = options.profile;
    this.matrixVersion = options.version;
    this.image = image;
    this.options = options;
    this.output = logs;
    this.client = new Toxiproxy(this.apiUrl);
  }

  /** @internal Reads the version and, as a hop, creates the `hop` proxy. */
  async init(): Promise<void> {
    // Toxiproxy ≥ 2.6 answers {"version": "2.12.0"}; older releases answer plain text.
    const raw = String(await this.client.getVersion()).trim();
    try {
      this.version = String((JSON.parse(raw) as { version?: unknown }).version ?? raw);
    } catch {
      this.version = raw || 'unknown';
    }
    if (this.options.upstream) {
      this.hopProxy = await this.createProxy('hop', TOXIPROXY_HOP_PORT, this.options.upstream);
    }
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.getMappedPort(TOXIPROXY_API_PORT)}`;
  }

  /** The `hop` proxy, to add toxics to. */
  get hop(): Proxy {
    if (!this.hopProxy) throw new Error('this toxiproxy container was started without an upstream: it has no hop proxy');
    return this.hopProxy;
  }

  get url(): string {
    if (!this.options.upstream || this.options.publish === false) return '';
    return `http://127.0.0.1:${this.getMappedPort(TOXIPROXY_HOP_PORT)}`;
  }

  get id(): string {
    return `${this.kind}:${this.profile}@${this.version}`;
  }

  createProxy(name: string, listenPort: number, upstream: UpstreamAddress): Promise<Proxy> {
    return this.client.createProxy({ name, listen: `0.0.0.0:${listenPort}`, upstream: `${upstream.host}:${upstream.port}` });
  }

  /** What a proxy of streamproof's server recorded (its extension; the official image has none). */
  async recording(proxyName: string): Promise<TapRecording> {
    const response = await fetch(`${this.apiUrl}/streamproof/recordings/${encodeURIComponent(proxyName)}`);
    if (!response.ok) {
      throw new Error(`no recording for ${proxyName} at ${this.image} (HTTP ${response.status}): taps need streamproof's Toxiproxy-compatible server`);
    }
    return (await response.json()) as TapRecording;
  }

  logText(): string {
    return this.output.text();
  }
}
