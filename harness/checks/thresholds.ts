/**
 * Thresholds are data: every number a verdict is judged against lives here, is stated in the
 * report, and can be overridden per check (`bufferingCheck({ delayP95Ms: 500 })`).
 * All durations are real milliseconds (time scale already applied by the scenario).
 */
export interface Thresholds {
  /** heartbeat: the largest silence at the client may be this many heartbeat intervals (1.5: one late beat). */
  maxGapFactor: number;
  /** heartbeat: added to the allowed gap for scheduling and network jitter. */
  gapSlackMs: number;
  /** buffering: 95th percentile of per-event delay (arrival − emission). */
  delayP95Ms: number;
  /** buffering: worst per-event delay. */
  delayMaxMs: number;
  /** buffering (measure, not verdict): events arriving within this of the previous one count as one burst… */
  burstWindowMs: number;
  /** buffering (measure, not verdict): …when the origin emitted them at least this far apart. */
  burstMinEmitGapMs: number;
  /** billing: generations billed for one logical request. */
  maxBilledGenerations: number;
  /** abort: how soon after the client aborts the origin must notice its reader went away. */
  abortNoticeMaxMs: number;
}

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  maxGapFactor: 1.5,
  gapSlackMs: 250,
  delayP95Ms: 250,
  delayMaxMs: 1000,
  burstWindowMs: 5,
  burstMinEmitGapMs: 15,
  maxBilledGenerations: 1,
  abortNoticeMaxMs: 1000,
});

/** The named thresholds of one check, defaults overridden by `overrides`. */
export function pickThresholds<K extends keyof Thresholds>(keys: readonly K[], overrides: Partial<Thresholds> = {}): Pick<Thresholds, K> {
  const picked = {} as Pick<Thresholds, K>;
  for (const key of keys) picked[key] = overrides[key] ?? DEFAULT_THRESHOLDS[key];
  return picked;
}

// ─── Conventions every check shares (kept here: the checks' one shared module) ──────────────────

/**
 * How far a timing verdict is from flipping, as a fraction of its limits (each pair: a figure that
 * passes at or under its limit). A pass: the smallest headroom, (limit − value) / limit. A fail:
 * what the furthest exceeded figure must lose to pass, (value − limit) / limit. Null when a figure
 * was not measured. Repeatability runs read it: a margin under 0.2 flips on a busy machine.
 */
export function marginOf(pairs: ReadonlyArray<readonly [value: number | null, limit: number]>): number | null {
  const measured = pairs.filter((pair): pair is readonly [number, number] => pair[0] !== null);
  if (measured.length === 0 || measured.length < pairs.length) return null;
  const fraction = (delta: number, limit: number) => (limit > 0 ? delta / limit : delta === 0 ? 0 : 1);
  const over = measured.filter(([value, limit]) => value > limit);
  const margin =
    over.length === 0
      ? Math.min(...measured.map(([value, limit]) => fraction(limit - value, limit)))
      : Math.max(...over.map(([value, limit]) => fraction(value - limit, limit)));
  return Math.round(margin * 1000) / 1000;
}

/** Figures in ms keep 0.1 ms: enough for localhost delays, short enough for results.json. */
export function roundMs(ms: number): number;
export function roundMs(ms: number | null): number | null;
export function roundMs(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 10) / 10;
}

/**
 * The served request of the `index`-th connection: joined on x-request-id; when the header did
 * not make it through the proxy, the served request in the same position.
 */
export function servedFor<T extends { requestId: string }>(served: readonly T[], requestId: string | undefined, index: number): T | undefined {
  return served.find((request) => request.requestId === requestId) ?? served[index];
}
