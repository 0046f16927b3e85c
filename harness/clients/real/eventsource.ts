/**
 * `eventsource` (npm): the WHATWG EventSource for Node, against the mock LLM's EventSource-style
 * endpoint (`GET /v1/chat/completions/stream?model=&messages=`, harness/mock-llm/server.ts), with
 * its real defaults: after a drop it reconnects on its own (3 s, or the server's `retry:`),
 * sending `Last-Event-ID`, and it never gives up unless the server answers a non-200, a non-SSE
 * content type or a 204. Its `fetch` option gets the recording fetch, so every connection it
 * makes is recorded.
 *
 * The caller's part, as an app would write it: append each chunk's content, and `close()` at
 * `[DONE]` (else the package reconnects after the normal end of the body too). Outcome: completed
 * at `[DONE]`; threw on an error event the package gives up on (readyState CLOSED), on an error
 * chunk, or when the harness's bound is reached. The package has no bound of its own, so the run
 * has one (in its options): `maxReconnects` reconnects (the scenario's, default 2) and `deadlineMs`.
 */
import { EventSource, type FetchLike } from 'eventsource';
import { EVENTSOURCE_PATH } from '../../mock-llm/server.ts';
import { interpretEvent } from '../sse-connection.ts';
import { createFetchRecorder, packageVersion, sdkClientRun } from './recording-fetch.ts';
import type { ClientDefinition, ClientRequest } from './types.ts';

export const EVENTSOURCE_VERSION = packageVersion('eventsource');

/** The package's reconnection time (its default; a server's `retry:` field would change it). */
const RECONNECT_DELAY_MS = 3_000;
/** A run that never sees `[DONE]` ends here: 10 min, like the SDKs' default timeout. */
const DEADLINE_MS = 600_000;

/** Thrown by the run when the package itself failed the connection, or the harness's bound hit. */
export class EventSourceRunError extends Error {
  override name = 'EventSourceRunError';
}

/** The endpoint URL for a request: the body's model and messages in the query. */
export function eventSourceUrl(request: ClientRequest): string {
  const query = new URLSearchParams({ model: String(request.body.model ?? ''), messages: JSON.stringify(request.body.messages ?? []) });
  const streamOptions = request.body.stream_options as { include_usage?: unknown } | undefined;
  if (streamOptions?.include_usage === true) query.set('include_usage', 'true');
  return `${request.url.replace(/\/+$/, '')}${EVENTSOURCE_PATH}?${query}`;
}

export const eventsourceClient: ClientDefinition = {
  name: 'eventsource',
  version: EVENTSOURCE_VERSION,
  formats: ['openai'],
  description: `eventsource (npm) on GET ${EVENTSOURCE_PATH}: reconnects on its own with Last-Event-ID; closed at [DONE]`,
  create(stated) {
    const options = {
      reconnectDelayMs: RECONNECT_DELAY_MS,
      maxReconnects: stated.maxReconnects ?? 2,
      deadlineMs: stated.timeoutMs ?? DEADLINE_MS,
    };
    const client = { name: 'eventsource', version: EVENTSOURCE_VERSION, options };
    return {
      ...client,
      run: (request) => {
        const recorder = createFetchRecorder(request);
        const fetch: FetchLike = (url, init) =>
          recorder.fetch(url, { ...init, headers: { ...init.headers, ...request.headers } } as RequestInit);
        return sdkClientRun(recorder, client, request, (signal) => driveEventSource(eventSourceUrl(request), fetch, request, options, signal));
      },
    };
  },
};

function driveEventSource(
  url: string,
  fetch: FetchLike,
  request: ClientRequest,
  options: { maxReconnects: number; deadlineMs: number },
  signal: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const es = new EventSource(url, { fetch });
    let text = '';
    let reconnects = 0;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      signal.removeEventListener('abort', onAbort);
      // Closed on the next turn: the recorder's branch of the body reads the chunk that carried
      // [DONE] first, so a close right away would cut its record of the terminator.
      setImmediate(() => es.close());
      if (error) reject(error);
      else resolve(text);
    };
    const onAbort = () => finish(new EventSourceRunError('aborted by the caller'));
    signal.addEventListener('abort', onAbort, { once: true });
    const deadline = setTimeout(() => finish(new EventSourceRunError(`no [DONE] within ${options.deadlineMs} ms`)), options.deadlineMs);

    es.addEventListener('message', (message) => {
      if (done) return;
      const meaning = interpretEvent(request.format, { data: message.data });
      if (meaning.terminator) return finish();
      if (meaning.error !== undefined) return finish(new EventSourceRunError(`error chunk: ${meaning.error}`));
      text += meaning.text;
    });
    es.addEventListener('error', (event) => {
      if (done) return;
      const why = `${event.message ?? 'error'}${event.code === undefined ? '' : ` (HTTP ${event.code})`}`;
      if (es.readyState === EventSource.CLOSED) return finish(new EventSourceRunError(`EventSource failed the connection: ${why}`));
      // CONNECTING: the package will reconnect after its delay.
      if (++reconnects > options.maxReconnects) {
        finish(new EventSourceRunError(`gave up after ${options.maxReconnects} reconnects (harness bound): ${why}`));
      }
    });
  });
}
