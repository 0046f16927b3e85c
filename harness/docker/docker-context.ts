/**
 * The engine the docker CLI would use: DOCKER_HOST when set, else the current `docker context`
 * (DOCKER_CONTEXT, or currentContext in ~/.docker/config.json) when it is not `default`. dockerode
 * and testcontainers read DOCKER_HOST only, so the context's endpoint is put there, once, before
 * either connects. A user's DOCKER_HOST always wins.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The current context's Docker endpoint, or undefined for `default` (the local socket). */
export function dockerContextHost(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configDir = env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  const name = env.DOCKER_CONTEXT ?? (readJson(join(configDir, 'config.json')) as { currentContext?: string } | undefined)?.currentContext;
  if (!name || name === 'default') return undefined;
  // The CLI keeps each context's metadata under the SHA-256 of its name.
  const meta = readJson(join(configDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'), 'meta.json')) as
    | { Endpoints?: { docker?: { Host?: string } } }
    | undefined;
  return meta?.Endpoints?.docker?.Host;
}

if (!process.env.DOCKER_HOST) {
  const host = dockerContextHost();
  if (host) process.env.DOCKER_HOST = host;
}
