/**
 * A real nginx in a container, testcontainers-module style:
 *   await using proxy = await new NginxProxy(image, { profile, site, upstream, timeScale, version }).start();
 *   proxy.url  // http://127.0.0.1:<port>
 */
import { Wait, type StartedTestContainer } from 'testcontainers';
import { StreamproofError } from '../errors.ts';
import { NGINX_LISTEN_PORT, renderNginxConfig } from './nginx-config.ts';
import { ProxyContainer, StartedProxyContainer } from './proxy-container.ts';
import type { ProxyContainerOptions } from './proxy-handle.ts';

/** nginx logs the first once it listens; the second when it refuses the config. */
const STARTED_OR_REFUSED = /start worker process|\[emerg\]/;

export interface NginxProxyOptions extends ProxyContainerOptions {
  /** The site file's text (a `server {}` using `proxy_pass http://llm_upstream`). */
  site: string;
  /** `site` is a whole nginx.conf (a user's), put in place of the image's own. */
  wholeConfig?: boolean;
  /** Files the config includes, nginx path → text (a user's snippets); their timeouts scaled as the site's. */
  includes?: Readonly<Record<string, string>>;
}

/** A started nginx: `url`, `id`, `version` (from nginx's own log), `logText()`, `await using`. */
export type StartedNginxProxy = StartedProxyContainer;

export class NginxProxy extends ProxyContainer {
  private readonly options: NginxProxyOptions;
  private readonly listenPort: number;

  constructor(image: string, options: NginxProxyOptions) {
    const listenPort = options.listenPort ?? NGINX_LISTEN_PORT;
    super(image, 'nginx', options, options.publish === false ? [] : [listenPort]);
    this.options = options;
    this.listenPort = listenPort;
    const config = renderNginxConfig(options.site, options.upstream, options.timeScale, { wholeConfig: options.wholeConfig ?? false, includes: options.includes ?? {} });
    this.withCopyContentToContainer(Object.entries(config.files).map(([target, content]) => ({ target, content })))
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
      // "start worker process" is logged once nginx listens; [emerg] means the config was refused.
      .withWaitStrategy(Wait.forLogMessage(STARTED_OR_REFUSED));
  }

  override async start(): Promise<StartedNginxProxy> {
    const container = await this.startOrRemove((error) => this.startError(error));
    // The wait strategy reads its own log stream: this one may not hold the line it matched yet.
    await this.output.waitFor(STARTED_OR_REFUSED, 5_000);
    const emerg = this.output.lines().find((line) => line.includes('[emerg]'));
    if (emerg) {
      await container.stop({ timeout: 0 }).catch(() => {});
      throw configError(emerg, this.options.profile);
    }
    const version = /nginx\/(\d+\.\d+\.\d+)/.exec(this.output.text())?.[1] ?? (await execVersion(container));
    return new StartedProxyContainer(container, {
      kind: 'nginx',
      image: this.imageName.string,
      version,
      options: this.options,
      listenPort: this.listenPort,
      published: this.options.publish !== false,
      logs: this.output,
    });
  }

  private startError(error: unknown): Error {
    const emerg = this.output.lines().find((line) => line.includes('[emerg]'));
    if (emerg) return configError(emerg, this.options.profile);
    return new StreamproofError(
      'STREAMPROOF_PROXY_START',
      `nginx (${this.options.profile}@${this.options.version}) did not start: ${(error as Error).message}\n${this.outputTail()}`,
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
