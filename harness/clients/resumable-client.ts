/**
 * The resumable client: one Idempotency-Key for every attempt, and `Last-Event-ID` on reconnects,
 * so the origin attaches to the running generation and replays only what the client missed.
 */
import { randomUUID } from 'node:crypto';
import type { ClientRun } from '../model.ts';
import { describeEnd, isDrop, logicalKeyFor, recordConnection, tokenTextOf, type RecordOptions } from './sse-connection.ts';

export interface ResumableClientOptions extends RecordOptions {
  /** Reconnects after the first attempt; default 2. */
  maxReconnects?: number;
  /** Default: a fresh random UUID per run. */
  idempotencyKey?: string;
}

export async function runResumableClient(opts: ResumableClientOptions): Promise<ClientRun> {
  const maxReconnects = opts.maxReconnects ?? 2;
  const idempotencyKey = opts.idempotencyKey ?? randomUUID();
  const run: ClientRun = {
    client: 'resumable',
    logicalKey: logicalKeyFor(opts.body, idempotencyKey),
    connections: [],
    text: '',
    outcome: 'threw',
  };
  const seenIds = new Set<string>();
  let lastEventId: string | undefined;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) await opts.beforeReconnect?.();
    const headers: Record<string, string> = { ...opts.headers, 'Idempotency-Key': idempotencyKey };
    if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
    const { connection } = await recordConnection({ ...opts, headers });
    run.connections.push(connection);
    // Skip events already seen, in case the origin replays more than asked for.
    for (const event of connection.events) {
      if (event.id !== undefined) {
        if (seenIds.has(event.id)) continue;
        seenIds.add(event.id);
        lastEventId = event.id;
      }
      run.text += tokenTextOf(event);
    }
    const { kind } = connection.end;
    if (kind === 'terminator') return { ...run, outcome: 'completed' };
    if (kind === 'aborted') return { ...run, outcome: 'aborted' };
    if (!isDrop(connection) || attempt >= maxReconnects) {
      return { ...run, outcome: 'threw', error: `gave up after ${run.connections.length} connection(s): ${describeEnd(connection)}` };
    }
  }
}
