/**
 * What the proxy container modules (nginx, HAProxy, Toxiproxy) share: how a box is wired (local
 * image, run labels, the mock LLM's host alias, a chain network, ports on 127.0.0.1 only), removal
 * of a container that failed to start, and the started handle's accessors. Each module adds only
 * its config, command, wait and error reading.
 */
import '../docker/testcontainers-env.ts';
import { AbstractStartedContainer, GenericContainer, PullPolicy, type StartedTestContainer } from 'testcontainers';
import type { Readable } from 'node:stream';
import { docker } from '../docker/engine.ts';
import { runLabels } from '../docker/run-registry.ts';
import { bindPublishedPortsToLoopback, collectLogs, LLM_HOST_ALIAS, sharesNetworkNamespace, type ProxyContainerOptions, type ProxyHandle, type SharedNetworkNamespace } from './proxy-handle.ts';

export abstract class ProxyContainer extends GenericContainer {
  protected readonly output = collectLogs();
  private containerId: string | undefined;

  /**
   * `publishedPorts`: what the harness reaches from this host (none for an inner hop of a chain; a
   * container joining another's network namespace has its ports published by that owner).
   */
  constructor(image: string, kind: string, options: Pick<ProxyContainerOptions, 'profile' | 'network' | 'files'>, publishedPorts: number[]) {
    super(image);
    const network = options.network;
    if (sharesNetworkNamespace(network)) {
      // Docker refuses ports, aliases and extra hosts on a joined namespace: the owner has them.
      this.withNetworkMode(`container:${network.owner.getId()}`);
    } else {
      if (publishedPorts.length > 0) this.withExposedPorts(...publishedPorts);
      if (network) this.withNetworkMode(network.name).withNetworkAliases(network.alias, ...(network.moreAliases ?? []));
      this.withExtraHosts([{ host: LLM_HOST_ALIAS, ipAddress: 'host-gateway' }]);
    }
    const files = Object.entries(options.files ?? {});
    if (files.length > 0) this.withCopyContentToContainer(files.map(([target, content]) => ({ target, content })));
    this.withPullPolicy(PullPolicy.neverPull())
      .withLabels({ ...runLabels(), 'dev.streamproof.kind': kind, 'dev.streamproof.profile': options.profile })
      .withLogConsumer((stream: Readable) => this.output.consume(stream))
      .withStartupTimeout(30_000);
  }

  protected override async beforeContainerCreated(): Promise<void> {
    bindPublishedPortsToLoopback(this.hostConfig);
  }

  protected override async containerCreated(containerId: string): Promise<void> {
    this.containerId = containerId;
  }

  /**
   * Starts the container; if it does not come up, removes it (nobody else holds it to stop it) and
   * throws what `explain` makes of the failure.
   */
  protected async startOrRemove(explain: (error: unknown) => Error): Promise<StartedTestContainer> {
    try {
      return await super.start();
    } catch (error) {
      if (this.containerId) await docker().getContainer(this.containerId).remove({ force: true, v: true }).catch(() => {});
      throw explain(error);
    }
  }

  /** The last lines of the container's output, for an error message. */
  protected outputTail(lines = 8): string {
    return this.output.text().trim().split('\n').slice(-lines).join('\n');
  }
}

export interface StartedProxyFacts {
  kind: string;
  image: string;
  /** The real version, as the running binary reports it. */
  version: string;
  /** `network`: a namespace it joined publishes its listen port on the owner. */
  options: Pick<ProxyContainerOptions, 'profile' | 'version' | 'network'>;
  listenPort: number;
  published: boolean;
  logs: ReturnType<typeof collectLogs>;
}

export class StartedProxyContainer extends AbstractStartedContainer implements ProxyHandle {
  readonly kind: string;
  readonly profile: string;
  readonly version: string;
  readonly matrixVersion: string;
  readonly image: string;
  readonly listenPort: number;
  private readonly published: boolean;
  private readonly output: ReturnType<typeof collectLogs>;
  private readonly sharedNetwork: SharedNetworkNamespace | undefined;

  constructor(container: StartedTestContainer, facts: StartedProxyFacts) {
    super(container);
    this.kind = facts.kind;
    this.profile = facts.options.profile;
    this.matrixVersion = facts.options.version;
    this.version = facts.version;
    this.image = facts.image;
    this.listenPort = facts.listenPort;
    this.published = facts.published;
    this.output = facts.logs;
    this.sharedNetwork = sharesNetworkNamespace(facts.options.network) ? facts.options.network : undefined;
  }

  /** Empty for an unpublished hop inside a chain. */
  get url(): string {
    if (!this.published) return '';
    return `http://127.0.0.1:${(this.sharedNetwork?.owner ?? this).getMappedPort(this.listenPort)}`;
  }

  /** `kind:profile@version` (`nginx:default@1.22.1`), the path element of results.json. */
  get id(): string {
    return `${this.kind}:${this.profile}@${this.version}`;
  }

  logText(): string {
    return this.output.text();
  }
}
