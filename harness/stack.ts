/**
 * One test's stack: its own mock LLM and its own proxy containers, on their own ports, torn down
 * with the test (vitest fixture in scenario.ts). Tests run concurrently, so nothing is shared.
 */
import { hostGatewayAddress } from './docker/engine.ts';
import { resolveImage, type ProxyKind, type ResolvedImage } from './docker/images.ts';
import { StreamproofError } from './errors.ts';
import { MockLlm, type MockLlmOptions } from './mock-llm/index.ts';
import { loadNginxSite } from './proxies/nginx-config.ts';
import { NginxProxy } from './proxies/nginx-proxy.ts';
import { LLM_HOST_ALIAS, type ProxyHandle } from './proxies/proxy-handle.ts';
import { readSettings, type ProxyVersion } from './settings.ts';

/** One hop of a path, as a scenario names it: `nginx:hardened` at a matrix version. */
export interface HopSpec {
  kind: ProxyKind;
  profile: string;
  version: ProxyVersion;
}

const ENV_IMAGES = 'STREAMPROOF_IMAGES';
const ENV_GATEWAY = 'STREAMPROOF_HOST_GATEWAY';

/** Main process: hand resolved images and the gateway to the workers (they inherit the env). */
export function shareWithWorkers(images: ResolvedImage[], gateway: string): void {
  process.env[ENV_IMAGES] = JSON.stringify(Object.fromEntries(images.map((i) => [`${i.kind}:${i.version}`, i.image])));
  process.env[ENV_GATEWAY] = gateway;
}

async function imageFor(kind: ProxyKind, version: ProxyVersion): Promise<string> {
  const shared = JSON.parse(process.env[ENV_IMAGES] ?? '{}') as Record<string, string>;
  return shared[`${kind}:${version}`] ?? (await resolveImage(kind, version, readSettings().imageSource)).image;
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

  async proxy(hop: HopSpec, upstreamPort: number, timeScale: number): Promise<ProxyHandle> {
    if (hop.kind !== 'nginx') {
      throw new StreamproofError('STREAMPROOF_UNKNOWN_PROFILE', `proxy kind '${hop.kind}' is not available yet`, 'use nginx');
    }
    const site = loadNginxSite(hop.profile);
    const image = await imageFor(hop.kind, hop.version);
    const proxy = await new NginxProxy(image, {
      profile: site.name,
      site: site.text,
      upstream: { host: LLM_HOST_ALIAS, port: upstreamPort },
      timeScale,
      version: hop.version,
    }).start();
    this.disposables.push(proxy);
    return proxy;
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
