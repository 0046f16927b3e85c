/**
 * timeout: no data gets through (it is dropped); the connection closes `timeout` ms after the toxic
 * started or after the last chunk it dropped, as Toxiproxy's loop re-arms its timer per chunk.
 * 0 = never close. Removing the toxic closes the connection (Toxiproxy's Cleanup does).
 */
import type { ToxicKind } from './toxic.ts';

export interface TimeoutAttributes {
  timeout: number;
}

export const timeout: ToxicKind<TimeoutAttributes & Record<string, number>> = {
  type: 'timeout',
  defaults: { timeout: 0 },
  closesOnRemove: true,
  create({ timeout: timeoutMs }, out) {
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const arm = () => {
      clearTimeout(timer);
      if (timeoutMs > 0) timer = setTimeout(() => out.end(), timeoutMs);
    };
    arm();
    return {
      write: () => arm(),
      end() {
        ended = true;
        clearTimeout(timer);
        out.end();
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
