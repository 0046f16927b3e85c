/**
 * streamproof extension (not part of Toxiproxy's API): a recording tap. Every proxy records, per
 * connection, the chunks it read in both directions and how each side closed, so a proxy placed
 * between two others in a chain shows what really crossed that hop and when.
 *
 * Chunk times are ARRIVAL AT THE TAP: the moment a chunk was read from its socket, before any
 * toxic. Times are epoch milliseconds with sub-millisecond resolution, performance.timeOrigin +
 * performance.now() (as harness/clock.ts), comparable with stamps taken by another process on the
 * same kernel.
 */

export type Direction = 'upstream' | 'downstream';
export type Side = 'client' | 'server';

export interface RecordedChunk {
  atMs: number;
  direction: Direction;
  base64: string;
}

export interface RecordedClose {
  atMs: number;
  side: Side;
  how: 'end' | 'reset' | 'error';
  /** `peer`: the client or server closed it; `proxy`: this proxy closed it (a toxic, the other side's close, disable). */
  by: 'peer' | 'proxy';
  message?: string;
}

export interface RecordedConnection {
  id: number;
  acceptedAtMs: number;
  upstreamConnectedAtMs?: number;
  chunks: RecordedChunk[];
  closes: RecordedClose[];
  /** Chunks not kept because the proxy's recording reached its memory cap. */
  droppedChunks: number;
}

export interface RecordingJson {
  proxy: string;
  timestamps: 'epoch ms at arrival at the tap (read from the socket, before toxics)';
  /** True once the memory cap was reached: later chunks were counted, not kept. */
  truncated: boolean;
  connections: RecordedConnection[];
}

export const DEFAULT_RECORDING_CAP_BYTES = 16 * 1024 * 1024;

export function clockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The recording of one proxy name; survives the proxy's deletion until cleared. */
export class ProxyRecording {
  private readonly connections: RecordedConnection[] = [];
  private nextId = 1;
  private keptBytes = 0;
  private truncated = false;
  /** Connections whose both sides have closed. */
  private readonly finished = new WeakSet<RecordedConnection>();
  private readonly proxyName: string;
  private readonly capBytes: number;

  constructor(proxyName: string, capBytes = DEFAULT_RECORDING_CAP_BYTES) {
    this.proxyName = proxyName;
    this.capBytes = capBytes;
  }

  openConnection(acceptedAtMs: number): ConnectionRecorder {
    const connection: RecordedConnection = { id: this.nextId++, acceptedAtMs, chunks: [], closes: [], droppedChunks: 0 };
    this.connections.push(connection);
    return new ConnectionRecorder(connection, (bytes) => this.reserve(bytes), () => this.finished.add(connection));
  }

  /** Forget what was recorded; connections still open stay listed (emptied) and record on. */
  clear(): void {
    const open = this.connections.filter((c) => !this.finished.has(c));
    for (const connection of open) {
      connection.chunks.length = 0;
      connection.closes.length = 0;
      connection.droppedChunks = 0;
    }
    this.connections.splice(0, this.connections.length, ...open);
    this.keptBytes = 0;
    this.truncated = false;
  }

  toJSON(): RecordingJson {
    return {
      proxy: this.proxyName,
      timestamps: 'epoch ms at arrival at the tap (read from the socket, before toxics)',
      truncated: this.truncated,
      connections: this.connections,
    };
  }

  private reserve(bytes: number): boolean {
    if (this.keptBytes + bytes > this.capBytes) {
      this.truncated = true;
      return false;
    }
    this.keptBytes += bytes;
    return true;
  }
}

export class ConnectionRecorder {
  private readonly closedSides = new Set<Side>();
  private readonly connection: RecordedConnection;
  private readonly reserve: (bytes: number) => boolean;
  private readonly onFinished: () => void;

  constructor(connection: RecordedConnection, reserve: (bytes: number) => boolean, onFinished: () => void) {
    this.connection = connection;
    this.reserve = reserve;
    this.onFinished = onFinished;
  }

  get id(): number {
    return this.connection.id;
  }

  upstreamConnected(atMs: number): void {
    this.connection.upstreamConnectedAtMs = atMs;
  }

  chunk(atMs: number, direction: Direction, data: Buffer): void {
    // base64 grows the data by a third; count what is kept.
    if (!this.reserve(Math.ceil(data.length / 3) * 4)) {
      this.connection.droppedChunks++;
      return;
    }
    this.connection.chunks.push({ atMs, direction, base64: data.toString('base64') });
  }

  /** The first close seen for a side wins: later events on a closed socket are consequences. */
  close(atMs: number, side: Side, how: RecordedClose['how'], by: RecordedClose['by'], message?: string): void {
    if (this.closedSides.has(side)) return;
    this.closedSides.add(side);
    this.connection.closes.push(message === undefined ? { atMs, side, how, by } : { atMs, side, how, by, message });
    if (this.closedSides.size === 2) this.onFinished();
  }
}
