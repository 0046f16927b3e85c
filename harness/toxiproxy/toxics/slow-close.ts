/** slow_close: data passes; the close waits `delay` ms (Toxiproxy's SlowCloseToxic). */
import type { ToxicKind } from './toxic.ts';

export interface SlowCloseAttributes {
  delay: number;
}

export const slowClose: ToxicKind<SlowCloseAttributes & Record<string, number>> = {
  type: 'slow_close',
  defaults: { delay: 0 },
  create({ delay }, out) {
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    return {
      write: (chunk) => out.push(chunk),
      end() {
        ended = true;
        timer = setTimeout(() => out.end(), Math.max(0, delay));
      },
      flush() {
        clearTimeout(timer);
        if (ended) out.end();
      },
      dispose: () => clearTimeout(timer),
      heldBytes: () => 0,
    };
  },
};
