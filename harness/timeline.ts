/**
 * The compact timeline of one stream for results.json (and the HTML report's plot): both ends of
 * the wire on one clock, relative to the first request, 0.1 ms resolution, at most 500 points a series.
 */
import type { ClientRun, Generation, ServedRequest } from './model.ts';
import type { Timeline } from './results.ts';

export const TIMELINE_MAX_POINTS = 500;

/** Evenly spaced indices of a series of `length`, first and last kept; all of them when it is short. */
function keptIndices(length: number, max: number): number[] {
  if (length <= max) return Array.from({ length }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.round((i * (length - 1)) / (max - 1)));
}

export function buildTimeline(
  input: { run: ClientRun; served: ServedRequest[]; generations: Generation[]; toolPauseMs?: number | undefined },
  maxPoints = TIMELINE_MAX_POINTS,
): Timeline {
  const { run, served, generations } = input;
  const starts = [...run.connections.map((c) => c.startedAtMs), ...served.map((s) => s.receivedAtMs)];
  const t0 = starts.length ? Math.min(...starts) : 0;
  const rel = (atMs: number) => Math.round((atMs - t0) * 10) / 10;
  const relOrNull = (atMs: number | undefined) => (atMs === undefined ? null : rel(atMs));
  let thinned = false;
  const series = (times: number[]) => {
    if (times.length > maxPoints) thinned = true;
    return keptIndices(times.length, maxPoints).map((i) => rel(times[i]!));
  };

  const origin = served.map((s) => ({
    requestId: s.requestId,
    generationId: s.generationId,
    role: s.role,
    receivedMs: rel(s.receivedAtMs),
    endedMs: relOrNull(s.endedAtMs),
    peerGoneMs: relOrNull(s.peerGoneAtMs),
    events: series(s.emitted.filter((e) => e.kind === 'event').map((e) => e.atMs)),
    heartbeats: series(s.emitted.filter((e) => e.kind === 'heartbeat').map((e) => e.atMs)),
  }));
  const client = run.connections.map((c) => ({
    requestId: c.requestId ?? null,
    startMs: rel(c.startedAtMs),
    endMs: rel(c.end.atMs),
    end: c.end.kind,
    events: series(c.events.map((e) => e.atMs)),
    heartbeats: series(c.comments.map((e) => e.atMs)),
  }));

  return {
    origin,
    client,
    toolPauses: served
      .filter((s) => s.role === 'start')
      .flatMap((s) => toolPause(s, input.toolPauseMs, rel, run.connections.find((c) => c.requestId === s.requestId)?.end.atMs) ?? []),
    generations: generations.map((g) => ({
      generationId: g.generationId,
      startMs: rel(g.startedAtMs),
      endMs: relOrNull(g.endedAtMs),
      state: g.state,
      completionTokens: g.completionTokens,
    })),
    thinned,
  };
}

/**
 * The scripted pause of one request, placed where it happened: after the event that precedes the
 * longest silence between its events (or between its last event and its end, when it was cut in
 * the pause). Its length is the scripted one, or less when the request ended first. None when no silence is pause-like (half the
 * scripted pause, or 1 s): the stream was aborted or cut before the pause began.
 */
function toolPause(
  first: ServedRequest,
  pauseMs: number | undefined,
  rel: (atMs: number) => number,
  clientEndAtMs: number | undefined,
): Timeline['toolPauses'][number] | undefined {
  if (!pauseMs) return undefined;
  const times = first.emitted.filter((e) => e.kind === 'event').map((e) => e.atMs);
  if (times.length === 0) return undefined;
  // The origin may not have noticed a cut yet when the outcome is built: the client's end stands in.
  const endAtMs = first.endedAtMs ?? first.peerGoneAtMs ?? clientEndAtMs ?? times.at(-1)!;
  const ends = [...times.slice(1), endAtMs];
  let best = 0;
  for (let i = 1; i < times.length; i++) if (ends[i]! - times[i]! > ends[best]! - times[best]!) best = i;
  // A silence shorter than this is token pacing, not the pause (an abort or a cut came first).
  if (ends[best]! - times[best]! < Math.min(pauseMs / 2, 1000)) return undefined;
  const startMs = rel(times[best]!);
  return { requestId: first.requestId, startMs, endMs: Math.min(Math.round((startMs + pauseMs) * 10) / 10, rel(Math.max(endAtMs, times[best]!))) };
}
