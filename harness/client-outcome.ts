/**
 * The client matrix (client × path × fault): how one logical request ended as its caller saw it,
 * and, for a cell that went wrong, what to do. Checks judge one property each; this reads the
 * same evidence as a whole, the way a team choosing a client reads it:
 *
 * - `ok`: the whole answer, once, billed once;
 * - `threw`: the caller got an error (visible: it can retry or tell the user);
 * - `silent truncation`: the caller got partial text as if it were whole;
 * - `duplicated tokens`: the caller's text holds words twice (a re-sent request started over);
 * - `aborted`: the caller aborted on purpose.
 *
 * The advice rules are data: the first rule whose `when` holds gives the cell's "what to do".
 */
import type { CheckName, ClientRun, Generation, Verdict } from './model.ts';
import { repeatedContentTokens } from './mock-llm/script.ts';

export const CLIENT_OUTCOMES = ['ok', 'threw', 'silent truncation', 'duplicated tokens', 'aborted'] as const;
export type ClientOutcomeKind = (typeof CLIENT_OUTCOMES)[number];

/** What the scenario set up around the client, as far as the advice needs it (scenario seconds, unscaled). */
export interface ClientRunContext {
  format: 'openai' | 'anthropic';
  /** `resumable`: the origin honours Last-Event-ID; `stateless`: every request is a new generation. */
  llmMode: 'stateless' | 'resumable';
  heartbeatSeconds?: number;
  heartbeatFormat?: 'comment' | 'anthropic-ping';
  toolPauseSeconds?: number;
  /** The shortest idle timeout a box of the path is known to have. */
  idleTimeoutSeconds?: number;
  /** The toxics the scenario put on the path (`reset_peer`, `limit_data`, ...). */
  faults: string[];
}

/** One logical request as its caller saw it: the facts the matrix and its advice are made of. */
export interface ClientRunSummary {
  outcome: ClientOutcomeKind;
  /** The client's own ending: completed, threw, returned-partial, aborted. */
  runOutcome: ClientRun['outcome'];
  /** The error the caller got (class and message), when it threw. */
  error?: string;
  connections: number;
  /** Each connection's response status; null where no response head arrived. */
  statuses: Array<number | null>;
  /** How each connection ended (model.ts ConnectionEndKind). */
  ends: string[];
  billedGenerations: number;
  /** Content tokens the caller's text holds twice. */
  repeatedTokens: number;
  context: ClientRunContext;
}

export function summarizeClientRun(run: ClientRun, generations: Generation[], context: ClientRunContext): ClientRunSummary {
  const repeatedTokens = repeatedContentTokens(run.text);
  const outcome: ClientOutcomeKind =
    run.outcome === 'aborted' ? 'aborted'
    : run.outcome === 'returned-partial' ? 'silent truncation'
    : repeatedTokens > 0 ? 'duplicated tokens'
    : run.outcome === 'threw' ? 'threw'
    : 'ok';
  return {
    outcome,
    runOutcome: run.outcome,
    ...(run.error !== undefined ? { error: run.error } : {}),
    connections: run.connections.length,
    statuses: run.connections.map((connection) => connection.status ?? null),
    ends: run.connections.map((connection) => connection.end.kind),
    billedGenerations: generations.length,
    repeatedTokens,
    context,
  };
}

/** A cell of the matrix: the summary with the facts the advice reads beside it. */
export interface ClientCell extends ClientRunSummary {
  client: string;
  /** Checks of this point that failed (whatever the scenario expected: the matrix is about the client). */
  failedChecks: CheckName[];
}

/** A cell is failing when the caller did not get the whole answer once, billed once. */
export function isFailingCell(cell: ClientCell): boolean {
  return !(cell.outcome === 'ok' || cell.outcome === 'aborted') || cell.billedGenerations > 1 || cell.failedChecks.length > 0;
}

const EVENTSOURCE_CLIENTS = /eventsource/;
const SDK_CLIENTS = /^(openai|anthropic)/;

interface AdviceRule {
  /** What the rule recognises, for people reading this table. */
  recognises: string;
  when(cell: ClientCell): boolean;
  advice(cell: ClientCell): string;
}

const terminatorOf = (cell: ClientCell) =>
  cell.context.format === 'openai' ? '`data: [DONE]` (and a finish_reason)' : '`message_stop`';
const retriedStatuses = (cell: ClientCell) => [...new Set(cell.statuses.filter((s): s is number => s !== null && s >= 400))];

/** First match wins: the most specific cause first. */
export const ADVICE_RULES: readonly AdviceRule[] = [
  {
    recognises: 'an OpenAI-format stream with `event: ping` heartbeats broke an OpenAI client',
    when: (c) => c.context.format === 'openai' && c.context.heartbeatFormat === 'anthropic-ping' && /^openai/.test(c.client) && c.outcome !== 'ok',
    advice: () => 'Use SSE comment heartbeats (`: keep-alive`), not `event: ping`, in OpenAI-format streams: the OpenAI SDK hands every event\'s data to the caller as a chunk.',
  },
  {
    recognises: 'partial text returned as whole',
    when: (c) => c.outcome === 'silent truncation',
    advice: (c) =>
      `${c.client} returned the partial answer without an error when the body ended cleanly without ${terminatorOf(c)}: ` +
      `check for ${terminatorOf(c)} before using the answer${SDK_CLIENTS.test(c.client) ? ' (or use the SDK\'s stream helper, which throws)' : ''}, ` +
      'and make the proxy pass a cut on as an error, not a clean end (nginx: `proxy_http_version 1.1` so the upstream body is chunked).',
  },
  {
    recognises: 'an EventSource reconnecting to a server that ignores Last-Event-ID',
    when: (c) => EVENTSOURCE_CLIENTS.test(c.client) && c.context.llmMode === 'stateless' && (c.billedGenerations > 1 || c.outcome === 'duplicated tokens'),
    advice: (c) =>
      'Honour Last-Event-ID on the server (replay the events after it, let the generation run on), or every EventSource reconnect bills again' +
      `${c.outcome === 'duplicated tokens' ? ' and the answer starts over in front of the user' : ''}.`,
  },
  {
    recognises: 'an SDK re-sent the prompt after a status or a timeout',
    when: (c) => SDK_CLIENTS.test(c.client) && c.billedGenerations > 1,
    advice: (c) => {
      const statuses = retriedStatuses(c);
      const why = statuses.length ? `after HTTP ${statuses.join('/')} from the path` : 'after a timeout';
      return (
        `The SDK retried ${why} and each attempt started a new generation: ` +
        'send an Idempotency-Key the origin deduplicates, or set `maxRetries: 0` for generation requests and retry in the app where you can tell what was billed.'
      );
    },
  },
  {
    recognises: 'a client that re-POSTs after a cut',
    when: (c) => c.billedGenerations > 1,
    advice: (c) =>
      `${c.client} re-sent the prompt after the cut and each re-send was a new generation${c.outcome === 'duplicated tokens' ? ', its text appended again' : ''}: resume instead (event ids, Last-Event-ID and an Idempotency-Key the origin honours).`,
  },
  {
    recognises: 'the client\'s own HTTP stack timed out a silent body (undici, inside Node\'s fetch)',
    when: (c) => c.outcome === 'threw' && /BodyTimeoutError|HeadersTimeoutError/.test(c.error ?? ''),
    advice: () =>
      'The client\'s own HTTP stack cut the silence, not a proxy: Node\'s fetch (undici) gives up on a body silent for 300 s, whatever the proxies allow. ' +
      'Send SSE comment heartbeats through long tool calls, or give the SDK a dispatcher with longer timeouts (`fetchOptions: { dispatcher: new Agent({ bodyTimeout, headersTimeout }) }`).',
  },
  {
    recognises: 'a silent tool pause cut at the path\'s idle timeout',
    when: (c) =>
      c.context.heartbeatSeconds === undefined && c.context.toolPauseSeconds !== undefined && c.context.idleTimeoutSeconds !== undefined &&
      c.context.idleTimeoutSeconds < c.context.toolPauseSeconds && c.context.faults.length === 0,
    advice: (c) =>
      `The path's ${c.context.idleTimeoutSeconds} s idle timeout ended the ${c.context.toolPauseSeconds} s silent tool pause: send SSE comment heartbeats more often than every ${c.context.idleTimeoutSeconds} s, or raise the proxy's idle timeout above the longest tool call.`,
  },
  {
    recognises: 'a status from the path before any byte',
    when: (c) => c.outcome === 'threw' && retriedStatuses(c).length > 0,
    advice: (c) =>
      `The path answered HTTP ${retriedStatuses(c).join('/')} before any byte of the stream; the caller saw the error${c.connections > 1 ? ` after ${c.connections} attempts` : ''}. Fix the proxy's limits or the upstream, and retry only what was not billed.`,
  },
  {
    recognises: 'a visible cut',
    when: (c) => c.outcome === 'threw',
    advice: () =>
      'The caller saw the cut as an error, so nothing was lost silently; to finish the answer without paying again, resume (event ids, Last-Event-ID, an Idempotency-Key the origin honours).',
  },
  {
    recognises: 'a check failed on an answer that arrived whole',
    when: (c) => c.failedChecks.length > 0,
    advice: (c) => `The answer arrived, but ${c.failedChecks.join(', ')} failed: see those checks' lines for the cause.`,
  },
];

export function adviceFor(cell: ClientCell): string | undefined {
  if (!isFailingCell(cell)) return undefined;
  return ADVICE_RULES.find((rule) => rule.when(cell))?.advice(cell);
}

/** The situation a client faced, as the matrix's column: a scenario named `<client>: <situation>` gives `<situation>`. */
export function faultOf(scenario: string, client: string): string {
  return scenario.startsWith(`${client}: `) ? scenario.slice(client.length + 2) : scenario;
}

/** The failing checks of a point from its verdicts. */
export function failedChecksOf(checks: Array<{ check: CheckName; verdict: Verdict }>): CheckName[] {
  return checks.filter((c) => c.verdict === 'fail').map((c) => c.check);
}
