/**
 * slicer: splits each chunk into pieces of about `average_size` ± `size_variation` bytes, `delay`
 * microseconds apart (Toxiproxy's SlicerToxic, same recursive halving).
 */
import { TimedQueue } from './toxic.ts';
import type { ToxicKind } from './toxic.ts';

export interface SlicerAttributes {
  average_size: number;
  size_variation: number;
  delay: number;
}

const randomInt = (n: number) => (n > 0 ? Math.floor(Math.random() * n) : 0);

/** Offsets [start0, end0, start1, end1, ...] covering [start, end). */
export function sliceOffsets(start: number, end: number, averageSize: number, sizeVariation: number): number[] {
  // Toxiproxy loops forever on an average of 0 and panics on a variation of 0; clamp instead.
  const average = Math.max(1, averageSize);
  const variation = Math.max(0, sizeVariation);
  if (end - start - average <= variation) return [start, end];
  const mid = start + Math.floor((end - start) / 2) + randomInt(variation * 2) - variation;
  const split = Math.min(end - 1, Math.max(start + 1, mid));
  return [...sliceOffsets(start, split, average, variation), ...sliceOffsets(split, end, average, variation)];
}

export const slicer: ToxicKind<SlicerAttributes & Record<string, number>> = {
  type: 'slicer',
  defaults: { average_size: 0, size_variation: 0, delay: 0 },
  create({ average_size, size_variation, delay }, out) {
    const gapMs = Math.max(0, delay) / 1000;
    return new TimedQueue(out, (chunk, nowMs, lastDueMs) => {
      const offsets = sliceOffsets(0, chunk.length, average_size, size_variation);
      const pieces = [];
      let dueMs = Math.max(nowMs, lastDueMs);
      for (let i = 1; i < offsets.length; i += 2) {
        pieces.push({ chunk: chunk.subarray(offsets[i - 1], offsets[i]), dueMs });
        dueMs += gapMs;
      }
      return pieces;
    });
  },
};
