/**
 * HAProxy time values (configuration.txt 2.5 "Time format"): a number, in milliseconds unless a
 * unit follows: us, ms, s, m, h, d. `5000` = 5 s, `30s`, `1m`, `50000ms`. One unit per value.
 */

const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or undefined when HAProxy would reject the value or it is an environment variable. */
export function haproxyTimeMs(value: string): number | undefined {
  const match = /^(\d+)(us|ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] ?? 'ms']!;
}
