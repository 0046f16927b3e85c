/**
 * The proxy core, as Toxiproxy's: a TCP listener; per client connection an upstream connection and
 * two links (upstream = client→server, downstream = server→client), each a chain of toxics.
 * Toxic changes apply to open connections too. When one side closes, its link flushes through the
 * toxics and closes the other socket fully (Toxiproxy does not keep half-open connections), which
 * in turn ends the opposite link.
 */
import { EventEmitter } from 'node:events';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { clockMs, ProxyRecording } from './recording.ts';
import type { ConnectionRecorder, Direction, Side } from './recording.ts';
import { passThrough } from './toxics/index.ts';
import type { ToxicInstance, ToxicKind, ToxicOutput, ToxicState } from './toxics/index.ts';

export interface ToxicSpec {
  name: string;
  type: string;
  /** As the client wrote it (Toxiproxy echoes it); `direction` is the parsed value. */
  stream: string;
  direction: Direction;
  toxicity: number;
  attributes: Record<string, number>;
  kind: ToxicKind;
}

export interface ToxicJson {
  attributes: Record<string, number>;
  name: string;
  type: string;
  stream: string;
  toxicity: number;
}

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

export function toxicJson(spec: ToxicSpec): ToxicJson {
  return { attributes: { ...spec.attributes }, name: spec.name, type: spec.type, stream: spec.stream, toxicity: spec.toxicity };
}

/** A listen address the OS refused (in use, bad address): the API answers 500 like Toxiproxy. */
export class ListenError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

/** "host:port", "[v6]:port" or ":port" into parts; Toxiproxy (Go) resolves "localhost" to IPv4 first. */
export function splitHostPort(address: string): { host: string; port: number } | undefined {
  const colon = address.lastIndexOf(':');
  if (colon < 0) return undefined;
  let host = address.slice(0, colon);
  const portText = address.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return undefined;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port: Number(portText) };
}

function formatAddress(info: AddressInfo): string {
  return info.family === 'IPv6' ? `[${info.address}]:${info.port}` : `${info.address}:${info.port}`;
}

/** Above this many bytes held in a link (toxics + socket buffer) the source is paused. */
const HIGH_WATER_BYTES = 1024 * 1024;

interface Stage {
  spec: ToxicSpec;
  state: ToxicState;
  instance: ToxicInstance;
  inputEnded: boolean;
}

/** One direction of one connection: source socket → toxics → destination socket. */
class Link {
  readonly direction: Direction;
  private stages: Stage[] = [];
  private destEnded = false;
  private paused = false;
  private readonly connection: Connection;
  private readonly source: Socket;
  private readonly dest: Socket;
  private readonly destSide: Side;

  constructor(connection: Connection, direction: Direction, source: Socket, dest: Socket, specs: ToxicSpec[]) {
    this.connection = connection;
    this.direction = direction;
    this.source = source;
    this.dest = dest;
    this.destSide = direction === 'upstream' ? 'server' : 'client';
    this.stages = specs.map((spec) => this.makeStage(spec, {}));
    dest.on('drain', () => this.relieve());
  }

  input(chunk: Buffer): void {
    if (this.destEnded) return;
    const first = this.stages[0];
    if (first) {
      if (!first.inputEnded) first.instance.write(chunk);
    } else {
      this.deliver(chunk);
    }
    if (!this.paused && this.heldBytes() > HIGH_WATER_BYTES) {
      this.paused = true;
      this.source.pause();
    }
  }

  inputEnd(): void {
    if (this.destEnded) return;
    const first = this.stages[0];
    if (!first) return this.endDest();
    if (first.inputEnded) return;
    first.inputEnded = true;
    first.instance.end();
  }

  append(spec: ToxicSpec): void {
    const stage = this.makeStage(spec, {});
    // A link whose output already closed gets a closed toxic too (Toxiproxy does the same).
    stage.inputEnded = this.destEnded;
    this.stages.push(stage);
  }

  replace(spec: ToxicSpec): void {
    const index = this.stages.findIndex((s) => s.spec.name === spec.name);
    const old = this.stages[index];
    if (!old) return;
    old.instance.flush();
    old.instance.dispose();
    const updated = this.makeStage(spec, old.state);
    updated.inputEnded = old.inputEnded;
    this.stages[index] = updated;
    if (updated.inputEnded) updated.instance.end();
  }

  remove(name: string): void {
    const stage = this.stages.find((s) => s.spec.name === name);
    if (!stage) return;
    stage.instance.flush();
    if (stage.inputEnded || stage.spec.kind.closesOnRemove) this.forwardEnd(stage);
    stage.instance.dispose();
    this.stages = this.stages.filter((s) => s !== stage);
    this.relieve();
  }

  /** The destination socket is gone: nothing can be delivered any more. */
  destGone(): void {
    this.destEnded = true;
    this.dispose();
  }

  dispose(): void {
    for (const stage of this.stages) stage.instance.dispose();
  }

  private makeStage(spec: ToxicSpec, state: ToxicState): Stage {
    const stage: Stage = { spec, state, inputEnded: false, instance: undefined as unknown as ToxicInstance };
    const out: ToxicOutput = {
      push: (chunk) => this.forward(stage, chunk),
      end: () => this.forwardEnd(stage),
      // Go's Close: a TCP RST only where SO_LINGER 0 was set as the connection opened; otherwise
      // the toxic's close travels down the chain as an end (FIN), dropping what the toxic held.
      reset: () => (this.connection.lingerZero ? this.connection.reset(`${spec.type} toxic ${spec.name}`) : this.forwardEnd(stage)),
    };
    // Toxicity: whether the toxic applies is rolled when it starts on a connection (and again on update).
    stage.instance = Math.random() < spec.toxicity ? spec.kind.create(spec.attributes, out, state) : passThrough(out);
    return stage;
  }

  private forward(from: Stage, chunk: Buffer): void {
    const index = this.stages.indexOf(from);
    if (index < 0) return; // a replaced toxic's stray output
    const next = this.stages[index + 1];
    if (!next) return this.deliver(chunk);
    if (!next.inputEnded) next.instance.write(chunk);
  }

  private forwardEnd(from: Stage): void {
    const index = this.stages.indexOf(from);
    if (index < 0) return;
    const next = this.stages[index + 1];
    if (!next) return this.endDest();
    if (next.inputEnded) return;
    next.inputEnded = true;
    next.instance.end();
  }

  private deliver(chunk: Buffer): void {
    if (this.destEnded || this.dest.destroyed) return;
    this.dest.write(chunk);
    this.relieve();
  }

  private endDest(): void {
    if (this.destEnded) return;
    this.destEnded = true;
    const lingerZero = this.connection.lingerZero;
    this.connection.closedByProxy(this.destSide, lingerZero ? 'reset' : 'end', `${this.direction} link ended`);
    if (this.dest.destroyed) return;
    // Close fully once the data is out, like Go's conn.Close(): the other link then ends too. With
    // SO_LINGER 0 that close is a TCP RST, once what was written has reached the kernel.
    if (lingerZero) this.dest.write(Buffer.alloc(0), () => this.dest.resetAndDestroy());
    else this.dest.end(() => this.dest.destroy());
  }

  private heldBytes(): number {
    return this.stages.reduce((sum, s) => sum + s.instance.heldBytes(), 0) + this.dest.writableLength;
  }

  private relieve(): void {
    if (this.paused && this.heldBytes() < HIGH_WATER_BYTES / 2) {
      this.paused = false;
      this.source.resume();
    }
  }
}

/** A client connection and its upstream connection. */
class Connection {
  private readonly links = new Map<Direction, Link>();
  private readonly proxy: Proxy;
  private readonly client: Socket;
  private readonly recorder: ConnectionRecorder;
  private upstream: Socket | undefined;
  private finished = false;
  /**
   * Toxiproxy sets SO_LINGER 0 on both sockets when a reset_peer toxic (of any toxicity, either
   * stream) is on the proxy as the connection's links start: every close of this connection is
   * then a TCP RST. A reset_peer added later closes the connection with FIN.
   */
  lingerZero = false;

  constructor(proxy: Proxy, client: Socket, recorder: ConnectionRecorder) {
    this.proxy = proxy;
    this.client = client;
    this.recorder = recorder;
  }

  start(upstreamAddress: string, currentToxics: () => ToxicSpec[]): void {
    const target = splitHostPort(upstreamAddress);
    this.watch(this.client, 'client');
    if (!target) {
      this.recorder.close(clockMs(), 'server', 'error', 'proxy', `bad upstream address ${upstreamAddress}`);
      this.closedByProxy('client', 'end', 'bad upstream address');
      this.client.destroy();
      return;
    }
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
    this.upstream = upstream;
    upstream.once('connect', () => {
      this.recorder.upstreamConnected(clockMs());
      // The toxics as they are now: some may have changed while connecting.
      const toxics = currentToxics();
      this.lingerZero = toxics.some((t) => t.type === 'reset_peer');
      this.links.set('upstream', new Link(this, 'upstream', this.client, upstream, toxics.filter((t) => t.direction === 'upstream')));
      this.links.set('downstream', new Link(this, 'downstream', upstream, this.client, toxics.filter((t) => t.direction === 'downstream')));
      this.client.resume();
    });
    this.watch(upstream, 'server');
  }

  link(direction: Direction): Link | undefined {
    return this.links.get(direction);
  }

  closedByProxy(side: Side, how: 'end' | 'reset', message: string): void {
    this.recorder.close(clockMs(), side, how, 'proxy', message);
  }

  /** TCP RST on both sides (reset_peer on a connection opened with SO_LINGER 0). */
  reset(reason: string): void {
    for (const [socket, side] of this.sockets()) {
      if (socket.destroyed) continue;
      this.closedByProxy(side, 'reset', reason);
      socket.resetAndDestroy();
    }
    this.finish();
  }

  /** Close both sides now (proxy disabled or deleted), as Toxiproxy's conn.Close(). */
  close(reason: string): void {
    for (const [socket, side] of this.sockets()) {
      if (socket.destroyed) continue;
      this.closedByProxy(side, this.lingerZero ? 'reset' : 'end', reason);
      if (this.lingerZero) socket.resetAndDestroy();
      else socket.destroy();
    }
    this.finish();
  }

  private sockets(): [Socket, Side][] {
    return this.upstream ? [[this.client, 'client'], [this.upstream, 'server']] : [[this.client, 'client']];
  }

  private watch(socket: Socket, side: Side): void {
    const readDirection: Direction = side === 'client' ? 'upstream' : 'downstream';
    const writeDirection: Direction = side === 'client' ? 'downstream' : 'upstream';
    socket.on('data', (chunk: Buffer) => {
      this.recorder.chunk(clockMs(), readDirection, chunk);
      this.links.get(readDirection)?.input(chunk);
    });
    socket.on('end', () => {
      this.recorder.close(clockMs(), side, 'end', 'peer');
      this.links.get(readDirection)?.inputEnd();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const how = error.code === 'ECONNRESET' ? 'reset' : 'error';
      this.recorder.close(clockMs(), side, how, 'peer', error.message);
    });
    socket.on('close', () => {
      // Reading stopped (peer reset, error, or this proxy closed it): the link it fed ends, the link
      // writing to it can deliver nothing more.
      this.links.get(writeDirection)?.destGone();
      this.links.get(readDirection)?.inputEnd();
      if (this.links.size === 0) {
        // No links yet: the upstream connection failed, or the client left before it was made.
        const reason = side === 'server' ? 'upstream connection failed' : 'client left before the upstream connection was made';
        for (const [other, otherSide] of this.sockets()) {
          if (other.destroyed) continue;
          this.closedByProxy(otherSide, 'end', reason);
          other.destroy();
        }
      }
      if (this.sockets().every(([s]) => s.destroyed)) this.finish();
    });
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const link of this.links.values()) link.dispose();
    this.proxy.forget(this);
  }
}

export interface ProxyEvents {
  connection: [];
}

/** One named proxy: its listener, its toxics and its open connections. */
export class Proxy extends EventEmitter<ProxyEvents> {
  readonly name: string;
  listen: string;
  upstream: string;
  enabled = false;
  readonly recording: ProxyRecording;
  private toxics: ToxicSpec[] = [];
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();

  constructor(name: string, listen: string, upstream: string, recording: ProxyRecording) {
    super();
    this.name = name;
    this.listen = listen;
    this.upstream = upstream;
    this.recording = recording;
  }

  /** Listen; `listen` then holds the bound address (a requested port 0 becomes the real port). */
  async start(): Promise<void> {
    if (this.enabled) return;
    const address = this.listen === '' ? { host: '', port: 0 } : splitHostPort(this.listen);
    if (!address) throw new ListenError(`listen tcp ${this.listen}: missing or bad port in address`, 'EINVAL');
    const host = address.host === 'localhost' ? '127.0.0.1' : address.host || undefined;
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new ListenError(`listen tcp ${this.listen}: ${error.code === 'EADDRINUSE' ? 'bind: address already in use' : error.message}`, error.code)),
      );
      server.listen({ host, port: address.port }, () => resolve());
    });
    server.on('error', () => {}); // after listening, accept errors are per connection
    this.server = server;
    this.listen = formatAddress(server.address() as AddressInfo);
    this.enabled = true;
  }

  /** Close the listener and every connection. */
  async stop(reason = 'proxy disabled'): Promise<void> {
    if (!this.enabled) return;
    this.enabled = false;
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
    for (const connection of [...this.connections]) connection.close(reason);
    await closed;
  }

  /** Toxiproxy's Proxy.Update: a new address restarts the listener; `enabled` starts or stops it. */
  async update(input: { listen: string; upstream: string; enabled: boolean }): Promise<void> {
    if (input.listen !== this.listen || input.upstream !== this.upstream) {
      await this.stop();
      this.listen = input.listen;
      this.upstream = input.upstream;
    }
    if (input.enabled !== this.enabled) {
      if (input.enabled) await this.start();
      else await this.stop();
    }
  }

  toxicList(): ToxicSpec[] {
    // Toxiproxy lists the upstream chain, then the downstream chain.
    return [...this.toxics.filter((t) => t.direction === 'upstream'), ...this.toxics.filter((t) => t.direction === 'downstream')];
  }

  findToxic(name: string): ToxicSpec | undefined {
    return this.toxics.find((t) => t.name === name);
  }

  addToxic(spec: ToxicSpec): void {
    this.toxics.push(spec);
    for (const connection of this.connections) connection.link(spec.direction)?.append(spec);
  }

  updateToxic(spec: ToxicSpec): void {
    this.toxics = this.toxics.map((t) => (t.name === spec.name ? spec : t));
    for (const connection of this.connections) connection.link(spec.direction)?.replace(spec);
  }

  removeToxic(name: string): void {
    const spec = this.findToxic(name);
    if (!spec) return;
    this.toxics = this.toxics.filter((t) => t !== spec);
    for (const connection of this.connections) connection.link(spec.direction)?.remove(name);
  }

  resetToxics(): void {
    for (const spec of this.toxicList()) this.removeToxic(spec.name);
  }

  toJSON(): ProxyJson {
    return { name: this.name, listen: this.listen, upstream: this.upstream, enabled: this.enabled, toxics: this.toxicList().map(toxicJson) };
  }

  /** Called by a connection once both its sockets are closed. */
  forget(connection: Connection): void {
    this.connections.delete(connection);
  }

  private accept(client: Socket): void {
    const connection = new Connection(this, client, this.recording.openConnection(clockMs()));
    this.connections.add(connection);
    connection.start(this.upstream, () => this.toxics);
    this.emit('connection');
  }
}
