/**
 * The recorder: one POST, one SSE response, every byte stamped on arrival. It decides how the
 * connection ended from the client's side (ConnectionEndKind) and never retries: clients do that.
 */
import { finished } from 'node:stream/promises';
import { pipeline } from 'node:stream';
import { constants as zlib, createGunzip } from 'node:zlib';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { request, type Dispatcher } from 'undici';
import { now, type ClockMs } from '../clock.ts';
import { logicalKeyFor as billingKeyFor } from '../mock-llm/ledger.ts';
import type { ArrivedEvent, ConnectionEndKind, RecordedConnection } from '../model.ts';

export type StreamFormat = 'openai' | 'anthropic';

/** Endpoint path of each format, appended when `url` is a bare origin. */
export const ENDPOINT_PATHS: Record<StreamFormat, string> = {
  openai: '/v1/chat/completions',
  anthropic: '/v1/messages',
};

/** The request body as far as the harness cares: the mock LLM fingerprints model + messages. */
export interface ChatBody {
  model?: string;
  messages?: unknown;
  [field: string]: unknown;
}

/** What a caller's `abortWhen` / `onEvent` sees: this connection's progress so far. */
export interface StreamProgress {
  /** Events arrived on this connection, latest last. */
  readonly events: readonly ArrivedEvent[];
  /** How many of them carried tokens (content or tool-call argument deltas). */
  tokenEvents: number;
  /** True once an event opened or continued a tool call. */
  toolCallSeen: boolean;
  /** Assistant text assembled on this connection. */
  text: string;
}

export interface RecordOptions {
  /** Endpoint URL; a bare origin (`http://host:port`) gets the format's endpoint path. */
  url: string;
  format: StreamFormat;
  body: ChatBody;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  /** undici timers; default 0 (off): the harness measures the proxy's timeouts, not undici's. */
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  onEvent?: (event: ArrivedEvent, progress: StreamProgress) => void;
  /** Checked after every event; returning true aborts the connection then and there. */
  abortWhen?: (progress: StreamProgress) => boolean;
  /**
   * Awaited before every connection after the first (a reconnect, a resume, a re-POST): the
   * scenario takes its `until: first-cut` faults off there, so the client comes back to a path
   * without them, however fast it comes back.
   */
  beforeReconnect?: () => Promise<void>;
}

export interface RecordedResult {
  connection: RecordedConnection;
  /** Assistant text of this connection's events (replays included). */
  text: string;
}

/** Abort once `n` token-carrying events have arrived. */
export function afterTokenEvents(n: number): (progress: StreamProgress) => boolean {
  return (progress) => progress.tokenEvents >= n;
}

/** Abort as soon as the model starts a tool call. */
export function onToolCall(): (progress: StreamProgress) => boolean {
  return (progress) => progress.toolCallSeen;
}

/**
 * The logical key the mock LLM bills under: `idem:<Idempotency-Key>` when one is sent, else
 * `prompt:` + the first 16 hex digits of sha256(model + JSON(messages)). The mock's own function,
 * so the two cannot drift apart.
 */
export function logicalKeyFor(body: ChatBody, idempotencyKey?: string): string {
  return billingKeyFor({ idempotencyKey, model: body.model ?? '', messages: body.messages });
}

/** Case-insensitive header lookup (callers spell `Idempotency-Key` as they like). */
export function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** A connection that a reconnecting client would retry: it broke rather than failed on purpose. */
export function isDrop(connection: RecordedConnection): boolean {
  const { kind } = connection.end;
  if (kind === 'http-error') return (connection.status ?? 0) >= 500;
  return kind === 'reset' || kind === 'eof-without-terminator' || kind === 'connect-error';
}

/** One line for an error message: `reset: other side closed`, `http-error (HTTP 502): ...`. */
export function describeEnd(connection: RecordedConnection): string {
  const { kind, message } = connection.end;
  const status = kind === 'http-error' && connection.status !== undefined ? ` (HTTP ${connection.status})` : '';
  return `${kind}${status}${message ? `: ${message}` : ''}`;
}

// ─── Reading events ───────────────────────────────────────────────────────────────────────────

/** What one event means to a client. Token/tool-call shapes of the two formats never overlap. */
export interface EventMeaning {
  /** Assistant text it carries: content and tool-call argument deltas. */
  text: string;
  toolCall: boolean;
  terminator: boolean;
  /** The error message when this is an error event. */
  error?: string;
}

export function interpretEvent(format: StreamFormat, event: Pick<ArrivedEvent, 'event' | 'data'>): EventMeaning {
  const payload = parseJson(event.data);
  const meaning: EventMeaning = { ...tokenContent(payload), terminator: false };
  if (format === 'openai') {
    meaning.terminator = event.data.trim() === '[DONE]';
    const error = (payload as { error?: unknown } | undefined)?.error;
    if (error !== undefined && error !== null) meaning.error = errorMessage(error);
  } else {
    meaning.terminator = event.event === 'message_stop';
    if (event.event === 'error') meaning.error = errorMessage((payload as { error?: unknown } | undefined)?.error ?? event.data);
  }
  return meaning;
}

/** Assistant text an event carries, whatever the format ('' for none). */
export function tokenTextOf(event: Pick<ArrivedEvent, 'data'>): string {
  return tokenContent(parseJson(event.data)).text;
}

interface OpenAiChunk {
  choices?: { delta?: { content?: unknown; tool_calls?: { function?: { arguments?: unknown } }[] } }[];
}
interface AnthropicEvent {
  delta?: { type?: string; text?: unknown; partial_json?: unknown };
  content_block?: { type?: string };
}

function tokenContent(payload: unknown): { text: string; toolCall: boolean } {
  if (typeof payload !== 'object' || payload === null) return { text: '', toolCall: false };
  const delta = (payload as OpenAiChunk).choices?.[0]?.delta;
  if (delta) {
    const toolCalls = Array.isArray(delta.tool_calls) ? delta.tool_calls : [];
    const args = toolCalls.map((call) => stringOr(call.function?.arguments)).join('');
    return { text: stringOr(delta.content) + args, toolCall: toolCalls.length > 0 };
  }
  const { delta: anthropicDelta, content_block: block } = payload as AnthropicEvent;
  if (anthropicDelta?.type === 'text_delta') return { text: stringOr(anthropicDelta.text), toolCall: false };
  if (anthropicDelta?.type === 'input_json_delta') return { text: stringOr(anthropicDelta.partial_json), toolCall: true };
  return { text: '', toolCall: block?.type === 'tool_use' };
}

function stringOr(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function parseJson(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

function errorMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  const { type, message } = (error ?? {}) as { type?: unknown; message?: unknown };
  return [type, message].filter((part) => typeof part === 'string').join(': ') || JSON.stringify(error);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code } = error as { code?: unknown };
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const parts = [typeof code === 'string' ? code : error.name, error.message];
  // connect failures hide the errno in the cause (or an AggregateError with an empty message)
  if (cause && typeof cause.code === 'string') parts.push(`(${cause.code})`);
  return parts.filter(Boolean).join(': ');
}

// ─── The recorder ─────────────────────────────────────────────────────────────────────────────

export async function recordConnection(opts: RecordOptions): Promise<RecordedResult> {
  const startedAtMs = now();
  const connection: RecordedConnection = {
    startedAtMs,
    sent: sentHeaders(opts.headers),
    events: [],
    comments: [],
    chunks: [],
    end: { kind: 'connect-error', atMs: startedAtMs },
  };
  const progress: StreamProgress = { events: connection.events, tokenEvents: 0, toolCallSeen: false, text: '' };

  // One controller for both ways to abort (the caller's signal, abortWhen); its time is the end.
  const controller = new AbortController();
  let abortedAtMs: ClockMs | undefined;
  const abort = (): void => {
    if (abortedAtMs !== undefined) return;
    abortedAtMs = now();
    controller.abort();
  };
  if (opts.signal?.aborted) abort();
  opts.signal?.addEventListener('abort', abort, { once: true });

  const finish = (kind: ConnectionEndKind, atMs: ClockMs, message?: string): RecordedResult => {
    opts.signal?.removeEventListener('abort', abort);
    connection.end = message === undefined ? { kind, atMs } : { kind, atMs, message };
    return { connection, text: progress.text };
  };

  let response: Dispatcher.ResponseData;
  try {
    if (abortedAtMs !== undefined) throw new Error('aborted before the request');
    response = await request(endpointUrl(opts.url, opts.format), {
      method: 'POST',
      // Like fetch-based SDKs and browsers: a proxy may compress (haproxy:compressed); decoded below.
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'accept-encoding': 'gzip', ...opts.headers },
      body: JSON.stringify(opts.body),
      signal: controller.signal,
      headersTimeout: opts.headersTimeoutMs ?? 0,
      bodyTimeout: opts.bodyTimeoutMs ?? 0,
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    });
  } catch (error) {
    if (abortedAtMs !== undefined) return finish('aborted', abortedAtMs);
    return finish('connect-error', now(), describeError(error));
  }

  connection.headersAtMs = now();
  connection.status = response.statusCode;
  connection.headers = Object.fromEntries(
    Object.entries(response.headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value)]),
  );
  const requestId = connection.headers['x-request-id'];
  if (requestId !== undefined) connection.requestId = requestId;
  const ok = response.statusCode >= 200 && response.statusCode < 300;

  // The format's own end (terminator / error event), decided by the first one that arrives.
  let streamEnd: { kind: 'terminator' | 'error-event'; message?: string } | undefined;
  let chunkAtMs = startedAtMs;
  const onEvent = (message: EventSourceMessage): void => {
    if (abortedAtMs !== undefined) return;
    const event: ArrivedEvent = { atMs: chunkAtMs, data: message.data };
    if (message.event !== undefined) event.event = message.event;
    if (message.id !== undefined) event.id = message.id;
    connection.events.push(event);
    const meaning = interpretEvent(opts.format, event);
    if (meaning.text !== '') progress.tokenEvents++;
    progress.text += meaning.text;
    progress.toolCallSeen ||= meaning.toolCall;
    if (!streamEnd && meaning.error !== undefined) streamEnd = { kind: 'error-event', message: meaning.error };
    else if (!streamEnd && meaning.terminator) streamEnd = { kind: 'terminator' };
    opts.onEvent?.(event, progress);
    if (opts.abortWhen?.(progress)) abort();
  };
  const parser = createParser({
    onEvent,
    onComment: (text) => {
      if (abortedAtMs === undefined) connection.comments.push({ atMs: chunkAtMs, text });
    },
  });

  const decoder = new TextDecoder();
  let errorBody = '';
  let bodyError: unknown;
  // A gzip body is decoded as its bytes arrive: each sync-flushed block yields its events at once
  // (a truncated stream ends without error, judged like any other by its terminator). Chunks
  // record wire bytes; events are stamped when their decoded text comes out.
  const gzip = connection.headers['content-encoding']?.trim().toLowerCase() === 'gzip';
  const decoded = gzip
    ? pipeline(response.body, createGunzip({ flush: zlib.Z_SYNC_FLUSH, finishFlush: zlib.Z_SYNC_FLUSH }), () => {})
    : response.body;
  if (gzip) {
    response.body.on('data', (chunk: Buffer) => {
      if (abortedAtMs === undefined) connection.chunks.push({ atMs: now(), bytes: chunk.length });
    });
  }
  decoded.on('data', (chunk: Buffer) => {
    if (abortedAtMs !== undefined) return;
    chunkAtMs = now();
    if (!gzip) connection.chunks.push({ atMs: chunkAtMs, bytes: chunk.length });
    const text = decoder.decode(chunk, { stream: true });
    if (ok) parser.feed(text);
    else errorBody += text;
  });
  try {
    await finished(decoded);
  } catch (error) {
    bodyError = error;
  }
  const endedAtMs = now();

  if (abortedAtMs !== undefined) return finish('aborted', abortedAtMs);
  if (!ok) return finish('http-error', endedAtMs, errorBody.trim().slice(0, 500));
  // A complete stream stays complete even if the socket breaks after its end.
  if (streamEnd) return finish(streamEnd.kind, endedAtMs, streamEnd.message);
  if (bodyError !== undefined) return finish('reset', endedAtMs, describeError(bodyError));
  return finish('eof-without-terminator', endedAtMs);
}

function endpointUrl(url: string, format: StreamFormat): string {
  const parsed = new URL(url);
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = ENDPOINT_PATHS[format];
  return parsed.toString();
}

function sentHeaders(headers: Record<string, string> | undefined): RecordedConnection['sent'] {
  const sent: RecordedConnection['sent'] = {};
  const lastEventId = headerValue(headers, 'last-event-id');
  const idempotencyKey = headerValue(headers, 'idempotency-key');
  if (lastEventId !== undefined) sent.lastEventId = lastEventId;
  if (idempotencyKey !== undefined) sent.idempotencyKey = idempotencyKey;
  return sent;
}
