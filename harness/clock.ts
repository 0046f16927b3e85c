/**
 * The one clock of a run. The mock LLM stamps emissions and the clients stamp arrivals in the
 * same process, so both use this: epoch milliseconds with sub-millisecond resolution, monotonic
 * (performance.now() never jumps with NTP, Date.now() can).
 */
export type ClockMs = number;

const origin = performance.timeOrigin;

export function now(): ClockMs {
  return origin + performance.now();
}
