/**
 * The clients: the recorder (one connection, one-shot client) and two reconnecting clients that
 * differ only in how they reconnect.
 */
import type { ClientRun } from '../model.ts';
import { describeEnd, headerValue, logicalKeyFor, recordConnection, type RecordOptions } from './sse-connection.ts';

export {
  afterTokenEvents,
  describeEnd,
  ENDPOINT_PATHS,
  interpretEvent,
  isDrop,
  logicalKeyFor,
  onToolCall,
  recordConnection,
  tokenTextOf,
  type ChatBody,
  type EventMeaning,
  type RecordedResult,
  type RecordOptions,
  type StreamFormat,
  type StreamProgress,
} from './sse-connection.ts';
export { runNaiveClient, type NaiveClientOptions } from './naive-client.ts';
export { runResumableClient, type ResumableClientOptions } from './resumable-client.ts';

/**
 * One connection, no reconnect, and it trusts a clean EOF: a stream cut without its terminator
 * comes back as partial text with no error ('returned-partial'), which the completion check flags.
 */
export async function runSingleConnectionClient(opts: RecordOptions): Promise<ClientRun> {
  const { connection, text } = await recordConnection(opts);
  const run: ClientRun = {
    client: 'recorder',
    logicalKey: logicalKeyFor(opts.body, headerValue(opts.headers, 'idempotency-key')),
    connections: [connection],
    text,
    outcome: 'threw',
  };
  switch (connection.end.kind) {
    case 'terminator':
      return { ...run, outcome: 'completed' };
    case 'aborted':
      return { ...run, outcome: 'aborted' };
    case 'eof-without-terminator':
      return { ...run, outcome: 'returned-partial' };
    default:
      return { ...run, outcome: 'threw', error: describeEnd(connection) };
  }
}
