/**
 * A real HAProxy in a container, testcontainers-module style:
 *   await using proxy = await new HaproxyProxy(image, { profile, config, luaFiles, upstream, timeScale, version }).start();
 *   proxy.url  // http://127.0.0.1:<port>
 */
import '../docker/testcontainers-env.ts';
import { AbstractStartedContainer, GenericContainer, PullPolicy, Wait, type StartedTestContainer } from 'testcontainers';
import type { Readable } from 'node:stream';
import { StreamproofError } from '../errors.ts';
import { docker } from '../docker/engine.ts';
import { runLabels } from '../docker/run-registry.ts';
import { HAPROXY_CONFIG_PATH, HAPROXY_LISTEN_PORT, renderHaproxyConfig } from './haproxy-config.ts';
import { bindPublishedPortsToLoopback, collectLogs, LLM_HOST_ALIAS, type ProxyContainerOptions, type ProxyHandle } from './proxy-handle.ts';

/**
 * The master logs "Loading success." once the worker is up with its listeners bound (2.6, 3.0,
 * 3.2); a refused config (or a listener that cannot bind) is logged as [ALERT] and HAProxy exits 1.
 */
const STARTED_OR_REFUSED = /Loading success\.|\[ALERT\]/;
/** What HAProxy logs last when it gives up: after it, every [ALERT] of the failure is in the log. */
const GAVE_UP = /Loading success\.|Fatal errors found|Exiting\.|exited with code|streamproof: haproxy exited/;

export interface HaproxyProxyOptions extends ProxyContainerOptions {
  /** The haproxy.cfg text (a profile: `bind :8080`, `server llm "${STREAMPROOF_UPSTREAM}"`). */
  config: string;
  /** Lua files the config loads, file name → content, placed in /etc/haproxy/. */
  luaFiles?: Record<string, string>;
  /** The profile file on this host, named in a config error. */
  file?: string;
}

export class HaproxyProxy extends GenericContainer {
  private readonly options: HaproxyProxyOptions;
  private readonly output = collectLogs();
  private containerId: string | undefined;

  constructor(image: string, options: HaproxyProxyOptions) {
    super(image);
    this.options = options;
    const rendered = renderHaproxyConfig({ text: options.config, luaFiles: options.luaFiles ?? {} }, options.upstream, options.timeScale);
    if (options.publish !== false) this.withExposedPorts(options.listenPort ?? HAPROXY_LISTEN_PORT);
    if (options.network) this.withNetworkMode(options.network.name).withNetworkAliases(options.network.alias);
    this.withPullPolicy(PullPolicy.neverPull())
      .withExtraHosts([{ host: LLM_HOST_ALIAS, ipAddress: 'host-gateway' }])
      .withLabels({ ...runLabels(), 'dev.streamproof.kind': 'haproxy', 'dev.streamproof.profile': options.profile })
      .withEnvironment(rendered.environment)
      .withCopyContentToContainer(Object.entries(rendered.files).map(([target, content]) => ({ target, content })))
      // /run/haproxy holds the stock config's stats socket; Debian's systemd unit creates it
      // (RuntimeDirectory=haproxy), a container has no systemd. HAProxy runs once, no `haproxy -c`
      // first (it costs ~30 ms and says nothing a start does not). A config HAProxy refuses (it
      // logs [ALERT] and exits 1) leaves the container up, idle, so the error stays readable:
      // were it to exit at once, testcontainers would wait for ports that never bind.
      .withCommand([
        'sh',
        '-c',
        `mkdir -p /run/haproxy; haproxy -W -db -f ${HAPROXY_CONFIG_PATH} || { echo "streamproof: haproxy exited $?" >&2; exec sleep 3600; }`,
      ])
      .withLogConsumer((stream: Readable) => this.output.consume(stream))
      .withWaitStrategy(Wait.forLogMessage(STARTED_OR_REFUSED))
      .withStartupTimeout(30_000);
  }

  protected override async beforeContainerCreated(): Promise<void> {
    bindPublishedPortsToLoopback(this.hostConfig);
  }

  protected override async containerCreated(containerId: string): Promise<void> {
    this.containerId = containerId;
  }

  override async start(): Promise<StartedHaproxyProxy> {
    let container: StartedTestContainer;
    try {
      container = await super.start();
    } catch (error) {
      // A container that did not start is not handed to anyone who would stop it: remove it here.
      if (this.containerId) await docker().getContainer(this.containerId).remove({ force: true, v: true }).catch(() => {});
      throw this.startError(error);
    }
    // The wait strategy reads its own log stream: this one may not hold the line it matched yet,
    // and after a first [ALERT] the others (and the verdict) follow within milliseconds.
    await this.output.waitFor(GAVE_UP, 5_000);
    if (!this.output.text().includes('Loading success.')) {
      await container.stop({ timeout: 0 }).catch(() => {});
      throw this.refusal() ?? this.startError(new Error('HAProxy did not report "Loading success."'));
    }
    const version = /haproxy version is (\d+\.\d+\.\d+)/.exec(this.output.text())?.[1] ?? (await execVersion(container));
    return new StartedHaproxyProxy(container, this.imageName.string, this.options, version, this.output);
  }

  private alerts(): string[] {
    return this.output
      .lines()
      .filter((line) => line.includes('[ALERT]'))
      .map((line) => line.replace(/^.*?\[ALERT\]\s*(\(\d+\)\s*:\s*)?/, '').trim());
  }

  /** STREAMPROOF_PROXY_CONFIG with HAProxy's own messages, or undefined when it logged none. */
  private refusal(): StreamproofError | undefined {
    const alerts = this.alerts();
    if (alerts.length === 0) return undefined;
    // The alert naming a file:line first, then the rest (HAProxy's own "Fatal errors" summary last).
    const located = alerts.filter((alert) => alert.includes(`${HAPROXY_CONFIG_PATH}:`));
    const ordered = [...located, ...alerts.filter((alert) => !located.includes(alert))];
    const line = /haproxy\.cfg:(\d+)\]/.exec(located[0] ?? '')?.[1];
    const where = line && this.options.file ? ` (line ${line} of ${this.options.file})` : '';
    return new StreamproofError(
      'STREAMPROOF_PROXY_CONFIG',
      `haproxy refused the '${this.options.profile}' config${where}: ${ordered.join('\n  ')}`,
      `correct the line HAProxy names (${HAPROXY_CONFIG_PATH} is your profile file, line for line)`,
    );
  }

  private startError(error: unknown): Error {
    const refusal = this.refusal();
    if (refusal) return refusal;
    return new StreamproofError(
      'STREAMPROOF_PROXY_START',
      `haproxy (${this.options.profile}@${this.options.version}) did not start: ${(error as Error).message}\n${this.output.text().trim().split('\n').slice(-8).join('\n')}`,
      'check the image runs haproxy (streamproof images), and that Docker can publish a port on 127.0.0.1',
      { cause: error },
    );
  }
}

async function execVersion(container: StartedTestContainer): Promise<string> {
  const result = await container.exec(['haproxy', '-v']);
  return /HA-?Proxy version (\d+\.\d+\.\d+)/.exec(result.output)?.[1] ?? 'unknown';
}

export class StartedHaproxyProxy extends AbstractStartedContainer implements ProxyHandle {
  readonly kind = 'haproxy' as const;
  readonly listenPort: number;
  readonly profile: string;
  /** The release HAProxy reports, without a packager's suffix: `2.6.12` (Debian's `2.6.12-1+deb12u3`). */
  readonly version: string;
  readonly matrixVersion: string;
  readonly image: string;
  private readonly output: ReturnType<typeof collectLogs>;
  private readonly published: boolean;

  constructor(container: StartedTestContainer, image: string, options: HaproxyProxyOptions, version: string, logs: ReturnType<typeof collectLogs>) {
    super(container);
    this.published = options.publish !== false;
    this.listenPort = options.listenPort ?? HAPROXY_LISTEN_PORT;
    this.profile = options.profile;
    this.matrixVersion = options.version;
    this.version = version;
    this.image = image;
    this.output = logs;
  }

  /** Empty for an unpublished hop inside a chain. */
  get url(): string {
    if (!this.published) return '';
    return `http://127.0.0.1:${this.getMappedPort(this.listenPort)}`;
  }

  /** `haproxy:default@2.6.12`, the path element of results.json. */
  get id(): string {
    return `${this.kind}:${this.profile}@${this.version}`;
  }

  logText(): string {
    return this.output.text();
  }
}
