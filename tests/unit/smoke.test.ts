import { expect, test } from 'vitest';
import { now } from '../../harness/clock.ts';

test('clock is monotonic epoch milliseconds', () => {
  const a = now();
  const b = now();
  expect(b).toBeGreaterThanOrEqual(a);
  expect(Math.abs(a - Date.now())).toBeLessThan(1000);
});
