/**
 * heartbeat: did the stream survive the tool-call pause on its first connection (the first to reach
 * the origin, judged-connection.ts), and did the
 * heartbeats reach the client in time (a proxy that buffers them lets the silence grow anyway)?
 */
import type { Check, RecordedConnection, StreamEvidence } from '../model.ts';
import { matchArrivals } from './buffering.ts';
import { describeUnserved, judgedConnection } from './judged-connection.ts';
import { marginOf, pickThresholds, roundMs, type Thresholds } from './thresholds.ts';

const KEYS = ['maxGapFactor', 'gapSlackMs'] as const;

export function heartbeatCheck(overrides?: Partial<Thresholds>): Check<StreamEvidence> {
  const thresholds = pickThresholds(KEYS, overrides);
  return {
    name: 'heartbeat',
    evaluate({ run, served, intent }) {
      const judged = judgedConnection(run.connections, served);
      const first = judged.connection;
      const pauseMs = intent.toolPauseMs ?? null;
      const intervalMs = intent.heartbeatIntervalMs ?? null;
      // A client that sees no raw reads (a browser page) cannot measure silences: not measurable, not judged.
      const readsSeen = first !== undefined && !first.unseenByClient?.includes('chunks');
      const { maxGapMs, silenceBeforeEndMs } = readsSeen ? silences(first) : { maxGapMs: null, silenceBeforeEndMs: null };
      const request = judged.request;
      // Without the origin's record, comments are the only heartbeats the client can tell apart.
      const arrivals = first && request ? matchArrivals(first, request) : undefined;
      const heartbeatsSent = arrivals ? arrivals.emittedHeartbeats : null;
      const heartbeatsArrived = first?.unseenByClient?.includes('comments') ? null : arrivals ? arrivals.heartbeats.length : (first?.comments.length ?? null);
      const survived = first?.end.kind === 'terminator' && judged.later === 0;
      const allowedGapMs = intervalMs === null ? null : intervalMs * thresholds.maxGapFactor + thresholds.gapSlackMs;
      const gapOk = allowedGapMs === null || !readsSeen || (maxGapMs !== null && maxGapMs <= allowedGapMs);

      // A client that drops the stream itself once heartbeats arrive did not accept their format
      // (the OpenAI SDK reading an `event: ping` as a chunk); null when none was sent.
      const droppedByClient = first?.end.kind === 'aborted' && run.outcome === 'threw';
      const formatAccepted = intervalMs === null || !first ? null : droppedByClient && (heartbeatsArrived ?? 0) > 0 ? 0 : 1;
      const format = intent.heartbeatFormat === 'anthropic-ping' ? '`event: ping`' : 'comment';
      const beats = intervalMs === null ? 'no heartbeats scripted' : `${heartbeatsArrived ?? '?'}/${heartbeatsSent ?? '?'} ${format} heartbeats arrived`;
      const gap = readsSeen ? `max gap ${fmt(maxGapMs)} ms` : `max gap not measurable (the ${run.client} client sees no raw reads)`;
      const measured =
        (survived
          ? `survived on one connection; ${gap}; ${beats}`
          : first
            ? `cut after ${fmt(silenceBeforeEndMs)} ms of silence (${first.end.kind}${first.end.message ? `: ${first.end.message}` : ''}); ${gap}; ${beats}`
            : 'no connection recorded') + describeUnserved(judged.unserved);
      let detail: string;
      if (!first) detail = 'The client recorded no connection.';
      else if (!survived && droppedByClient)
        detail = `The ${run.client} client aborted the first connection itself, ${fmt(silenceBeforeEndMs)} ms after its last bytes${
          formatAccepted === 0 ? ` (it does not accept ${format} heartbeats)` : ''
        }: ${run.error ?? 'it threw'}.`;
      else if (!survived)
        detail = `The first connection ended ${first.end.kind} after ${fmt(silenceBeforeEndMs)} ms without bytes${
          intent.idleTimeoutMs !== undefined ? ` (path idle timeout ${intent.idleTimeoutMs} ms)` : ''
        }${judged.later > 0 ? `; the client needed ${judged.later + 1} connections` : ''}.`;
      else if (!gapOk)
        detail = `Survived, but the client saw ${fmt(maxGapMs)} ms of silence against ${fmt(allowedGapMs)} ms allowed: heartbeats were held back on the way.`;
      else detail = `The connection stayed open${pauseMs !== null ? ` through the ${pauseMs} ms pause` : ''}; ${beats}.`;

      return {
        check: 'heartbeat',
        verdict: survived && gapOk ? 'pass' : 'fail',
        expected:
          `${pauseMs !== null ? `survives a ${pauseMs} ms pause` : 'survives the stream'} on one connection` +
          (intervalMs !== null ? `; max gap ≤ ${thresholds.maxGapFactor} × ${intervalMs} ms heartbeat interval + ${thresholds.gapSlackMs} ms` : ''),
        measured,
        figures: {
          pauseMs,
          heartbeatIntervalMs: intervalMs,
          heartbeatsSent,
          heartbeatsArrived,
          maxGapMs: roundMs(maxGapMs),
          silenceBeforeEndMs: roundMs(silenceBeforeEndMs),
          survived: survived ? 1 : 0,
          idleTimeoutMs: intent.idleTimeoutMs ?? null,
          heartbeatFormatAccepted: formatAccepted,
        },
        thresholds: { ...thresholds },
        // The gap is the timing part of the verdict; a cut stream is a fact, not a near miss.
        ...(survived && readsSeen && allowedGapMs !== null ? { margin: marginOf([[maxGapMs, allowedGapMs]]) } : {}),
        detail,
      };
    },
  };
}

/**
 * Silences at the client between consecutive arrivals of anything (each chunk, the end), counted
 * from the request: nginx <= 1.28 with buffering holds the response head with the body, so a
 * count from the head would see no silence at all (decisions/0004). The last silence, before the
 * end, is the one a proxy idle timeout cuts.
 */
function silences(connection: RecordedConnection): { maxGapMs: number | null; silenceBeforeEndMs: number | null } {
  const times = [connection.startedAtMs, ...connection.chunks.map((chunk) => chunk.atMs), connection.end.atMs];
  let maxGapMs = 0;
  for (let i = 1; i < times.length; i++) maxGapMs = Math.max(maxGapMs, times[i]! - times[i - 1]!);
  return { maxGapMs, silenceBeforeEndMs: times.at(-1)! - times.at(-2)! };
}

function fmt(ms: number | null): string {
  return ms === null ? '?' : String(Math.round(ms));
}
