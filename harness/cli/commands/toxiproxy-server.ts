/** `streamproof toxiproxy-server`: streamproof's Toxiproxy-compatible server on its own. */
import type { Command } from 'commander';
import { StreamproofError } from '../../errors.ts';

export function register(program: Command): void {
  program
    .command('toxiproxy-server')
    .description("serve streamproof's Toxiproxy-compatible server (Toxiproxy 2.x API, plus recording taps) on its own")
    .option('--host <address>', 'address the API binds', '127.0.0.1')
    .option('--port <port>', 'API port', '8474')
    .option('--config <file>', 'JSON array of proxies to create at start, as POST /populate')
    .action(async (options: { host: string; port: string; config?: string }) => {
      const { existsSync } = await import('node:fs');
      const { closeOnSignals, startFromFlags } = await import('../../toxiproxy/main.ts');
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new StreamproofError('STREAMPROOF_BAD_OPTIONS', `--port must be an integer in 0..65535, got ${options.port}`, 'pass e.g. --port 8474 (0 picks a free port)');
      }
      if (options.config && !existsSync(options.config)) {
        throw new StreamproofError('STREAMPROOF_BAD_OPTIONS', `--config ${options.config} does not exist`, 'pass a JSON file holding an array of {name, listen, upstream} proxies, or leave --config out');
      }
      try {
        const server = await startFromFlags({ host: options.host, port, ...(options.config ? { config: options.config } : {}) }, (line) =>
          process.stdout.write(`${line}\n`),
        );
        closeOnSignals(server);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') {
          throw new StreamproofError('STREAMPROOF_PORT_TAKEN', `${options.host}:${port} is already in use`, 'stop what listens there (e.g. another Toxiproxy), or pass another --port', { cause: error });
        }
        throw new StreamproofError('STREAMPROOF_BIND_FAILED', `cannot listen on ${options.host}:${port}: ${(error as Error).message}`, 'pass an address of this machine with --host (default 127.0.0.1)', { cause: error });
      }
    });
}
