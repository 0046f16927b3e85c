/** The Docker engine: one client, a readiness check with a remedy, the host-gateway address. */
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
      "run 'npm run setup' (on Debian it installs docker.io and starts dockerd), or start Docker yourself and set DOCKER_HOST if it listens elsewhere",
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
  const gateway: string | undefined = bridge?.IPAM?.Config?.[0]?.Gateway;
  if (!gateway) {
    throw new StreamproofError(
      'STREAMPROOF_DOCKER_UNAVAILABLE',
      "Docker's default bridge network has no gateway address",
      'start dockerd with its default bridge (do not run it with --bridge=none)',
    );
  }
  return gateway;
}
