/**
 * buffering: how late each event reached the client (arrival − emission). Events of the first
 * connection (the first to reach the origin, judged-connection.ts) are matched to the origin's emitted events by order; a buffering proxy shows up as
 * large delays and bursts of events emitted far apart but arriving together.
 */
import { tokenTextOf } from '../clients/sse-connection.ts';
import type { Check, EmittedItem, RecordedConnection, ServedRequest, StreamEvidence } from '../model.ts';
import { describeUnserved, judgedConnection } from './judged-connection.ts';
import { marginOf, pickThresholds, roundMs, type Thresholds } from './thresholds.ts';

const KEYS = ['delayP95Ms', 'delayMaxMs', 'burstWindowMs', 'burstMinEmitGapMs'] as const;

/** An emitted item and when the client got it. */
export interface MatchedArrival {
  emitted: EmittedItem;
  atMs: number;
}

export interface Arrivals {
  /** Scripted events, in emission order (a prefix when fewer arrived). */
  events: MatchedArrival[];
  heartbeats: MatchedArrival[];
  emittedEvents: number;
  emittedHeartbeats: number;
}

/**
 * Matches what one response emitted to what its connection received, by order. Bytes keep their
 * order on a TCP stream, so the i-th SSE event written is the i-th parsed. A heartbeat is either a
 * comment or, for Anthropic `ping` heartbeats, an SSE event in line with the scripted ones.
 */
export function matchArrivals(connection: RecordedConnection, request: ServedRequest | undefined): Arrivals {
  const emitted = request?.emitted ?? [];
  const asEvents = emitted.filter((item) => item.kind === 'event' || item.event !== undefined);
  const asComments = emitted.filter((item) => item.kind === 'heartbeat' && item.event === undefined);
  const eventPairs = zip(asEvents, connection.events);
  return {
    events: eventPairs.filter((pair) => pair.emitted.kind === 'event'),
    heartbeats: [...eventPairs.filter((pair) => pair.emitted.kind === 'heartbeat'), ...zip(asComments, connection.comments)],
    emittedEvents: emitted.filter((item) => item.kind === 'event').length,
    emittedHeartbeats: emitted.filter((item) => item.kind === 'heartbeat').length,
  };
}

function zip(emitted: EmittedItem[], arrived: readonly { atMs: number }[]): MatchedArrival[] {
  return emitted.slice(0, arrived.length).map((item, i) => ({ emitted: item, atMs: arrived[i]!.atMs }));
}

export function bufferingCheck(overrides?: Partial<Thresholds>): Check<StreamEvidence> {
  const thresholds = pickThresholds(KEYS, overrides);
  return {
    name: 'buffering',
    evaluate({ run, served, intent }) {
      const judged = judgedConnection(run.connections, served);
      const first = judged.connection;
      const injectedMs = intent.injectedDelayMs ?? 0;
      const arrivals = first ? matchArrivals(first, judged.request) : undefined;
      const events = arrivals?.events ?? [];

      // Judged on the delay beyond what the scenario injected on purpose.
      const delays = events.map((pair) => Math.max(0, pair.atMs - pair.emitted.atMs - injectedMs));
      let burstEvents = 0;
      for (let i = 1; i < events.length; i++) {
        const arrivedGap = events[i]!.atMs - events[i - 1]!.atMs;
        const emittedGap = events[i]!.emitted.atMs - events[i - 1]!.emitted.atMs;
        if (arrivedGap <= thresholds.burstWindowMs && emittedGap >= thresholds.burstMinEmitGapMs) burstEvents++;
      }
      const beatDelays = (arrivals?.heartbeats ?? []).map((pair) => pair.atMs - pair.emitted.atMs);

      const delayP50Ms = percentile(delays, 0.5);
      const delayP95Ms = percentile(delays, 0.95);
      const delayMaxMs = delays.length ? Math.max(...delays) : null;
      const firstToken = first?.events.find((event) => tokenTextOf(event) !== '');
      const ttftMs = first && firstToken ? firstToken.atMs - first.startedAtMs : null;
      const pass = delayP95Ms !== null && delayMaxMs !== null && delayP95Ms <= thresholds.delayP95Ms && delayMaxMs <= thresholds.delayMaxMs;

      const coverage = `matched ${events.length} of ${arrivals?.emittedEvents ?? 0} emitted events (${first?.events.length ?? 0} SSE events arrived on the first connection)`;
      return {
        check: 'buffering',
        verdict: pass ? 'pass' : 'fail',
        expected: `delay p95 ≤ ${thresholds.delayP95Ms} ms, max ≤ ${thresholds.delayMaxMs} ms${injectedMs ? ` beyond ${roundMs(injectedMs)} ms injected` : ''}`,
        measured: (events.length ? `delay p95 ${fmt(delayP95Ms)} ms, max ${fmt(delayMaxMs)} ms; ${burstEvents} burst events` : 'no events to match') + describeUnserved(judged.unserved),
        figures: {
          delayP50Ms: roundMs(delayP50Ms),
          delayP95Ms: roundMs(delayP95Ms),
          delayMaxMs: roundMs(delayMaxMs),
          ttftMs: roundMs(ttftMs),
          eventsMatched: events.length,
          burstEvents,
          heartbeatDelayMaxMs: beatDelays.length ? roundMs(Math.max(...beatDelays)) : null,
          injectedDelayMs: roundMs(injectedMs),
        },
        thresholds: { ...thresholds },
        margin: marginOf([
          [delayP95Ms, thresholds.delayP95Ms],
          [delayMaxMs, thresholds.delayMaxMs],
        ]),
        detail: events.length
          ? `${pass ? 'Events flowed through' : 'Events were held back'}: ${coverage}${burstEvents ? `; ${burstEvents} arrived in bursts` : ''}.`
          : `Nothing to measure: ${coverage}.`,
      };
    },
  };
}

/** Nearest-rank percentile; null for no samples. */
function percentile(samples: readonly number[], p: number): number | null {
  if (!samples.length) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

function fmt(ms: number | null): string {
  return ms === null ? '?' : ms.toFixed(1);
}
