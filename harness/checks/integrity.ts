/**
 * integrity: every event the origin wrote arrived once, whole and in order, however the bytes were
 * cut on the way (a slicer, tiny TCP segments, a proxy re-chunking). A lost event shows as a short
 * count; two events merged by a broken parser, or one split in two, as a payload that is no longer
 * the JSON the origin wrote.
 */
import type { Check, StreamEvidence } from '../model.ts';
import { describeUnserved, judgedConnection } from './judged-connection.ts';

export function integrityCheck(): Check<StreamEvidence> {
  return {
    name: 'integrity',
    evaluate({ run, served }) {
      const judged = judgedConnection(run.connections, served);
      const first = judged.connection;
      const request = judged.request;
      // What a client parses as events: scripted events, and heartbeats sent as events (Anthropic ping).
      const emittedEvents = request?.emitted.filter((item) => item.kind === 'event' || item.event !== undefined).length ?? null;
      const arrivedEvents = first?.events.length ?? 0;
      const malformed = (first?.events ?? []).filter((event) => event.data !== '[DONE]' && !isJson(event.data)).length;
      // A cut stream delivers a prefix: what arrived must still be whole events, none extra.
      const complete = first?.end.kind === 'terminator';
      const countOk = emittedEvents !== null && (complete ? arrivedEvents === emittedEvents : arrivedEvents <= emittedEvents);
      const pass = countOk && malformed === 0;
      return {
        check: 'integrity',
        verdict: pass ? 'pass' : 'fail',
        expected: `every emitted event arrives once and parses (${emittedEvents ?? '?'} events${complete ? '' : ', or a prefix of them on a cut stream'})`,
        measured: `${arrivedEvents} events arrived, ${malformed} malformed${describeUnserved(judged.unserved)}`,
        figures: { emittedEvents, arrivedEvents, malformedEvents: malformed, chunksArrived: first?.chunks.length ?? 0 },
        thresholds: {},
        detail: pass
          ? `All ${arrivedEvents} events arrived whole, in ${first?.chunks.length ?? 0} reads.`
          : `${arrivedEvents} of ${emittedEvents ?? '?'} events arrived, ${malformed} of them malformed: events were lost, split or merged on the way.`,
      };
    },
  };
}

function isJson(data: string): boolean {
  try {
    JSON.parse(data);
    return true;
  } catch {
    return false;
  }
}
