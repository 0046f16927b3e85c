/**
 * Recording for clients that bring their own HTTP stack (the SDKs): a `fetch` to hand them that
 * calls the real global fetch (undici, Node 24) and tees each response body. The client reads its
 * branch as it likes; the recorder reads the other as bytes arrive, with the same parser
 * (eventsource-parser) and the same reading of events (interpretEvent) as the harness's recorder.
 * Every call is one HTTP attempt, so an SDK's retries each become a RecordedConnection.
 */
import { findPackageJSON } from 'node:module';
import { readFileSync } from 'node:fs';
import { createParser } from 'eventsource-parser';
import { now, type ClockMs } from '../../clock.ts';
import type { ArrivedEvent, ClientRun, ConnectionEndKind, RecordedConnection } from '../../model.ts';
import { interpretEvent, logicalKeyFor, type StreamFormat, type StreamProgress } from '../sse-connection.ts';
import type { ClientDefinition, ClientRequest, StatedClientOptions } from './types.ts';

/** The version in an installed package's own package.json. */
export function packageVersion(specifier: string): string {
  const path = findPackageJSON(specifier, import.meta.url);
  if (!path) throw new Error(`no package.json found for ${specifier}`);
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

export interface FetchRecorder {
  /** Hand this to the SDK as its `fetch`. */
  readonly fetch: typeof globalThis.fetch;
  /** Connections so far, in the order they started. */
  readonly connections: RecordedConnection[];
  /** Aborts the client: the SDK gets this signal as its request signal. */
  readonly controller: AbortController;
  /** True once `abortWhen` fired (the run is an abort on purpose). */
  readonly abortedOnPurpose: boolean;
  /** Resolves when every recorded body has ended (the client may stop reading before the end). */
  settled(): Promise<void>;
}

export function createFetchRecorder(request: ClientRequest): FetchRecorder {
  const connections: RecordedConnection[] = [];
  const pending: Promise<void>[] = [];
  const controller = new AbortController();
  const state = { abortedOnPurpose: false };

  const recordingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    // A second attempt is a retry or a reconnect: the scenario's first-cut faults come off first.
    if (connections.length > 0) await request.beforeReconnect?.();
    const startedAtMs = now();
    const sentHeaders = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const connection: RecordedConnection = {
      startedAtMs,
      sent: {},
      events: [],
      comments: [],
      chunks: [],
      end: { kind: 'connect-error', atMs: startedAtMs },
    };
    const lastEventId = sentHeaders.get('last-event-id');
    const idempotencyKey = sentHeaders.get('idempotency-key');
    if (lastEventId !== null) connection.sent.lastEventId = lastEventId;
    if (idempotencyKey !== null) connection.sent.idempotencyKey = idempotencyKey;
    connections.push(connection);

    const signal = init?.signal ?? undefined;
    let response: Response;
    try {
      response = await globalThis.fetch(input, init);
    } catch (error) {
      connection.end = signal?.aborted
        ? { kind: 'aborted', atMs: now(), message: describeError(error) }
        : { kind: 'connect-error', atMs: now(), message: describeError(error) };
      throw error;
    }
    connection.headersAtMs = now();
    connection.status = response.status;
    connection.headers = Object.fromEntries([...response.headers].map(([name, value]) => [name.toLowerCase(), value]));
    const requestId = response.headers.get('x-request-id');
    if (requestId !== null) connection.requestId = requestId;
    if (!response.body) {
      connection.end = { kind: response.ok ? 'eof-without-terminator' : 'http-error', atMs: now() };
      return response;
    }
    const [forClient, forRecorder] = response.body.tee();
    pending.push(recordBody(forRecorder, connection, response.ok, signal));
    return new Response(forClient, { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  /** Reads the recorder's branch to its end: chunks, events, comments, and how it ended. */
  const recordBody = async (
    body: ReadableStream<Uint8Array>,
    connection: RecordedConnection,
    ok: boolean,
    signal: AbortSignal | undefined,
  ): Promise<void> => {
    const progress: StreamProgress = { events: connection.events, tokenEvents: 0, toolCallSeen: false, text: '' };
    let streamEnd: { kind: 'terminator' | 'error-event'; message?: string } | undefined;
    let chunkAtMs: ClockMs = connection.startedAtMs;
    let abortedAtMs: ClockMs | undefined;
    const onAbort = () => (abortedAtMs ??= now());
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const parser = createParser({
      onEvent: (message) => {
        if (abortedAtMs !== undefined) return;
        const event: ArrivedEvent = { atMs: chunkAtMs, data: message.data };
        if (message.event !== undefined) event.event = message.event;
        if (message.id !== undefined) event.id = message.id;
        connection.events.push(event);
        const meaning = interpretEvent(request.format, event);
        if (meaning.text !== '') progress.tokenEvents++;
        progress.text += meaning.text;
        progress.toolCallSeen ||= meaning.toolCall;
        if (!streamEnd && meaning.error !== undefined) streamEnd = { kind: 'error-event', message: meaning.error };
        else if (!streamEnd && meaning.terminator) streamEnd = { kind: 'terminator' };
        request.onEvent?.(event, progress);
        if (!state.abortedOnPurpose && request.abortWhen?.(progress)) {
          state.abortedOnPurpose = true;
          controller.abort();
        }
      },
      onComment: (text) => {
        if (abortedAtMs === undefined) connection.comments.push({ atMs: chunkAtMs, text });
      },
    });
    const decoder = new TextDecoder();
    let errorBody = '';
    let bodyError: unknown;
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (abortedAtMs !== undefined) continue;
        chunkAtMs = now();
        connection.chunks.push({ atMs: chunkAtMs, bytes: value.byteLength });
        const text = decoder.decode(value, { stream: true });
        if (ok) parser.feed(text);
        else errorBody += text;
      }
    } catch (error) {
      bodyError = error;
    }
    signal?.removeEventListener('abort', onAbort);
    const endedAtMs = now();
    const finish = (kind: ConnectionEndKind, atMs: ClockMs, message?: string) => {
      connection.end = message === undefined ? { kind, atMs } : { kind, atMs, message };
    };
    // A complete stream stays complete, even if the client aborts after its end.
    if (streamEnd) return finish(streamEnd.kind, endedAtMs, streamEnd.message);
    if (abortedAtMs !== undefined) return finish('aborted', abortedAtMs);
    if (!ok) return finish('http-error', endedAtMs, errorBody.trim().slice(0, 500));
    if (bodyError !== undefined) return finish('reset', endedAtMs, describeError(bodyError));
    finish('eof-without-terminator', endedAtMs);
  };

  return {
    fetch: recordingFetch as typeof globalThis.fetch,
    connections,
    controller,
    get abortedOnPurpose() {
      return state.abortedOnPurpose;
    },
    settled: async () => {
      // Bodies recorded while settling (none expected) are awaited too.
      for (let seen = 0; seen < pending.length; seen = pending.length) await Promise.all(pending.slice(seen));
    },
  };
}

/**
 * The ClientRun of an SDK client, from what it did (returned, or threw) and what the wire carried:
 * it returned normally but the last connection had no terminator → a silently truncated answer.
 */
export async function sdkClientRun(
  recorder: FetchRecorder,
  client: { name: string; version: string; options: ClientRun['clientOptions'] },
  request: ClientRequest,
  drive: (signal: AbortSignal) => Promise<string>,
): Promise<ClientRun> {
  let text = '';
  let thrown: unknown;
  let threw = false;
  try {
    text = await drive(recorder.controller.signal);
  } catch (error) {
    threw = true;
    thrown = error;
  }
  // An SDK that stops reading without aborting would leave the recording open: bounded, then cut.
  const settled = recorder.settled();
  const late = await Promise.race([settled.then(() => false), new Promise<boolean>((resolve) => setTimeout(resolve, 5_000, true))]);
  if (late) {
    recorder.controller.abort();
    await settled;
  }
  const connections = recorder.connections;
  // The mock bills under an Idempotency-Key when the SDK sends one, else the prompt's fingerprint.
  const logicalKey = logicalKeyFor(request.body, connections[0]?.sent.idempotencyKey);
  const base = { client: client.name, clientVersion: client.version, clientOptions: client.options ?? {}, logicalKey };
  // What arrived before a failure or an abort, as the caller could have shown it.
  const partial = () => connections.map((c) => c.events.map((e) => interpretEvent(request.format, e).text).join('')).join('');
  // An abort on purpose is an abort however the SDK reports it (openai's iterator just ends).
  if (recorder.abortedOnPurpose) return { ...base, connections, text: threw ? partial() : text, outcome: 'aborted' };
  if (threw) {
    return { ...base, connections, text: partial(), outcome: 'threw', error: describeThrown(thrown) };
  }
  const complete = connections.at(-1)?.end.kind === 'terminator';
  return { ...base, connections, text, outcome: complete ? 'completed' : 'returned-partial' };
}

/**
 * `APIConnectionError: Connection error.` (the class a caller would catch, and its message), with
 * its chain of causes: a helper's error wraps the iterator's, which wraps undici's (the one that
 * says why: `BodyTimeoutError`).
 */
export function describeThrown(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const causes: string[] = [];
  for (let cause = (error as { cause?: unknown }).cause; cause instanceof Error && causes.length < 4; cause = (cause as { cause?: unknown }).cause) {
    causes.push(`${cause.name}: ${cause.message}`);
  }
  return `${error.constructor.name}: ${error.message}${causes.length ? ` (cause: ${causes.join('; cause: ')})` : ''}`;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const parts = [error.name, error.message];
  if (cause && typeof cause.code === 'string') parts.push(`(${cause.code})`);
  else if (cause && typeof cause.message === 'string') parts.push(`(${cause.message})`);
  return parts.filter(Boolean).join(': ');
}

/**
 * An SDK client in one call: how to build the SDK (pointed at the path, its fetch recorded) and
 * how to drive one request with it (returning the text the caller would get). The recording and
 * the outcome are the same for every SDK (sdkClientRun).
 */
export function sdkClient<Sdk>(spec: {
  name: string;
  version: string;
  formats: readonly StreamFormat[];
  description: string;
  /** The options the SDK runs with (its defaults read back, unless the scenario states them). */
  options(stated: StatedClientOptions): Record<string, number | string | boolean>;
  sdk(url: string, stated: StatedClientOptions, fetch: typeof globalThis.fetch): Sdk;
  drive(sdk: Sdk, request: ClientRequest, call: { signal: AbortSignal; headers?: Record<string, string> }): Promise<string>;
}): ClientDefinition {
  const { name, version, formats, description } = spec;
  return {
    name,
    version,
    formats,
    description,
    create(stated) {
      const client = { name, version, options: spec.options(stated) };
      return {
        ...client,
        run: (request) => {
          const recorder = createFetchRecorder(request);
          const sdk = spec.sdk(request.url, stated, recorder.fetch);
          return sdkClientRun(recorder, client, request, (signal) =>
            spec.drive(sdk, request, { signal, ...(request.headers ? { headers: request.headers } : {}) }),
          );
        },
      };
    },
  };
}
