/** What every started proxy offers the harness, whatever its kind; and helpers the kinds share. */
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { HostConfig } from 'dockerode';

/** Name the mock LLM is reached by from any container: Docker's host-gateway. */
export const LLM_HOST_ALIAS = 'streamproof-llm';

/** Where a hop forwards: the mock LLM (LLM_HOST_ALIAS) or the next hop's network alias. */
export interface UpstreamAddress {
  host: string;
  port: number;
}

/** A container's own place on a chain's private network: its alias there, and other names it answers to. */
export interface ChainNetworkPlace {
  name: string;
  alias: string;
  moreAliases?: readonly string[];
}

/**
 * Another container's network namespace, joined (`--network container:<id>`): its loopback is this
 * container's loopback. A user's file that proxies to 127.0.0.1:3000 reaches the tap that owns the
 * namespace there. The owner publishes the ports and carries the aliases; this container has none.
 */
export interface SharedNetworkNamespace {
  owner: { getId(): string; getMappedPort(port: number): number };
}

export const sharesNetworkNamespace = (network: ProxyContainerOptions['network']): network is SharedNetworkNamespace => network !== undefined && 'owner' in network;

/** What every proxy container module takes, whatever its kind. */
export interface ProxyContainerOptions {
  /** Profile name, as reported. */
  profile: string;
  upstream: UpstreamAddress;
  timeScale: number;
  /** Matrix version name (bookworm, sid...), as reported. */
  version: string;
  /**
   * In a chain, the private Docker network and this hop's alias on it. Without one the container
   * sits on Docker's default bridge. `moreAliases`: other names it answers to there (a tap carries
   * every upstream host a user's file names, so the proxy resolves them all and starts). Or the
   * network namespace of its tap, for a file that proxies to a loopback address.
   */
  network?: ChainNetworkPlace | SharedNetworkNamespace;
  /** Publish the listen port on 127.0.0.1 (default true). In a chain only the first hop is published. */
  publish?: boolean;
  /** The port the config listens on inside the container, when not the profiles' 8080 (a user's own config). */
  listenPort?: number;
  /** More files placed in the container, path → content: the throwaway TLS files a user's config names. */
  files?: Readonly<Record<string, string>>;
}

export interface ProxyHandle extends AsyncDisposable {
  readonly kind: string;
  readonly profile: string;
  /** The proxy's real version, as the running binary reports it. */
  readonly version: string;
  /** The matrix point it was started for (bookworm, sid...). */
  readonly matrixVersion: string;
  readonly image: string;
  /** Where the client connects: always on 127.0.0.1. */
  readonly url: string;
  /** `kind:profile@version`. */
  readonly id: string;
  /** The port it listens on inside its container (what the previous hop of a chain connects to). */
  readonly listenPort: number;
  logText(): string;
}

/** testcontainers publishes on 0.0.0.0; only loopback may reach the proxies. */
export function bindPublishedPortsToLoopback(hostConfig: HostConfig): void {
  for (const bindings of Object.values(hostConfig.PortBindings ?? {}) as Array<Array<{ HostIp?: string }>>) {
    for (const binding of bindings) binding.HostIp = '127.0.0.1';
  }
}

/** Keep a container's output (stdout and stderr) for wait decisions and error messages. */
export function collectLogs() {
  let text = '';
  const output = new EventEmitter();
  return {
    consume(stream: Readable) {
      stream.on('data', (chunk: Buffer | string) => {
        text += chunk.toString();
        output.emit('data');
      });
      stream.on('error', () => {});
    },
    text: () => text,
    lines: () => text.split('\n'),
    /** Resolves once the output matches (at once if it already does), or after timeoutMs regardless. */
    waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
      return new Promise((resolve) => {
        const check = () => {
          if (!pattern.test(text)) return;
          done();
        };
        const done = () => {
          clearTimeout(timer);
          output.off('data', check);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        output.on('data', check);
        check();
      });
    },
  };
}
