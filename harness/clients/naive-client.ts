/**
 * The naive client: on a drop it re-POSTs the whole request, as many reconnect wrappers do. No ids,
 * no idempotency key, so every retry is a new generation: billed again, its text appended again.
 */
import type { ClientRun } from '../model.ts';
import { describeEnd, headerValue, isDrop, logicalKeyFor, recordConnection, type RecordOptions } from './sse-connection.ts';

export interface NaiveClientOptions extends RecordOptions {
  /** Re-POSTs after the first attempt; default 2. */
  maxReconnects?: number;
}

export async function runNaiveClient(opts: NaiveClientOptions): Promise<ClientRun> {
  const maxReconnects = opts.maxReconnects ?? 2;
  const run: ClientRun = {
    client: 'naive',
    logicalKey: logicalKeyFor(opts.body, headerValue(opts.headers, 'idempotency-key')),
    connections: [],
    text: '',
    outcome: 'threw',
  };
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) await opts.beforeReconnect?.();
    const { connection, text } = await recordConnection(opts);
    run.connections.push(connection);
    run.text += text;
    const { kind } = connection.end;
    if (kind === 'terminator') return { ...run, outcome: 'completed' };
    if (kind === 'aborted') return { ...run, outcome: 'aborted' };
    if (!isDrop(connection) || attempt >= maxReconnects) {
      return { ...run, outcome: 'threw', error: `gave up after ${run.connections.length} connection(s): ${describeEnd(connection)}` };
    }
  }
}
