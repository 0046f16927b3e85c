/**
 * The connection a stream check judges: the client's first connection that reached the origin.
 *
 * Why not simply the first: an attempt that failed before any response head, while the origin
 * served no request that is not some later connection's, never reached the model. It tested
 * nothing of the stream (heartbeats, buffering, integrity), and the client's own retry carried
 * the stream instead. Seen once in CI: Chromium's first EventSource request through nginx:hardened
 * failed before its head on a loaded machine, its reconnect 3 s later was served and completed,
 * and the heartbeat and buffering checks failed on the empty first attempt. Such attempts are
 * named in the checks' measured text; completion and billing still count every connection.
 */
import type { RecordedConnection, ServedRequest } from '../model.ts';
import { servedFor } from './thresholds.ts';

export interface JudgedConnection {
  connection: RecordedConnection | undefined;
  /** Position in `run.connections`. */
  index: number;
  /** Connections that came before it and never reached the origin. */
  unserved: RecordedConnection[];
  /** The origin's record of the judged connection's response. */
  request: ServedRequest | undefined;
  /** Connections after the judged one (a reconnect, a retry). */
  later: number;
}

export function judgedConnection(connections: readonly RecordedConnection[], served: readonly ServedRequest[]): JudgedConnection {
  const claimed = new Set(connections.map((connection) => connection.requestId).filter((id) => id !== undefined));
  const unclaimedServed = served.filter((request) => !claimed.has(request.requestId)).length;
  let index = 0;
  // Only while a later connection exists: a client that never got further keeps its failure judged.
  while (index < connections.length - 1 && unclaimedServed === 0 && neverReachedOrigin(connections[index]!)) index++;
  const connection = connections[index];
  return {
    connection,
    index,
    unserved: connections.slice(0, index),
    // Unserved attempts have no origin record: the judged connection's is the first.
    request: connection ? servedFor(served, connection.requestId, 0) : undefined,
    later: Math.max(0, connections.length - index - 1),
  };
}

function neverReachedOrigin(connection: RecordedConnection): boolean {
  return connection.end.kind === 'connect-error' && connection.headersAtMs === undefined && connection.requestId === undefined;
}

/** "; 1 earlier attempt never reached the model (net::ERR_…)", or '' when there was none. */
export function describeUnserved(unserved: readonly RecordedConnection[]): string {
  if (unserved.length === 0) return '';
  const reasons = [...new Set(unserved.map((connection) => connection.end.message ?? connection.end.kind))].join(', ');
  return `; ${unserved.length} earlier attempt${unserved.length === 1 ? '' : 's'} never reached the model (${reasons}), not judged`;
}
