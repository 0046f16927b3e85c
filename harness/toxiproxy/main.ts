/**
 * Entry point, with Toxiproxy's own server flags (single or double dash):
 *   node harness/toxiproxy/main.ts [--host 127.0.0.1] [--port 8474] [--config proxies.json]
 * Depends on Node builtins only: this folder is copied alone into an image with just a node binary.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { ToxiproxyServer } from './api-server.ts';

export interface ServerFlags {
  host: string;
  port: number;
  config?: string;
}

/** Thrown for bad flags; main prints it with the usage line and exits 2. */
export class FlagError extends Error {}

export const USAGE = 'usage: toxiproxy-server [--host 127.0.0.1] [--port 8474] [--config proxies.json]';

export function parseFlags(argv: readonly string[]): ServerFlags {
  const flags: ServerFlags = { host: '127.0.0.1', port: 8474 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--?(host|port|config)(?:=(.*))?$/.exec(arg);
    if (!match) throw new FlagError(`unknown argument ${arg}`);
    const name = match[1] as 'host' | 'port' | 'config';
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') throw new FlagError(`-${name} needs a value`);
    if (name === 'port') {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FlagError(`-port must be an integer in 0..65535, got ${value}`);
      flags.port = port;
    } else {
      flags[name] = value;
    }
  }
  return flags;
}

/** Start the API server and populate it from the config file (Toxiproxy logs a bad file and carries on). */
export async function startFromFlags(flags: ServerFlags, log: (line: string) => void): Promise<ToxiproxyServer> {
  const server = await ToxiproxyServer.start({ host: flags.host, port: flags.port });
  if (flags.config) {
    try {
      const proxies = await server.populate(JSON.parse(await readFile(flags.config, 'utf8')));
      log(`populated ${proxies.length} proxies from ${flags.config}`);
    } catch (error) {
      log(`error reading config ${flags.config}: ${(error as Error).message}`);
    }
  }
  const { address, family, port } = server.address;
  log(`toxiproxy-server (streamproof) listening on ${family === 'IPv6' ? `[${address}]` : address}:${port}`);
  return server;
}

/** Close on SIGTERM/SIGINT, then exit. */
export function closeOnSignals(server: ToxiproxyServer): void {
  const stop = () => void server.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function main(): Promise<void> {
  let flags: ServerFlags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);
  try {
    closeOnSignals(await startFromFlags(flags, log));
  } catch (error) {
    process.stderr.write(`toxiproxy-server: cannot listen on ${flags.host}:${flags.port}: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
