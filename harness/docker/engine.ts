/** The Docker engine: one client, a readiness check with a remedy, the host-gateway address. */
import './docker-context.ts';
import Docker from 'dockerode';
import { StreamproofError } from '../errors.ts';

let client: Docker | undefined;

export function docker(): Docker {
  client ??= new Docker();
  return client;
}

export async function ensureDockerAnswers(timeoutMs = 5000): Promise<void> {
  try {
    await Promise.race([
      docker().ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  } catch (error) {
    throw new StreamproofError(
      'STREAMPROOF_DOCKER_UNAVAILABLE',
      `no Docker engine answers at ${process.env.DOCKER_HOST ?? '/var/run/docker.sock'} (${(error as Error).message})`,
      "run 'streamproof setup --install' as root (on Debian or Ubuntu it installs docker.io and starts dockerd), or start Docker yourself and set DOCKER_HOST if it listens elsewhere",
      { cause: error },
    );
  }
}

/**
 * The address containers use to reach this host (Docker's `host-gateway`): the default bridge's
 * gateway. The mock LLM binds it, and loopback, never 0.0.0.0.
 */
export async function hostGatewayAddress(): Promise<string> {
  const bridge = await docker().getNetwork('bridge').inspect();
  // Some engines (Debian's 20.10) leave IPAM's Gateway empty. Docker then gives the bridge the
  // subnet's first address (the interface itself is hidden from Node while no container is up).
  const config = bridge?.IPAM?.Config?.[0] as { Gateway?: string; Subnet?: string } | undefined;
  const gateway = config?.Gateway || firstHostAddress(config?.Subnet);
  if (!gateway) {
    throw new StreamproofError(
      'STREAMPROOF_DOCKER_UNAVAILABLE',
      "Docker's default bridge network has no gateway address",
      'start dockerd with its default bridge (do not run it with --bridge=none)',
    );
  }
  return gateway;
}

function firstHostAddress(subnet: string | undefined): string | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/\d+$/.exec(subnet ?? '');
  if (!match) return undefined;
  const [a, b, c, d] = match.slice(1).map(Number) as [number, number, number, number];
  return `${a}.${b}.${c}.${d + 1}`;
}
