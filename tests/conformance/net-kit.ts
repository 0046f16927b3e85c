/**
 * Real sockets for the conformance suite: a TCP server the proxies forward to, and a Peer that
 * stamps every chunk and close on arrival, so tests await events (with a bound) instead of sleeping.
 */
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

export interface ReceivedChunk {
  atMs: number;
  data: Buffer;
}

export interface PeerClose {
  atMs: number;
  /** end: FIN received; reset: ECONNRESET; error: another socket error; closed: closed without either. */
  how: 'end' | 'reset' | 'error' | 'closed';
  code?: string;
}

/** One end of a TCP connection, recorded. Times are performance.now() in this process. */
export class Peer {
  readonly socket: Socket;
  readonly chunks: ReceivedChunk[] = [];
  closeEvent: PeerClose | undefined;
  private readonly changed = new EventTarget();

  constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => {
      this.chunks.push({ atMs: performance.now(), data });
      this.notify();
    });
    socket.on('end', () => this.closed({ atMs: performance.now(), how: 'end' }));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const how = error.code === 'ECONNRESET' ? 'reset' : 'error';
      this.closed({ atMs: performance.now(), how, ...(error.code ? { code: error.code } : {}) });
    });
    socket.on('close', () => this.closed({ atMs: performance.now(), how: 'closed' }));
  }

  get received(): Buffer {
    return Buffer.concat(this.chunks.map((c) => c.data));
  }

  get receivedBytes(): number {
    return this.chunks.reduce((n, c) => n + c.data.length, 0);
  }

  /**
   * Write, and return the time just before it was handed to the kernel's socket. Taken before: on
   * a loaded host the process can be preempted right after the write, and a time taken then made
   * a 300 ms latency toxic measure 286 ms (fresh-machine CI). A delay is never shorter than real.
   */
  write(data: string | Buffer): number {
    const at = performance.now();
    this.socket.write(data);
    return at;
  }

  /** Resolves with the arrival time of the chunk that brought the total to `bytes`. */
  async bytes(bytes: number, timeoutMs = 10_000): Promise<number> {
    await this.until(`${bytes} bytes (have ${this.receivedBytes})`, () => this.receivedBytes >= bytes, timeoutMs);
    let total = 0;
    for (const chunk of this.chunks) {
      total += chunk.data.length;
      if (total >= bytes) return chunk.atMs;
    }
    throw new Error('unreachable');
  }

  /** The next chunk after the `index`-th (0-based) and its arrival time. */
  async chunk(index: number, timeoutMs = 10_000): Promise<ReceivedChunk> {
    await this.until(`chunk #${index}`, () => this.chunks.length > index, timeoutMs);
    return this.chunks[index]!;
  }

  async closeOf(timeoutMs = 10_000): Promise<PeerClose> {
    await this.until('the connection to close', () => this.closeEvent !== undefined, timeoutMs);
    return this.closeEvent!;
  }

  /** True when neither data nor a close arrives for `ms`: the only way to check that nothing happens. */
  async quietFor(ms: number): Promise<boolean> {
    const before = this.chunks.length;
    const done = this.until('', () => this.chunks.length > before || this.closeEvent !== undefined, ms).then(
      () => false,
      () => true,
    );
    return done;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private closed(event: PeerClose): void {
    // The first event says how: 'close' follows 'end' or 'error' anyway.
    this.closeEvent ??= event;
    this.notify();
  }

  private notify(): void {
    this.changed.dispatchEvent(new Event('change'));
  }

  private until(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onChange = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.changed.removeEventListener('change', onChange);
        resolve();
      };
      const timer = setTimeout(() => {
        this.changed.removeEventListener('change', onChange);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.changed.addEventListener('change', onChange);
    });
  }
}

/** A TCP server the proxy forwards to; every accepted connection becomes a Peer, in order. */
export class UpstreamServer {
  readonly peers: Peer[] = [];
  private readonly server: Server;
  private readonly accepted = new EventTarget();

  private constructor(server: Server) {
    this.server = server;
    server.on('connection', (socket) => {
      this.peers.push(new Peer(socket));
      this.accepted.dispatchEvent(new Event('accept'));
    });
  }

  static async listen(host: string): Promise<UpstreamServer> {
    const server = createServer({ allowHalfOpen: true });
    server.listen(0, host);
    await once(server, 'listening');
    return new UpstreamServer(server);
  }

  get address(): string {
    const { address, port, family } = this.server.address() as AddressInfo;
    return family === 'IPv6' ? `[${address}]:${port}` : `${address}:${port}`;
  }

  /** The `index`-th accepted connection (0-based). */
  async peer(index: number, timeoutMs = 10_000): Promise<Peer> {
    const existing = this.peers[index];
    if (existing) return existing;
    return new Promise((resolve, reject) => {
      const onAccept = () => {
        const peer = this.peers[index];
        if (!peer) return;
        clearTimeout(timer);
        this.accepted.removeEventListener('accept', onAccept);
        resolve(peer);
      };
      const timer = setTimeout(() => {
        this.accepted.removeEventListener('accept', onAccept);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for upstream connection #${index}`));
      }, timeoutMs);
      this.accepted.addEventListener('accept', onAccept);
    });
  }

  async close(): Promise<void> {
    for (const peer of this.peers) peer.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Connect a client; resolves once connected (or once it failed: the Peer then holds the close). */
export async function dial(address: { host: string; port: number }): Promise<Peer> {
  const socket = connect({ host: address.host, port: address.port, allowHalfOpen: true });
  const peer = new Peer(socket);
  await new Promise<void>((resolve) => {
    socket.once('connect', () => resolve());
    socket.once('close', () => resolve());
  });
  return peer;
}
