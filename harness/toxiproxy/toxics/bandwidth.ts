/**
 * bandwidth: at most `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy), big chunks split into 100 ms pieces.
 * Rate 0 (or less) lets nothing through until the toxic is updated or removed, then hands on all it
 * held: Toxiproxy's BandwidthToxic splits a chunk into `rate * 100`-byte pieces, which at rate 0 are
 * empty forever, and its interrupt path delivers the held chunk ("don't drop any data on the floor").
 */
import { TimedQueue } from './toxic.ts';
import type { ToxicKind } from './toxic.ts';

export interface BandwidthAttributes {
  rate: number;
}

export const bandwidth: ToxicKind<BandwidthAttributes & Record<string, number>> = {
  type: 'bandwidth',
  defaults: { rate: 0 },
  create({ rate }, out) {
    if (rate <= 0) return new TimedQueue(out, (chunk) => [{ chunk, dueMs: Number.POSITIVE_INFINITY }]);
    const bytesPerMs = rate; // rate KB/s = rate bytes/ms
    const pieceBytes = rate * 100;
    return new TimedQueue(out, (chunk, nowMs, lastDueMs) => {
      const pieces = [];
      let dueMs = Math.max(nowMs, lastDueMs);
      for (let offset = 0; offset < chunk.length; offset += pieceBytes) {
        const piece = chunk.subarray(offset, offset + pieceBytes);
        dueMs += piece.length / bytesPerMs; // a piece leaves once its transmission time has passed
        pieces.push({ chunk: piece, dueMs });
      }
      return pieces;
    });
  },
};
