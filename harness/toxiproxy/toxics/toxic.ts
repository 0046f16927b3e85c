/**
 * One toxic on one direction of one connection, modelled on Toxiproxy's chain of stubs: data
 * enters with write(), leaves through `out` (the next toxic, or the destination socket) when the
 * toxic lets it. Everything is single-threaded, so a toxic is a small state machine with timers.
 */

/** Where a toxic sends what it lets through. */
export interface ToxicOutput {
  push(chunk: Buffer): void;
  /** Close the destination gracefully (FIN) after the data pushed so far. */
  end(): void;
  /**
   * Close the connection as Toxiproxy's reset_peer does: a TCP RST on both sides where the
   * connection opened with the toxic present (SO_LINGER 0), else an end (FIN) dropping held data.
   */
  reset(): void;
}

/** Per-connection state that survives an update of the toxic (Toxiproxy's StatefulToxic). */
export type ToxicState = Record<string, number>;

export interface ToxicInstance {
  write(chunk: Buffer): void;
  /** The input ended (the source closed): pass the end on when the toxic allows it. */
  end(): void;
  /**
   * The toxic is updated or removed: hand anything held (and a pending end) to `out` now and cancel
   * timers, as Toxiproxy's toxics do when interrupted ("don't drop any data on the floor").
   */
  flush(): void;
  /** The connection is gone: cancel timers, drop everything. */
  dispose(): void;
  /** Bytes held inside, for backpressure on the source. */
  heldBytes(): number;
}

/** Thrown by attribute parsing: the API answers 400 "bad request body: <message>". */
export class ToxicAttributeError extends Error {}

export interface ToxicKind<A extends object = Record<string, number>> {
  type: string;
  /** Attribute defaults, also the full attribute set shown in the API (Go zero values). */
  defaults: A;
  create(attributes: A, out: ToxicOutput, state: ToxicState): ToxicInstance;
  /** Removing this toxic closes the connection (Toxiproxy's timeout toxic does, via Cleanup). */
  closesOnRemove?: boolean;
}

/** Integer attributes as Go decodes them into int64 fields: numbers only, no fractions. */
export function parseAttributes<A extends Record<string, number>>(type: string, defaults: A, input: unknown, previous?: A): A {
  if (input === undefined || input === null) return { ...(previous ?? defaults) };
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ToxicAttributeError(`attributes of a ${type} toxic must be an object`);
  }
  const result: Record<string, number> = { ...(previous ?? defaults) };
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (!(key in defaults)) continue; // Go ignores unknown fields
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new ToxicAttributeError(`cannot unmarshal ${JSON.stringify(value)} into field ${key} of a ${type} toxic (an integer)`);
    }
    result[key] = value;
  }
  return result as A;
}

/** Passes everything through: toxics that did not roll under their toxicity, and the base of others. */
export function passThrough(out: ToxicOutput): ToxicInstance {
  return {
    write: (chunk) => out.push(chunk),
    end: () => out.end(),
    flush: () => {},
    dispose: () => {},
    heldBytes: () => 0,
  };
}

/**
 * Data released in order at computed times (latency, bandwidth, slicer): a queue of timed pieces
 * and one timer for the head.
 */
export class TimedQueue implements ToxicInstance {
  private readonly queue: { chunk: Buffer; dueMs: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  private held = 0;
  private readonly out: ToxicOutput;
  /** When a chunk that arrives at `nowMs` may leave, piece by piece. */
  private readonly schedule: (chunk: Buffer, nowMs: number, lastDueMs: number) => { chunk: Buffer; dueMs: number }[];

  constructor(out: ToxicOutput, schedule: (chunk: Buffer, nowMs: number, lastDueMs: number) => { chunk: Buffer; dueMs: number }[]) {
    this.out = out;
    this.schedule = schedule;
  }

  write(chunk: Buffer): void {
    const last = this.queue.at(-1)?.dueMs ?? 0;
    for (const piece of this.schedule(chunk, performance.now(), last)) {
      this.queue.push(piece);
      this.held += piece.chunk.length;
    }
    this.arm();
  }

  end(): void {
    this.ended = true;
    if (this.queue.length === 0) this.out.end();
  }

  flush(): void {
    this.cancel();
    for (const { chunk } of this.queue.splice(0)) this.out.push(chunk);
    this.held = 0;
    if (this.ended) this.out.end();
  }

  dispose(): void {
    this.cancel();
    this.queue.length = 0;
    this.held = 0;
  }

  heldBytes(): number {
    return this.held;
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer || this.queue.length === 0) return;
    const head = this.queue[0]!;
    if (!Number.isFinite(head.dueMs)) return; // held until flushed (bandwidth rate 0)
    this.timer = setTimeout(() => this.release(), Math.max(0, head.dueMs - performance.now()));
  }

  private release(): void {
    this.timer = undefined;
    // Node timers may fire up to ~1 ms early against performance.now(); release what is due by then.
    const nowMs = performance.now() + 1;
    while (this.queue.length > 0 && this.queue[0]!.dueMs <= nowMs) {
      const { chunk } = this.queue.shift()!;
      this.held -= chunk.length;
      this.out.push(chunk);
    }
    if (this.queue.length > 0) this.arm();
    else if (this.ended) this.out.end();
  }
}
