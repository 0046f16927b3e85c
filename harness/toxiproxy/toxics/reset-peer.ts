/**
 * reset_peer: on the first chunk (or the end) of its direction, waits `timeout` ms and closes the
 * connection, dropping the data (Toxiproxy's ResetToxic). The close is a TCP RST only on a
 * connection that opened while a reset_peer toxic was on the proxy (Toxiproxy sets SO_LINGER 0
 * then); one added to an open connection closes it with FIN (`out.reset()` decides).
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
