/**
 * reset_peer: on the first chunk (or the end) of its direction, waits `timeout` ms and resets the
 * connection with a TCP RST (Toxiproxy's ResetToxic: SetLinger(0) then Close). Data is dropped.
 */
import type { ToxicKind } from './toxic.ts';

export interface ResetPeerAttributes {
  timeout: number;
}

export const resetPeer: ToxicKind<ResetPeerAttributes & Record<string, number>> = {
  type: 'reset_peer',
  defaults: { timeout: 0 },
  create({ timeout: timeoutMs }, out) {
    let timer: NodeJS.Timeout | undefined;
    const trigger = () => {
      timer ??= setTimeout(() => out.reset(), Math.max(0, timeoutMs));
    };
    return {
      write: trigger,
      end: trigger,
      flush: () => clearTimeout(timer),
      dispose: () => clearTimeout(timer),
      heldBytes: () => 0,
    };
  },
};
