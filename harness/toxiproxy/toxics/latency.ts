/** latency: every chunk leaves `latency` ± `jitter` ms after it arrived, in order (Toxiproxy's LatencyToxic). */
import { TimedQueue } from './toxic.ts';
import type { ToxicKind } from './toxic.ts';

export interface LatencyAttributes {
  latency: number;
  jitter: number;
}

export const latency: ToxicKind<LatencyAttributes & Record<string, number>> = {
  type: 'latency',
  defaults: { latency: 0, jitter: 0 },
  create({ latency: latencyMs, jitter }, out) {
    const delay = () => latencyMs + (jitter > 0 ? Math.floor(Math.random() * 2 * jitter) - jitter : 0);
    // Delays overlap (each counts from the chunk's arrival) but never reorder data.
    return new TimedQueue(out, (chunk, nowMs, lastDueMs) => [{ chunk, dueMs: Math.max(nowMs + delay(), lastDueMs) }]);
  },
};
