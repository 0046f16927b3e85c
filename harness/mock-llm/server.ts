/**
 * The mock LLM origin: an in-process node:http server that streams scripted completions in the
 * OpenAI or Anthropic SSE format, pauses like a tool call, and bills every generation it starts.
 * Framing is left to Node (chunked for HTTP/1.1, close-delimited for HTTP/1.0), as a real origin's.
 */
import { StreamproofError } from '../errors.ts';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { now } from '../clock.ts';
import type { ClockMs } from '../clock.ts';
import type { EmittedItem, Generation, ServedRequest } from '../model.ts';
import { ANTHROPIC_PING, anthropicEvents } from './anthropic-format.ts';
import { BillingLedger, logicalKeyFor, promptTokensFor } from './ledger.ts';
import { openaiEvents } from './openai-format.ts';
import { mergeStreamScript, parseStreamScript, planGeneration, StreamScriptError } from './script.ts';
import type { ScriptedEvent, StreamScript } from './script.ts';

export type ServerMode = 'stateless' | 'resumable';
export type WireFormat = Generation['format'];

export interface MockLlmOptions {
  /** `stateless`: like provider APIs, every request is a new generation, cancelled on disconnect.
   *  `resumable`: events carry ids, Last-Event-ID / Idempotency-Key reattach, generations run on. */
  mode: ServerMode;
  /** Multiplies scripted pauses and heartbeat intervals (not token timing). Default 1. */
  timeScale?: number;
  /** Addresses to bind, all on one port. Default `['127.0.0.1']`. Never a wildcard. */
  hosts?: string[];
  /** Default 0: a free port. */
  port?: number;
  script?: Partial<StreamScript>;
  /**
   * Answer a POST on any other path in this wire format. validate streams a path of the user's
   * choosing (`--path`), which their proxy may rewrite (`proxy_pass http://api:3080/api;`).
   */
  otherPaths?: WireFormat;
}

export interface MockLlmEvents {
  request: [ServedRequest];
  'peer-gone': [ServedRequest];
  'response-end': [ServedRequest];
  'generation-end': [Generation];
}
export type MockLlmEvent = keyof MockLlmEvents;

export class MockLlmBindError extends StreamproofError {
  readonly host: string;
  readonly port: number;
  constructor(code: 'STREAMPROOF_PORT_TAKEN' | 'STREAMPROOF_BIND_FAILED', host: string, port: number, problem: string, fix: string, cause?: unknown) {
    super(code, problem, fix, { cause });
    this.name = 'MockLlmBindError';
    this.host = host;
    this.port = port;
  }
}

/** The header a request can carry to override the server script (JSON, a partial StreamScript). */
export const SCRIPT_HEADER = 'x-streamproof-script';

const ROUTES: Record<string, WireFormat> = { '/v1/chat/completions': 'openai', '/v1/messages': 'anthropic' };
/**
 * The EventSource-style endpoint: `GET /v1/chat/completions/stream?model=<m>&messages=<JSON array>`
 * (`&include_usage=true` optional) streams the OpenAI-format chunks with an `id:` on every event
 * in both modes. Resumable: `Last-Event-ID` replays after that event (no new generation).
 * Stateless: `Last-Event-ID` is ignored, so every reconnect is a new generation, billed again.
 */
export const EVENTSOURCE_PATH = '/v1/chat/completions/stream';
/**
 * A page that opens the browser's own EventSource on EVENTSOURCE_PATH with the page's own query,
 * same origin: loaded through a path, the page and the stream cross the same proxies. It reports
 * each EventSource event at once to the binding `streamproofReport` (harness/clients/real/
 * browser-eventsource.ts) and closes the source at `[DONE]`, as an app would.
 */
export const EVENTSOURCE_PAGE_PATH = '/streamproof/eventsource.html';
export const EVENTSOURCE_PAGE_BINDING = 'streamproofReport';
const EVENTSOURCE_PAGE = `<!doctype html>
<meta charset="utf-8"><title>streamproof: EventSource</title><link rel="icon" href="data:,">
<script>
const report = (what) => window.${EVENTSOURCE_PAGE_BINDING}({ ...what, pageAtMs: performance.timeOrigin + performance.now() });
const source = new EventSource('${EVENTSOURCE_PATH}' + location.search);
source.onopen = () => report({ type: 'open' });
source.onmessage = (message) => {
  report({ type: 'message', data: message.data, lastEventId: message.lastEventId });
  if (message.data === '[DONE]') source.close();
};
source.onerror = () => report({ type: 'error', readyState: source.readyState });
window.streamproofSource = source;
</script>
`;
const MAX_BODY_BYTES = 1 << 20;
const COMMENT_HEARTBEAT = { wire: ': keep-alive\n\n' };
const BIND_ATTEMPTS = 5;

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** One response attached to a generation. */
interface Reader {
  served: ServedRequest;
  res: ServerResponse;
  /** Events carry `id:` lines (resumable mode, and the EventSource endpoint in either mode). */
  ids: boolean;
  /** The response head, until it is sent (a script's `headDelaySeconds` holds it). */
  pendingHead?: OutgoingHttpHeaders;
}

/** A generation and everything needed to keep streaming or replay it. */
interface LiveGeneration {
  record: Generation;
  script: StreamScript;
  events: ScriptedEvent[];
  /** Events emitted so far: the replay log is `events.slice(0, emittedCount)`. */
  emittedCount: number;
  endState: 'completed' | 'failed';
  heartbeatMs: number | undefined;
  heartbeat: { event?: string; wire: string };
  /** No head (and no event) before this: the script's `headDelaySeconds` after the start. */
  headDueAtMs: ClockMs;
  readers: Set<Reader>;
  stop: AbortController;
}

interface StreamRequest {
  model: string;
  messages: unknown[];
  includeUsage: boolean;
}

export class MockLlm extends EventEmitter<MockLlmEvents> {
  readonly mode: ServerMode;
  readonly timeScale: number;
  readonly hosts: readonly string[];
  readonly ledger = new BillingLedger();
  private scriptValue: StreamScript;
  private portValue = 0;
  private servers: Server[] = [];
  private readonly live = new Map<string, LiveGeneration>();
  private readonly otherPaths: WireFormat | undefined;
  private closed = false;

  private constructor(options: MockLlmOptions) {
    super();
    this.mode = options.mode;
    this.timeScale = options.timeScale ?? 1;
    this.otherPaths = options.otherPaths;
    if (!(this.timeScale > 0 && Number.isFinite(this.timeScale))) {
      throw new RangeError(`timeScale must be a positive number, got ${options.timeScale}`);
    }
    this.hosts = [...new Set(options.hosts ?? ['127.0.0.1'])];
    for (const host of this.hosts) {
      if (host === '0.0.0.0' || host === '::' || host === '') {
        throw new MockLlmBindError(
          'STREAMPROOF_BIND_FAILED',
          host,
          options.port ?? 0,
          `mock LLM refuses to bind the wildcard address "${host}": it would be reachable from every network`,
          'list specific addresses in hosts, e.g. 127.0.0.1 and the Docker bridge address (172.17.0.1)',
        );
      }
    }
    this.scriptValue = parseStreamScript(options.script ?? {});
  }

  static async start(options: MockLlmOptions): Promise<MockLlm> {
    const llm = new MockLlm(options);
    await llm.listen(options.port ?? 0);
    return llm;
  }

  get port(): number {
    return this.portValue;
  }

  get script(): StreamScript {
    return this.scriptValue;
  }

  /** Replaces the server-level script: `partial` over the defaults. */
  setScript(partial: Partial<StreamScript>): void {
    this.scriptValue = parseStreamScript(partial);
  }

  url(host: string = this.hosts[0]!): string {
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  /**
   * Resolves with the first `event` whose value satisfies `predicate`, including one that already
   * happened (the ledger is the history), so awaiting after the fact does not hang.
   */
  waitFor<K extends MockLlmEvent>(
    event: K,
    predicate: (value: MockLlmEvents[K][0]) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<MockLlmEvents[K][0]> {
    const past = this.history(event).find(predicate);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const emitter = this as EventEmitter; // the typed overloads do not follow a generic K
      const cleanup = () => {
        clearTimeout(timer);
        emitter.off(event, listener);
      };
      const listener = (value: MockLlmEvents[K][0]) => {
        try {
          if (!predicate(value)) return;
          cleanup();
          resolve(value);
        } catch (error) {
          cleanup();
          reject(error);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        const seen = `${this.ledger.served().length} requests served, ${this.ledger.generations().length} generations`;
        reject(new Error(`mock LLM: no matching '${event}' event within ${timeoutMs} ms (so far: ${seen})`));
      }, timeoutMs);
      emitter.on(event, listener);
    });
  }

  /** Stops running generations, destroys open responses and closes every listener. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const live of this.live.values()) {
      if (live.record.state === 'running') this.endGeneration(live, 'stopped', 'destroy');
    }
    await this.closeServers();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ─── Binding ────────────────────────────────────────────────────────────────────────────────

  private async listen(requestedPort: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        let port = requestedPort;
        for (const host of this.hosts) {
          const server = createServer({ requestTimeout: 0, headersTimeout: 60_000, noDelay: true }, (req, res) => {
            this.handle(req, res).catch(() => res.destroy()); // e.g. a request line URL cannot parse
          });
          server.timeout = 0; // an idle stream (a tool pause) is legitimate: never cut it here
          this.servers.push(server);
          await listenOn(server, host, port);
          port = (server.address() as AddressInfo).port;
        }
        this.portValue = port;
        return;
      } catch (error) {
        await this.closeServers();
        // A port the kernel picked as free on the first host can be taken on another: pick again.
        const retry = requestedPort === 0 && error instanceof MockLlmBindError && error.code === 'STREAMPROOF_PORT_TAKEN';
        if (!retry || attempt === BIND_ATTEMPTS) throw error;
      }
    }
  }

  private async closeServers(): Promise<void> {
    const servers = this.servers;
    this.servers = [];
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve()); // errors only when it never listened: nothing to close
            server.closeAllConnections();
          }),
      ),
    );
  }

  // ─── Requests ───────────────────────────────────────────────────────────────────────────────

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAtMs = now();
    const requestId = newId('req');
    res.setHeader('x-request-id', requestId);
    req.socket.setNoDelay(true);
    res.on('error', () => {}); // a peer that vanished is recorded through 'close'

    const path = new URL(req.url ?? '/', 'http://origin').pathname;
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    if (path === EVENTSOURCE_PAGE_PATH && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(EVENTSOURCE_PAGE);
      return;
    }
    const eventSource = path === EVENTSOURCE_PATH;
    const format = eventSource ? 'openai' : (ROUTES[path] ?? this.otherPaths);
    try {
      if (!format) throw new HttpError(404, `no route for ${req.method} ${path}`);
      const method = eventSource ? 'GET' : 'POST';
      if (req.method !== method) throw new HttpError(405, `${path} takes ${method}, not ${req.method}`);
      const body = eventSource ? '' : await readBody(req);
      if (this.closed || req.socket.destroyed) return; // nobody left to answer: start nothing

      const lastEventId = header(req, 'last-event-id');
      const idempotencyKey = header(req, 'idempotency-key');
      const arrival = { req, res, requestId, receivedAtMs, lastEventId, ids: this.mode === 'resumable' || eventSource };

      if (this.mode === 'resumable' && lastEventId !== undefined) {
        const { live, seq } = this.findEvent(lastEventId);
        return this.serve(arrival, live, format, 'resume', seq);
      }
      const request = eventSource ? parseEventSourceRequest(new URL(req.url ?? '/', 'http://origin').searchParams) : parseStreamRequest(body, format);
      if (this.mode === 'resumable' && idempotencyKey !== undefined) {
        const existing = this.latestGeneration(logicalKeyFor({ idempotencyKey, ...request }));
        if (existing) return this.serve(arrival, existing, format, 'resume', -1);
      }
      const script = this.requestScript(req);
      const live = this.startGeneration(format, request, script, idempotencyKey);
      this.serve(arrival, live, format, 'start', -1);
      void this.run(live);
    } catch (error) {
      if (res.headersSent) res.destroy();
      else if (error instanceof HttpError) sendError(res, error.status, format, error.message);
      else sendError(res, 500, format, `mock LLM failure: ${(error as Error).message}`);
    }
  }

  private requestScript(req: IncomingMessage): StreamScript {
    const raw = header(req, SCRIPT_HEADER);
    let overrides: unknown;
    try {
      overrides = raw === undefined ? undefined : JSON.parse(raw);
    } catch {
      throw new HttpError(400, `${SCRIPT_HEADER} header is not valid JSON`);
    }
    try {
      return mergeStreamScript(this.scriptValue, overrides);
    } catch (error) {
      if (error instanceof StreamScriptError) throw new HttpError(400, `${SCRIPT_HEADER}: ${error.message}`);
      throw error;
    }
  }

  private findEvent(lastEventId: string): { live: LiveGeneration; seq: number } {
    const match = /^(.+)\.(\d+)$/.exec(lastEventId);
    const live = match ? this.live.get(match[1]!) : undefined;
    const seq = match ? Number(match[2]) : NaN;
    if (!live || !(seq < live.emittedCount)) {
      throw new HttpError(410, `Last-Event-ID "${lastEventId}" names no event this server emitted: cannot resume`);
    }
    return { live, seq };
  }

  private latestGeneration(logicalKey: string): LiveGeneration | undefined {
    const generations = this.ledger.generationsFor(logicalKey);
    const latest = generations[generations.length - 1];
    return latest && this.live.get(latest.generationId);
  }

  // ─── Generations ────────────────────────────────────────────────────────────────────────────

  private startGeneration(
    format: WireFormat,
    request: StreamRequest,
    script: StreamScript,
    idempotencyKey: string | undefined,
  ): LiveGeneration {
    const generationId = newId('gen');
    const promptTokens = promptTokensFor(request.messages);
    const beats = planGeneration(script, this.timeScale);
    const context = { generationId, model: request.model, promptTokens };
    const events =
      format === 'openai'
        ? openaiEvents(beats, { ...context, createdSeconds: Math.floor(Date.now() / 1000), includeUsage: request.includeUsage })
        : anthropicEvents(beats, context);
    // `event: ping` in an OpenAI stream too: what a gateway that pings in Anthropic's style sends (SDK tolerance is measured).
    const ping = script.heartbeatFormat === 'anthropic-ping';
    const record: Generation = {
      generationId,
      logicalKey: logicalKeyFor({ idempotencyKey, ...request }),
      format,
      promptTokens,
      completionTokens: 0,
      wastedTokens: 0,
      startedAtMs: now(),
      state: 'running',
      requestIds: [],
    };
    const live: LiveGeneration = {
      record,
      script,
      events,
      emittedCount: 0,
      endState: beats[beats.length - 1]?.kind === 'error' ? 'failed' : 'completed',
      heartbeatMs: script.heartbeatSeconds === undefined ? undefined : script.heartbeatSeconds * 1000 * this.timeScale,
      headDueAtMs: record.startedAtMs + (script.headDelaySeconds ?? 0) * 1000 * this.timeScale,
      heartbeat: ping ? { event: ANTHROPIC_PING.event, wire: sseWire(ANTHROPIC_PING) } : COMMENT_HEARTBEAT,
      readers: new Set(),
      stop: new AbortController(),
    };
    this.live.set(generationId, live);
    this.ledger.recordGeneration(record);
    return live;
  }

  /** Emits the scripted events on schedule, with heartbeats in long silences, to whoever is attached. */
  private async run(live: LiveGeneration): Promise<void> {
    const { signal } = live.stop;
    try {
      // The model is billed from the start; the head waits for it (and heartbeats cannot precede a head).
      await sleepUntil(live.headDueAtMs, signal);
      for (const reader of live.readers) this.sendHead(reader);
      for (const [seq, event] of live.events.entries()) {
        // Each silence is timed from the previous write, so a late timer never shortens a scripted
        // pause (a shortened pause could slip under a proxy's idle timeout and pass a test wrongly).
        const silenceStartedAt = now();
        const due = silenceStartedAt + event.delayMs;
        if (live.heartbeatMs !== undefined) {
          for (let beatAt = silenceStartedAt + live.heartbeatMs; beatAt < due; beatAt += live.heartbeatMs) {
            await sleepUntil(beatAt, signal);
            for (const reader of live.readers) this.writeHeartbeat(reader, live, seq);
          }
        }
        await sleepUntil(due, signal);
        live.emittedCount = seq + 1;
        if (event.carriesToken) {
          live.record.completionTokens++;
          if (live.readers.size === 0) live.record.wastedTokens++;
        }
        for (const reader of live.readers) this.writeEvent(reader, live, seq);
      }
      this.endGeneration(live, live.endState, 'end');
    } catch (error) {
      if (signal.aborted) return; // stopped on purpose; whoever stopped it recorded why
      process.emitWarning(`mock LLM generation ${live.record.generationId} crashed: ${String(error)}`);
      this.endGeneration(live, 'failed', 'destroy');
    }
  }

  private endGeneration(live: LiveGeneration, state: Generation['state'], responses: 'end' | 'destroy'): void {
    live.stop.abort();
    live.record.state = state;
    live.record.endedAtMs = now();
    for (const reader of live.readers) this.endResponse(reader, responses);
    live.readers.clear();
    this.emit('generation-end', live.record);
  }

  // ─── Responses ──────────────────────────────────────────────────────────────────────────────

  /** Sends the head, records the request, replays events after `afterSeq`, then follows live. */
  private serve(
    arrival: { req: IncomingMessage; res: ServerResponse; requestId: string; receivedAtMs: ClockMs; lastEventId?: string | undefined; ids: boolean },
    live: LiveGeneration,
    format: WireFormat,
    role: ServedRequest['role'],
    afterSeq: number,
  ): void {
    const { req, res, requestId } = arrival;
    if (live.record.format !== format) {
      throw new HttpError(409, `generation ${live.record.generationId} streams the ${live.record.format} format, not ${format}`);
    }
    const headers: OutgoingHttpHeaders = {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': requestId,
    };
    if (live.script.accelBufferingHeader) headers['x-accel-buffering'] = 'no';

    const served: ServedRequest = {
      requestId,
      generationId: live.record.generationId,
      role,
      ...(arrival.lastEventId !== undefined && { lastEventId: arrival.lastEventId }),
      httpVersion: req.httpVersion,
      framing: 'chunked', // as the head is sent
      receivedAtMs: arrival.receivedAtMs,
      emitted: [],
    };
    live.record.requestIds.push(requestId);
    this.ledger.recordServed(served);
    this.emit('request', served);

    const reader: Reader = { served, res, ids: arrival.ids, pendingHead: headers };
    // Held while the generation is still before its head (run() sends it then).
    if (now() >= live.headDueAtMs) this.sendHead(reader);
    res.on('close', () => this.onClose(reader, live));
    for (let seq = afterSeq + 1; seq < live.emittedCount; seq++) this.writeEvent(reader, live, seq);
    if (live.record.state === 'running') live.readers.add(reader);
    else this.endResponse(reader, 'end');
  }

  private onClose(reader: Reader, live: LiveGeneration): void {
    const { served } = reader;
    if (served.endedAtMs !== undefined) return; // ended by us, not cut by the peer
    served.peerGoneAtMs = served.endedAtMs = now();
    live.readers.delete(reader);
    this.emit('peer-gone', served);
    this.emit('response-end', served);
    // A stateless provider cancels the generation when its only reader leaves.
    if (this.mode === 'stateless' && live.record.state === 'running') this.endGeneration(live, 'stopped', 'end');
  }

  private sendHead(reader: Reader): void {
    if (!reader.pendingHead) return;
    reader.res.writeHead(200, reader.pendingHead);
    reader.res.flushHeaders();
    reader.served.framing = reader.res.chunkedEncoding ? 'chunked' : 'close';
    delete reader.pendingHead;
  }

  private endResponse(reader: Reader, how: 'end' | 'destroy'): void {
    reader.served.endedAtMs = now();
    if (how === 'end') reader.res.end();
    else reader.res.destroy();
    this.emit('response-end', reader.served);
  }

  private writeEvent(reader: Reader, live: LiveGeneration, seq: number): void {
    const event = live.events[seq]!;
    const id = reader.ids ? `${live.record.generationId}.${seq}` : undefined;
    write(reader, { kind: 'event', seq, event: event.event, id, carriesToken: event.carriesToken }, sseWire(event, id));
  }

  private writeHeartbeat(reader: Reader, live: LiveGeneration, nextSeq: number): void {
    const { event, wire } = live.heartbeat;
    write(reader, { kind: 'heartbeat', seq: nextSeq, event, carriesToken: false }, wire);
  }

  private history<K extends MockLlmEvent>(event: K): MockLlmEvents[K][0][] {
    const served = this.ledger.served();
    const past = {
      request: served,
      'peer-gone': served.filter((s) => s.peerGoneAtMs !== undefined),
      'response-end': served.filter((s) => s.endedAtMs !== undefined),
      'generation-end': this.ledger.generations().filter((g) => g.endedAtMs !== undefined),
    };
    return past[event] as MockLlmEvents[K][0][];
  }
}

// ─── Helpers ──────────────────────────────────────────────────────────────────────────────────

/** Stamps the write on the run clock right as the bytes go to the socket. */
function write(reader: Reader, item: Omit<EmittedItem, 'atMs' | 'bytes'>, wire: string): void {
  const atMs = now();
  reader.res.write(wire);
  reader.served.emitted.push({ ...item, atMs, bytes: Buffer.byteLength(wire) });
}

function sseWire(event: { event?: string; data: string }, id?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}${event.event === undefined ? '' : `event: ${event.event}\n`}data: ${event.data}\n\n`;
}

/** Timers can fire a fraction of a millisecond early: loop until the clock has really reached `at`. */
async function sleepUntil(at: ClockMs, signal: AbortSignal): Promise<void> {
  for (let ms = at - now(); ms > 0; ms = at - now()) await sleep(ms, undefined, { signal });
  signal.throwIfAborted();
}

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

/** A request header's value; empty counts as absent. */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseStreamRequest(raw: string, format: WireFormat): StreamRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'request body must be a JSON object');
  }
  const fields = body as Record<string, unknown>;
  if (fields.stream !== true) throw new HttpError(400, 'this mock LLM only streams: send "stream": true');
  if (typeof fields.model !== 'string' || !Array.isArray(fields.messages)) {
    throw new HttpError(400, '"model" (a string) and "messages" (an array) are required');
  }
  const streamOptions = fields.stream_options as { include_usage?: unknown } | undefined;
  return {
    model: fields.model,
    messages: fields.messages,
    includeUsage: format === 'openai' && streamOptions?.include_usage === true,
  };
}

/** The EventSource endpoint's query as a stream request (a GET has no body). */
function parseEventSourceRequest(query: URLSearchParams): StreamRequest {
  const model = query.get('model');
  let messages: unknown;
  try {
    messages = JSON.parse(query.get('messages') ?? '');
  } catch {
    messages = undefined;
  }
  if (!model || !Array.isArray(messages)) {
    throw new HttpError(400, `${EVENTSOURCE_PATH} needs ?model=<string>&messages=<JSON array>`);
  }
  return { model, messages, includeUsage: query.get('include_usage') === 'true' };
}

/** An error in the format's own error shape (Node sets Content-Length for a body given to end()). */
function sendError(res: ServerResponse, status: number, format: WireFormat | undefined, message: string): void {
  const type = status === 404 ? 'not_found_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
  const body =
    format === 'anthropic'
      ? { type: 'error', error: { type, message } }
      : { error: { message, type, param: null, code: null } };
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function listenOn(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(bindError(error, host, port));
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function bindError(error: NodeJS.ErrnoException, host: string, port: number): MockLlmBindError {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (error.code === 'EADDRINUSE') {
    return new MockLlmBindError(
      'STREAMPROOF_PORT_TAKEN',
      host,
      port,
      `mock LLM cannot listen on ${where}: the port is already in use`,
      `pass another port (or 0 for a free one), or stop the process holding ${where}`,
      error,
    );
  }
  return new MockLlmBindError(
    'STREAMPROOF_BIND_FAILED',
    host,
    port,
    `mock LLM cannot listen on ${where}: ${error.code ?? error.message}`,
    `bind only addresses this machine has (see \`ip -brief addr\`; the Docker bridge, e.g. 172.17.0.1, exists only while Docker runs), or drop ${host} from hosts`,
    error,
  );
}
