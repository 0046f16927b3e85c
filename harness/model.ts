/**
 * The data model shared by the mock LLM (what was emitted and billed), the clients (what arrived)
 * and the checks (verdicts). Plain data, JSON-serialisable: it is what results.json is made of.
 */
import type { ClockMs } from './clock.ts';

// ─── What the mock LLM emitted ────────────────────────────────────────────────────────────────

/** One write of the mock LLM on one HTTP response, in emission order. */
export interface EmittedItem {
  /** `event`: an SSE event (data lines, maybe `event:`/`id:`); `heartbeat`: an SSE comment line. */
  kind: 'event' | 'heartbeat';
  /** Index of the event within its generation (0-based; heartbeats carry the index of the next event). */
  seq: number;
  /** SSE `event:` field, when the format uses one (Anthropic), else undefined. */
  event?: string;
  /** SSE `id:` field, when the server mode writes ids (resumable). */
  id?: string;
  /** True when this event carries generated completion tokens (content or tool-call argument deltas). */
  carriesToken: boolean;
  /** When the bytes were handed to the socket. */
  atMs: ClockMs;
  bytes: number;
}

/** One HTTP request served by the mock LLM (a connection attempt, seen from the origin). */
export interface ServedRequest {
  /** Unique per HTTP request; sent back as the `x-request-id` response header. */
  requestId: string;
  /** The generation this request started (`start`) or attached to (`resume`). */
  generationId: string;
  role: 'start' | 'resume';
  /** `Last-Event-ID` the request carried, if any. */
  lastEventId?: string;
  /** HTTP version of the request as the origin saw it ('1.0' from nginx's default proxy_http_version). */
  httpVersion: string;
  /** How the origin framed the body: chunked (HTTP/1.1) or close-delimited (HTTP/1.0). */
  framing: 'chunked' | 'close';
  receivedAtMs: ClockMs;
  /** When the origin noticed the peer (the proxy, or the client) had gone before the response ended. */
  peerGoneAtMs?: ClockMs;
  /** When the response ended from the origin's side (complete, or cut). */
  endedAtMs?: ClockMs;
  /** Everything written on this response, in order. */
  emitted: EmittedItem[];
}

/** One billed generation: the model ran once for a prompt. */
export interface Generation {
  generationId: string;
  /** `Idempotency-Key` header when sent, else a fingerprint of the prompt (model + messages). */
  logicalKey: string;
  format: 'openai' | 'anthropic';
  promptTokens: number;
  /** Completion tokens generated so far (billed). */
  completionTokens: number;
  /** Completion tokens generated while no reader was attached (resumable mode: the generation runs on after a cut; stateless mode stops at once). */
  wastedTokens: number;
  startedAtMs: ClockMs;
  endedAtMs?: ClockMs;
  state: 'running' | 'completed' | 'stopped' | 'failed';
  /** Requests that started or attached to this generation. */
  requestIds: string[];
}

// ─── What the client saw ──────────────────────────────────────────────────────────────────────

export interface ArrivedEvent {
  atMs: ClockMs;
  /** SSE `event:` field, if present. */
  event?: string;
  id?: string;
  data: string;
}

export interface ArrivedComment {
  atMs: ClockMs;
  text: string;
}

export interface ArrivedChunk {
  atMs: ClockMs;
  bytes: number;
}

/**
 * How one connection ended, from the client's side:
 * - `terminator`: the format's own end arrived (`data: [DONE]`, Anthropic `message_stop`);
 * - `error-event`: the server sent an error event in the stream (visible failure);
 * - `eof-without-terminator`: the body ended cleanly but the format's end never came (silent truncation unless the client reports it);
 * - `reset`: the socket failed (ECONNRESET, premature close, "terminated");
 * - `http-error`: a non-2xx status before any event;
 * - `aborted`: the client itself aborted;
 * - `connect-error`: no response head at all.
 */
export type ConnectionEndKind =
  | 'terminator'
  | 'error-event'
  | 'eof-without-terminator'
  | 'reset'
  | 'http-error'
  | 'aborted'
  | 'connect-error';

export interface RecordedConnection {
  /** `x-request-id` response header (joins to ServedRequest.requestId). */
  requestId?: string;
  startedAtMs: ClockMs;
  headersAtMs?: ClockMs;
  status?: number;
  /** Response headers, lower-cased names. */
  headers?: Record<string, string>;
  /** Headers the client sent that matter for resumption. */
  sent: { lastEventId?: string; idempotencyKey?: string };
  events: ArrivedEvent[];
  comments: ArrivedComment[];
  chunks: ArrivedChunk[];
  end: { kind: ConnectionEndKind; atMs: ClockMs; message?: string };
  /**
   * What this client cannot see on the wire, so the list is empty for that reason and not because
   * nothing came: a browser page sees neither SSE comments nor raw reads (browser-eventsource).
   */
  unseenByClient?: Array<'comments' | 'chunks'>;
}

/** One logical request as a client ran it: possibly several connections (reconnects). */
export interface ClientRun {
  /** Client name as reported, e.g. `naive`, `resumable`, `recorder`, `openai` (harness/clients/real/registry.ts). */
  client: string;
  /** The client's package version (an SDK's own package.json; streamproof's for the harness's clients). */
  clientVersion?: string;
  /** The options it ran with: what the scenario stated, the client's defaults for the rest (e.g. `maxRetries`, `timeoutMs`). */
  clientOptions?: Record<string, number | string | boolean>;
  /** The logical key the mock LLM bills under (Idempotency-Key, or the prompt fingerprint). */
  logicalKey: string;
  connections: RecordedConnection[];
  /** Assistant text (content deltas, and tool-call argument deltas) as the client assembled it. */
  text: string;
  /** How the client finished, as its caller would see it. */
  outcome: 'completed' | 'threw' | 'returned-partial' | 'aborted';
  error?: string;
}

// ─── Verdicts ─────────────────────────────────────────────────────────────────────────────────

export const CHECK_NAMES = ['heartbeat', 'buffering', 'billing', 'completion', 'abort', 'integrity'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
export type Verdict = 'pass' | 'fail';

/** Figures are numbers with the unit in the name (`delayP95Ms`, `billedGenerations`); null = not measurable. */
export type Figures = Record<string, number | null>;

export interface CheckResult {
  check: CheckName;
  verdict: Verdict;
  /** "expected X", as a phrase: `billedGenerations = 1`. */
  expected: string;
  /** "measured Y", as a phrase: `billedGenerations = 2`. */
  measured: string;
  figures: Figures;
  /** The thresholds the verdict was judged against (data, stated in reports). */
  thresholds: Record<string, number>;
  /**
   * A timing verdict's distance from flipping, as a fraction of its thresholds (marginOf in
   * checks/thresholds.ts); null when it was not measured; absent where the verdict is not a timing.
   */
  margin?: number | null;
  /** One line for people: what happened. */
  detail: string;
}

/** A check: a small strategy object. Input: the recorded evidence; output: a verdict with its figures. */
export interface Check<Input> {
  readonly name: CheckName;
  evaluate(input: Input): CheckResult;
}

// ─── What a check reads ───────────────────────────────────────────────────────────────────────

/**
 * The evidence for one logical request: both ends of the wire plus what the scenario intended.
 * Durations here are real milliseconds, already multiplied by the time scale.
 */
export interface StreamEvidence {
  /** What the client saw, connection by connection. */
  run: ClientRun;
  /** What the origin served for this logical request, in order (joins on requestId). */
  served: ServedRequest[];
  /** Generations billed under this logical request's key. */
  generations: Generation[];
  /** What the scenario set up, for checks that compare against intent. */
  intent: {
    /** Tool-call pause the mock LLM was scripted to make, in real ms. */
    toolPauseMs?: number;
    /** Heartbeat interval the mock LLM was scripted to use during silence, in real ms (absent: no heartbeats). */
    heartbeatIntervalMs?: number;
    /** How the heartbeats were written: SSE comments, or `event: ping` events (absent: no heartbeats). */
    heartbeatFormat?: 'comment' | 'anthropic-ping';
    /** The proxy idle timeout the path is known to have, in real ms, when known. */
    idleTimeoutMs?: number;
    /** When the client aborted on purpose (abort scenarios). */
    clientAbortAtMs?: number;
    /**
     * Delivery delay the scenario injected on purpose (Toxiproxy latency, bandwidth, slicer), ms per
     * event: the buffering check judges only the delay beyond it, so injected latency is not blamed on a proxy.
     */
    injectedDelayMs?: number;
  };
}
