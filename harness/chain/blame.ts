/**
 * Which box is to blame. The stream is measured at every point of a chain (the client, and a tap
 * behind each box), with the same checks the client's verdicts come from; a box's share is the
 * difference between the point in front of it and the point behind it.
 *
 *   client ← p0 ← box 1 ← p1 ← box 2 ← p2 ← … ← box n ← pn ← mock LLM
 */
import { bufferingCheck } from '../checks/buffering.ts';
import { heartbeatCheck } from '../checks/heartbeat.ts';
import { pickThresholds, type Thresholds } from '../checks/thresholds.ts';
import type { RecordedConnection, StreamEvidence } from '../model.ts';
import type { CutDirection, TapObservation } from './observation.ts';

/** One point of a chain: what a client standing there would have measured (first connection). */
export interface ChainPoint {
  /** `client`, or `behind <box id>` (the tap between that box and the next one towards the origin). */
  at: string;
  delayP95Ms: number | null;
  ttftMs: number | null;
  /** Longest silence on the first connection (events, comments), ms. */
  maxGapMs: number | null;
  heartbeatsArrived: number;
  end: string;
  /** For a cut: which side of this point hung up first. */
  cut?: CutDirection;
}

/** A box's share, from the points on either side of it. */
export interface HopShare {
  box: string;
  /**
   * p95 delivery delay it added (its client-side point minus its origin-side point), ms, less what
   * it injected on purpose (a Toxiproxy box's latency, bandwidth and slicer toxics).
   */
  addedDelayP95Ms: number | null;
  /** Delay the scenario injected at this box on purpose, ms (Toxiproxy boxes only). */
  injectedDelayMs?: number;
  /** How much longer the longest silence is in front of it than behind it, ms. */
  addedMaxGapMs: number | null;
}

export interface ChainBlame {
  points: ChainPoint[];
  hops: HopShare[];
  /** The box nearest the origin that adds more delay than the buffering threshold. */
  firstBufferingBox?: string;
  /** The box nearest the origin behind which heartbeats arrive on time and in front of which they do not. */
  heartbeatHeldBy?: string;
  /** The box that closed the stream (or `client` / `origin`), when it was cut. */
  cutBy?: string;
  /** One sentence for people. */
  summary: string;
}

export interface ChainObservations {
  /** Box ids, client side first. */
  boxes: string[];
  /** What the client recorded (point p0). */
  client: RecordedConnection[];
  /** Per box, the tap behind it (p1..pn), in the same order as boxes. */
  taps: TapObservation[][];
}

export function blameChain(
  observations: ChainObservations,
  evidence: StreamEvidence,
  thresholds: Partial<Thresholds> = {},
): ChainBlame {
  const buffering = bufferingCheck(thresholds);
  const heartbeat = heartbeatCheck(thresholds);
  const limits = pickThresholds(['delayP95Ms', 'maxGapFactor', 'gapSlackMs'], thresholds);
  const intervalMs = evidence.intent.heartbeatIntervalMs;
  const allowedGapMs = intervalMs === undefined ? null : intervalMs * limits.maxGapFactor + limits.gapSlackMs;
  // Points are measured raw; injected delay is taken off the box that injects it, not off every point.
  const { injectedDelayMs: injected = 0, ...intent } = evidence.intent;
  const measure = (at: string, connections: RecordedConnection[], cut?: CutDirection): ChainPoint & { allowedGapMs: number | null } => {
    const atPoint: StreamEvidence = { ...evidence, intent, run: { ...evidence.run, connections } };
    const b = buffering.evaluate(atPoint).figures;
    const h = heartbeat.evaluate(atPoint).figures;
    const first = connections[0];
    const point: ChainPoint & { allowedGapMs: number | null } = {
      at,
      delayP95Ms: b.delayP95Ms ?? null,
      ttftMs: b.ttftMs ?? null,
      maxGapMs: h.maxGapMs ?? null,
      heartbeatsArrived: first?.comments.length ?? 0,
      end: first ? first.end.kind : 'no connection',
      allowedGapMs,
    };
    if (cut) point.cut = cut;
    return point;
  };

  const clientFirst = observations.client[0];
  const clientCut: CutDirection | undefined =
    clientFirst === undefined ? undefined
    : clientFirst.end.kind === 'aborted' ? 'from-client-side'
    : clientFirst.end.kind === 'reset' || clientFirst.end.kind === 'eof-without-terminator' ? 'from-server-side'
    : undefined;
  // A tap sees every stream through its box (a sweep runs several at once): keep this request's.
  const ours = new Set(evidence.served.map((request) => request.requestId));
  const points = [
    measure('client', observations.client, clientCut),
    ...observations.boxes.map((box, i) => {
      const all = observations.taps[i] ?? [];
      const matched = all.filter((seen) => seen.requestId !== undefined && ours.has(seen.requestId));
      // A response cut before its head carries no request id: then the unnamed ones are the evidence.
      const tap = matched.length ? matched : all.filter((seen) => seen.requestId === undefined);
      return measure(`behind ${box}`, tap, tap[0]?.cut);
    }),
  ];

  const hops: HopShare[] = observations.boxes.map((box, i) => {
    const injectedHere = box.startsWith('toxiproxy:') ? injected : 0;
    const added = difference(points[i]!.delayP95Ms, points[i + 1]!.delayP95Ms);
    return {
      box,
      addedDelayP95Ms: added === null ? null : Math.round((added - injectedHere) * 10) / 10,
      addedMaxGapMs: difference(points[i]!.maxGapMs, points[i + 1]!.maxGapMs),
      ...(injectedHere ? { injectedDelayMs: injectedHere } : {}),
    };
  });

  // Data flows from the origin: the first box to buffer is the last one, in client-first order, that adds delay.
  const firstBufferingBox = [...hops].reverse().find((hop) => (hop.addedDelayP95Ms ?? 0) > limits.delayP95Ms)?.box;

  let heartbeatHeldBy: string | undefined;
  for (let i = observations.boxes.length - 1; i >= 0; i--) {
    const front = points[i]!;
    const behind = points[i + 1]!;
    const late = (p: (typeof points)[number]) => p.allowedGapMs !== null && p.maxGapMs !== null && p.maxGapMs > p.allowedGapMs;
    if (late(front) && !late(behind)) {
      heartbeatHeldBy = observations.boxes[i];
      break;
    }
  }

  // A box that cuts closes both its connections: points in front of it see the server side go first,
  // points behind it the client side. The cutter is in front of the first point that saw the client side go.
  let cutBy: string | undefined;
  if (points.some((p) => p.cut !== undefined)) {
    const firstClientSide = points.findIndex((p) => p.cut === 'from-client-side');
    cutBy = firstClientSide === -1 ? 'origin' : firstClientSide === 0 ? 'client' : observations.boxes[firstClientSide - 1];
  }

  const parts: string[] = [];
  if (firstBufferingBox) parts.push(`${firstBufferingBox} is the first box that buffers (+${hops.find((h) => h.box === firstBufferingBox)?.addedDelayP95Ms} ms p95)`);
  if (heartbeatHeldBy) parts.push(`${heartbeatHeldBy} holds the heartbeats`);
  if (cutBy) parts.push(cutBy === 'origin' || cutBy === 'client' ? `the ${cutBy} ended the stream` : `${cutBy} cut the stream`);
  const summary = parts.length ? `${parts.join('; ')}.` : 'No box buffered, held heartbeats or cut the stream.';

  return {
    points: points.map(({ allowedGapMs: _, ...point }) => point),
    hops,
    ...(firstBufferingBox ? { firstBufferingBox } : {}),
    ...(heartbeatHeldBy ? { heartbeatHeldBy } : {}),
    ...(cutBy ? { cutBy } : {}),
    summary,
  };
}

function difference(front: number | null, behind: number | null): number | null {
  return front === null || behind === null ? null : Math.round((front - behind) * 10) / 10;
}
