/**
 * A real HAProxy in a container, testcontainers-module style:
 *   await using proxy = await new HaproxyProxy(image, { profile, config, luaFiles, upstream, timeScale, version }).start();
 *   proxy.url  // http://127.0.0.1:<port>
 */
import { posix } from 'node:path';
import { Wait, type StartedTestContainer } from 'testcontainers';
import { StreamproofError } from '../errors.ts';
import { HAPROXY_CONFIG_PATH, HAPROXY_LISTEN_PORT, renderHaproxyConfig } from './haproxy-config.ts';
import { ProxyContainer, StartedProxyContainer } from './proxy-container.ts';
import type { ProxyContainerOptions } from './proxy-handle.ts';

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

/**
 * A started HAProxy: `url`, `id`, `version` (the release HAProxy reports, without a packager's
 * suffix: `2.6.12` for Debian's `2.6.12-1+deb12u3`), `logText()`, `await using`.
 */
export type StartedHaproxyProxy = StartedProxyContainer;

export class HaproxyProxy extends ProxyContainer {
  private readonly options: HaproxyProxyOptions;
  private readonly listenPort: number;

  constructor(image: string, options: HaproxyProxyOptions) {
    const listenPort = options.listenPort ?? HAPROXY_LISTEN_PORT;
    super(image, 'haproxy', options, options.publish === false ? [] : [listenPort]);
    this.options = options;
    this.listenPort = listenPort;
    const rendered = renderHaproxyConfig({ text: options.config, luaFiles: options.luaFiles ?? {} }, options.upstream, options.timeScale);
    this.withEnvironment(rendered.environment)
      .withCopyContentToContainer(Object.entries(rendered.files).map(([target, content]) => ({ target, content })))
      // /run/haproxy holds the stock config's stats socket; Debian's systemd unit creates it
      // (RuntimeDirectory=haproxy), a container has no systemd. HAProxy runs once, no `haproxy -c`
      // first (it costs ~30 ms and says nothing a start does not). A config HAProxy refuses (it
      // logs [ALERT] and exits 1) leaves the container up, idle, so the error stays readable:
      // were it to exit at once, testcontainers would wait for ports that never bind.
      .withCommand([
        'sh',
        '-c',
        // From the config's directory: a relative `crt site.pem` resolves beside the config, as
        // for the usual `haproxy -f haproxy.cfg` run where the file lives.
        `mkdir -p /run/haproxy; cd ${posix.dirname(HAPROXY_CONFIG_PATH)}; haproxy -W -db -f ${HAPROXY_CONFIG_PATH} || { echo "streamproof: haproxy exited $?" >&2; exec sleep 3600; }`,
      ])
      .withWaitStrategy(Wait.forLogMessage(STARTED_OR_REFUSED));
  }

  override async start(): Promise<StartedHaproxyProxy> {
    const container = await this.startOrRemove((error) => this.startError(error));
    // The wait strategy reads its own log stream: this one may not hold the line it matched yet,
    // and after a first [ALERT] the others (and the verdict) follow within milliseconds.
    await this.output.waitFor(GAVE_UP, 5_000);
    if (!this.output.text().includes('Loading success.')) {
      await container.stop({ timeout: 0 }).catch(() => {});
      throw this.refusal() ?? this.startError(new Error('HAProxy did not report "Loading success."'));
    }
    const version = /haproxy version is (\d+\.\d+\.\d+)/.exec(this.output.text())?.[1] ?? (await execVersion(container));
    return new StartedProxyContainer(container, {
      kind: 'haproxy',
      image: this.imageName.string,
      version,
      options: this.options,
      listenPort: this.listenPort,
      published: this.options.publish !== false,
      logs: this.output,
    });
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
      `haproxy (${this.options.profile}@${this.options.version}) did not start: ${(error as Error).message}\n${this.outputTail()}`,
      'check the image runs haproxy (streamproof images), and that Docker can publish a port on 127.0.0.1',
      { cause: error },
    );
  }
}

async function execVersion(container: StartedTestContainer): Promise<string> {
  const result = await container.exec(['haproxy', '-v']);
  return /HA-?Proxy version (\d+\.\d+\.\d+)/.exec(result.output)?.[1] ?? 'unknown';
}
