/** limit_data: passes `bytes` bytes in total, then closes (Toxiproxy's LimitDataToxic; the count survives updates). */
import type { ToxicKind } from './toxic.ts';

export interface LimitDataAttributes {
  bytes: number;
}

export const limitData: ToxicKind<LimitDataAttributes & Record<string, number>> = {
  type: 'limit_data',
  defaults: { bytes: 0 },
  create({ bytes }, out, state) {
    state.transmitted ??= 0;
    let done = false;
    return {
      write(chunk) {
        if (done) return;
        const remaining = Math.max(0, bytes - state.transmitted!);
        const passed = chunk.subarray(0, remaining);
        if (passed.length > 0) {
          out.push(passed);
          state.transmitted! += passed.length;
        }
        if (bytes - state.transmitted! <= 0) {
          done = true;
          out.end();
        }
      },
      end() {
        if (!done) out.end();
        done = true;
      },
      flush: () => {},
      dispose: () => {},
      heldBytes: () => 0,
    };
  },
};
