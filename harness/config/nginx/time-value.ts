/**
 * nginx time values, as ngx_parse_time() in src/core/ngx_parse.c reads them for millisecond
 * directives (proxy_read_timeout, keepalive_timeout, ...): a sequence of `<number><unit>` parts,
 * units in descending order among M (30 days), w, d, h, m, s, ms, optionally separated by
 * spaces; a trailing number without a unit is seconds. `90` = 90 s, `1m30s` = 90 s, `1h` = 1 h,
 * `500ms` = 0.5 s. Years (`y`) are only valid for second-granularity directives.
 */

/** Unit → milliseconds, in the order nginx requires them. */
const UNITS_MS: readonly (readonly [string, number])[] = [
  ['y', 365 * 24 * 3_600_000],
  ['M', 30 * 24 * 3_600_000],
  ['w', 7 * 24 * 3_600_000],
  ['d', 24 * 3_600_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const SECONDS_INDEX = UNITS_MS.findIndex(([name]) => name === 's');

/**
 * Milliseconds for an nginx time value, or undefined when nginx would reject it or it is not a
 * literal (a `$variable` or a `${TEMPLATE}` placeholder left for envsubst).
 * `secondsOnly` is for directives parsed with ngx_parse_time(value, 1), which refuse `ms` and
 * accept `y`.
 */
export function nginxTimeMs(value: string, secondsOnly = false): number | undefined {
  if (value.length === 0) return undefined;
  let total = 0;
  let number = '';
  // nginx's ms mode starts at its month step, so `y` and `M` are refused there.
  let lastUnit = secondsOnly ? -1 : 1;
  let sawDigit = false;
  for (let i = 0; i < value.length; ) {
    const ch = value[i]!;
    if (ch >= '0' && ch <= '9') {
      number += ch;
      sawDigit = true;
      i++;
      continue;
    }
    if (ch === ' ') {
      // Spaces between parts are skipped; a space right after digits makes them seconds, and
      // then nothing but digits may follow (nginx's st_last step).
      if (number !== '') {
        if (lastUnit >= SECONDS_INDEX) return undefined;
        total += Number(number) * 1000;
        number = '';
        lastUnit = UNITS_MS.length;
      }
      i++;
      continue;
    }
    const unit = value.startsWith('ms', i) ? 'ms' : ch;
    const index = UNITS_MS.findIndex(([name]) => name === unit);
    if (index < 0 || index <= lastUnit || number === '') return undefined;
    if (unit === 'ms' && secondsOnly) return undefined;
    total += Number(number) * UNITS_MS[index]![1];
    lastUnit = index;
    number = '';
    i += unit.length;
  }
  if (!sawDigit) return undefined;
  if (number !== '') total += Number(number) * 1000;
  return total;
}
