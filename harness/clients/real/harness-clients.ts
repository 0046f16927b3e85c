/**
 * The harness's own clients behind the scenario client interface: the recorder (one connection),
 * and the naive and resumable reconnecting clients (undici, harness/clients/).
 */
import { PACKAGE_VERSION as STREAMPROOF_VERSION } from '../../package-files.ts';
import type { ClientRun } from '../../model.ts';
import { runSingleConnectionClient } from '../index.ts';
import { runNaiveClient } from '../naive-client.ts';
import { runResumableClient } from '../resumable-client.ts';
import type { ClientDefinition, ClientRequest, StatedClientOptions } from './types.ts';

/** The harness's clients are versioned with streamproof. */
export { STREAMPROOF_VERSION };

function harnessClient(
  name: string,
  description: string,
  options: (stated: StatedClientOptions) => Record<string, number>,
  run: (request: ClientRequest, options: Record<string, number>) => Promise<ClientRun>,
): ClientDefinition {
  return {
    name,
    version: STREAMPROOF_VERSION,
    formats: ['openai', 'anthropic'],
    description,
    create(stated) {
      const resolved = options(stated);
      return {
        name,
        version: STREAMPROOF_VERSION,
        options: resolved,
        run: async (request) => ({ ...(await run(request, resolved)), clientVersion: STREAMPROOF_VERSION, clientOptions: resolved }),
      };
    },
  };
}

const reconnects = (stated: StatedClientOptions) => ({ maxReconnects: stated.maxReconnects ?? 2 });

export const recorderClient = harnessClient('recorder', 'one POST, one connection, trusts a clean EOF', () => ({}), (request) => runSingleConnectionClient(request));
export const naiveClient = harnessClient('naive', 're-POSTs the whole request on a drop', reconnects, (request, options) =>
  runNaiveClient({ ...request, maxReconnects: options.maxReconnects }),
);
export const resumableClient = harnessClient('resumable', 'Idempotency-Key + Last-Event-ID on reconnects', reconnects, (request, options) =>
  runResumableClient({ ...request, maxReconnects: options.maxReconnects }),
);
