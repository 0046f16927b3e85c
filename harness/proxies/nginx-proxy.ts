/**
 * A real nginx in a container, testcontainers-module style:
 *   await using proxy = await new NginxProxy(image, { profile, site, upstream, timeScale, version }).start();
 *   proxy.url  // http://127.0.0.1:<port>
 */
import '../docker/testcontainers-env.ts';
import { AbstractStartedContainer, GenericContainer, PullPolicy, Wait, type StartedTestContainer } from 'testcontainers';
import type { Readable } from 'node:stream';
import { StreamproofError } from '../errors.ts';
import { docker } from '../docker/engine.ts';
import { runLabels } from '../docker/run-registry.ts';
import { NGINX_LISTEN_PORT, renderNginxConfig } from './nginx-config.ts';
import { bindPublishedPortsToLoopback, collectLogs, LLM_HOST_ALIAS, type ProxyContainerOptions, type ProxyHandle } from './proxy-handle.ts';

/** nginx logs the first once it listens; the second when it refuses the config. */
const STARTED_OR_REFUSED = /start worker process|\[emerg\]/;

export interface NginxProxyOptions extends ProxyContainerOptions {
  /** The site file's text (a `server {}` using `proxy_pass http://llm_upstream`). */
  site: string;
}

export class NginxProxy extends GenericContainer {
  private readonly options: NginxProxyOptions;
  private readonly output = collectLogs();
  private containerId: string | undefined;

  constructor(image: string, options: NginxProxyOptions) {
    super(image);
    this.options = options;
    const config = renderNginxConfig(options.site, options.upstream, options.timeScale);
    if (options.publish !== false) this.withExposedPorts(options.listenPort ?? NGINX_LISTEN_PORT);
    if (options.network) this.withNetworkMode(options.network.name).withNetworkAliases(options.network.alias);
    this.withPullPolicy(PullPolicy.neverPull())
      .withExtraHosts([{ host: LLM_HOST_ALIAS, ipAddress: 'host-gateway' }])
      .withLabels({ ...runLabels(), 'dev.streamproof.kind': 'nginx', 'dev.streamproof.profile': options.profile })
      .withCopyContentToContainer(Object.entries(config.files).map(([target, content]) => ({ target, content })))
      // The stock main config stays; only the images' own sample sites go (they listen on :80).
      // A config nginx refuses (it logs [emerg] and exits) leaves the container up, idle: were it to
      // exit at once, testcontainers would wait 10 s for ports that never bind, then fail without it.
      // nginx runs once (no `nginx -t` first: that cost 150 ms per start, measured by npm run bench).
      .withCommand([
        'sh',
        '-c',
        'rm -f /etc/nginx/sites-enabled/default /etc/nginx/conf.d/default.conf; ' +
          'nginx -g "daemon off; error_log stderr notice;" || exec sleep 3600',
      ])
      .withLogConsumer((stream: Readable) => this.output.consume(stream))
      // "start worker process" is logged once nginx listens; [emerg] means the config was refused.
      .withWaitStrategy(Wait.forLogMessage(STARTED_OR_REFUSED))
      .withStartupTimeout(30_000);
  }

  protected override async beforeContainerCreated(): Promise<void> {
    bindPublishedPortsToLoopback(this.hostConfig);
  }

  protected override async containerCreated(containerId: string): Promise<void> {
    this.containerId = containerId;
  }

  override async start(): Promise<StartedNginxProxy> {
    let container: StartedTestContainer;
    try {
      container = await super.start();
    } catch (error) {
      // A container that did not start is not handed to anyone who would stop it: remove it here.
      if (this.containerId) await docker().getContainer(this.containerId).remove({ force: true, v: true }).catch(() => {});
      throw this.startError(error);
    }
    // The wait strategy reads its own log stream: this one may not hold the line it matched yet.
    await this.output.waitFor(STARTED_OR_REFUSED, 5_000);
    const emerg = this.output.lines().find((line) => line.includes('[emerg]'));
    if (emerg) {
      await container.stop({ timeout: 0 }).catch(() => {});
      throw configError(emerg, this.options.profile);
    }
    const version = /nginx\/(\d+\.\d+\.\d+)/.exec(this.output.text())?.[1] ?? (await execVersion(container));
    return new StartedNginxProxy(container, this.imageName.string, this.options, version, this.output);
  }

  private startError(error: unknown): Error {
    const emerg = this.output.lines().find((line) => line.includes('[emerg]'));
    if (emerg) return configError(emerg, this.options.profile);
    return new StreamproofError(
      'STREAMPROOF_PROXY_START',
      `nginx (${this.options.profile}@${this.options.version}) did not start: ${(error as Error).message}\n${this.output.text().trim().split('\n').slice(-8).join('\n')}`,
      'check the image runs nginx (streamproof images), and that Docker can publish a port on 127.0.0.1',
      { cause: error },
    );
  }
}

function configError(emergLine: string, profile: string): StreamproofError {
  const message = emergLine.replace(/^.*?\[emerg\]\s*(\d+#\d+:\s*)?/, '');
  return new StreamproofError(
    'STREAMPROOF_PROXY_CONFIG',
    `nginx refused the '${profile}' config: ${message}`,
    'correct the directive at the file and line nginx names (streamproof-site.conf is your profile file)',
  );
}

async function execVersion(container: StartedTestContainer): Promise<string> {
  const result = await container.exec(['nginx', '-v']);
  return /nginx\/(\S+)/.exec(result.output)?.[1] ?? 'unknown';
}

export class StartedNginxProxy extends AbstractStartedContainer implements ProxyHandle {
  readonly kind = 'nginx' as const;
  readonly listenPort: number;
  readonly profile: string;
  readonly version: string;
  readonly matrixVersion: string;
  readonly image: string;
  private readonly output: ReturnType<typeof collectLogs>;
  private readonly published: boolean;

  constructor(container: StartedTestContainer, image: string, options: NginxProxyOptions, version: string, logs: ReturnType<typeof collectLogs>) {
    super(container);
    this.published = options.publish !== false;
    this.listenPort = options.listenPort ?? NGINX_LISTEN_PORT;
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

  /** `nginx:default@1.22.1`, the path element of results.json. */
  get id(): string {
    return `${this.kind}:${this.profile}@${this.version}`;
  }

  logText(): string {
    return this.output.text();
  }
}
