/** The toxic types this server knows, by Toxiproxy type name. */
import { bandwidth } from './bandwidth.ts';
import { latency } from './latency.ts';
import { limitData } from './limit-data.ts';
import { resetPeer } from './reset-peer.ts';
import { slicer } from './slicer.ts';
import { slowClose } from './slow-close.ts';
import { timeout } from './timeout.ts';
import type { ToxicKind } from './toxic.ts';

export const TOXIC_KINDS: ReadonlyMap<string, ToxicKind> = new Map(
  ([latency, bandwidth, slowClose, timeout, resetPeer, slicer, limitData] as ToxicKind[]).map((kind) => [kind.type, kind]),
);

export { parseAttributes, passThrough, ToxicAttributeError } from './toxic.ts';
export type { ToxicInstance, ToxicKind, ToxicOutput, ToxicState } from './toxic.ts';
