/**
 * `browser-eventsource`: the browser's own EventSource, in Debian's headless Chromium driven by
 * playwright-core (the system executable, no browser download). Chromium loads the mock LLM's page
 * (EVENTSOURCE_PAGE_PATH) through the path under test, and the page opens `new EventSource()` on
 * EVENTSOURCE_PATH, same origin: page and stream cross the same proxies. Real defaults: after a
 * drop Chromium reconnects on its own (3 s, or the server's `retry:`) sending `Last-Event-ID`, and
 * gives up only on a non-200 or a non-SSE content type (readyState CLOSED). The page closes the
 * source at `[DONE]`, as an app would; the harness bounds the run like `eventsource` does
 * (`maxReconnects`, `deadlineMs`), since the browser has no bound of its own.
 *
 * What is recorded, and from where:
 * - connections: Playwright's network events for the `eventsource` requests (start, status,
 *   headers incl. x-request-id, the Last-Event-ID sent, and how it ended: `requestfailed` with
 *   Chromium's net error, e.g. net::ERR_CONNECTION_RESET → reset; `requestfinished` without
 *   `[DONE]` → eof-without-terminator; non-200 → http-error);
 * - events: what the page's `message` handler got, reported at once through a binding. Arrival
 *   time: the page's own `performance.timeOrigin + performance.now()` at the handler (the same
 *   clock definition as harness/clock.ts, on the same host), capped at the Node-side time the
 *   binding call arrived. Not the Node-side time alone: the hop page → Node took 4-67 ms on 2 busy
 *   cores (measured), which the buffering check would blame on the proxies. The cap keeps an
 *   arrival from ever preceding its report, should the page's clock run ahead.
 * - NOT visible to a page: SSE comments (heartbeats), raw reads and their byte counts, and
 *   `event:`-named events (onmessage gets unnamed ones only; the OpenAI format has none). So
 *   `comments` and `chunks` stay empty: the heartbeat check's gap and heartbeat count are not
 *   measurable with this client (harness/checks/heartbeat.ts reads `unseenByClient`).
 * - outcome: completed at `[DONE]`; threw (EventSourceRunError) on readyState CLOSED, an error
 *   chunk, or the harness's bound; aborted when `abortWhen` fires. Never returned-partial: an
 *   EventSource does not end at a clean close, it reconnects.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Request } from 'playwright-core';
import { now } from '../../clock.ts';
import { StreamproofError } from '../../errors.ts';
import { CHROMIUM_PATH } from '../../host/chromium.ts';
import { EVENTSOURCE_PAGE_BINDING, EVENTSOURCE_PAGE_PATH, EVENTSOURCE_PATH } from '../../mock-llm/server.ts';
import type { ArrivedEvent, ClientRun, ConnectionEndKind, RecordedConnection } from '../../model.ts';
import { interpretEvent, logicalKeyFor, type StreamProgress } from '../sse-connection.ts';
import { EventSourceRunError, eventSourceUrl } from './eventsource.ts';
import { describeThrown } from './recording-fetch.ts';
import type { ClientDefinition, ClientRequest } from './types.ts';

/** Chromium's reconnection time (its default; measured 3.0 s between the drop and the new request). */
const RECONNECT_DELAY_MS = 3_000;
/** A run that never sees `[DONE]` ends here: 10 min, like `eventsource`. */
const DEADLINE_MS = 600_000;
/** EventSource.readyState CLOSED: the browser gave up and will not reconnect. */
const CLOSED = 2;

/** What the page reports (harness/mock-llm/server.ts, EVENTSOURCE_PAGE). */
type PageReport =
  | { type: 'open'; pageAtMs: number }
  | { type: 'message'; data: string; lastEventId: string; pageAtMs: number }
  | { type: 'error'; readyState: number; pageAtMs: number };

let launched: Promise<Browser> | undefined;

/** One Chromium per process, launched on first use (about 1 s on 2 busy cores) and reused. */
function sharedBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new StreamproofError(
      'STREAMPROOF_CHROMIUM_UNAVAILABLE',
      `the browser-eventsource client needs Chromium, and there is none at ${CHROMIUM_PATH}`,
      'apt-get install -y chromium (or point STREAMPROOF_CHROMIUM at a Chromium executable)',
    );
  }
  launched ??= chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] }).then(
    (browser) => {
      // Playwright kills its browsers when the process exits; this closes it cleanly when it can.
      process.once('beforeExit', () => void browser.close());
      // A browser that crashed is launched again by the next run.
      browser.once('disconnected', () => (launched = undefined));
      return browser;
    },
    (error: unknown) => {
      launched = undefined;
      throw error;
    },
  );
  return launched;
}

let chromiumVersion: string | undefined;
/** `Chromium 156.0.8078.79 built on Debian ...` → `156.0.8078.79`, without launching it. */
function installedChromiumVersion(): string {
  if (chromiumVersion !== undefined) return chromiumVersion;
  try {
    const out = execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    chromiumVersion = /(\d+(?:\.\d+)+)/.exec(out)?.[1] ?? out.trim();
  } catch {
    chromiumVersion = 'absent';
  }
  return chromiumVersion;
}

/** The page URL for a request: the stream endpoint's query, on the page path. */
export function browserEventSourcePageUrl(request: ClientRequest): string {
  return `${request.url.replace(/\/+$/, '')}${EVENTSOURCE_PAGE_PATH}${new URL(eventSourceUrl(request)).search}`;
}

export const browserEventSourceClient: ClientDefinition = {
  name: 'browser-eventsource',
  get version() {
    return installedChromiumVersion();
  },
  formats: ['openai'],
  description: `the browser's own EventSource in headless Chromium (playwright-core), page and GET ${EVENTSOURCE_PATH} through the path; closed at [DONE]`,
  create(stated) {
    const options = {
      reconnectDelayMs: RECONNECT_DELAY_MS,
      maxReconnects: stated.maxReconnects ?? 2,
      deadlineMs: stated.timeoutMs ?? DEADLINE_MS,
      headless: true,
    };
    return {
      name: 'browser-eventsource',
      get version() {
        return installedChromiumVersion();
      },
      options,
      run: (request) => runInBrowser(request, options),
    };
  },
};

async function runInBrowser(request: ClientRequest, options: { maxReconnects: number; deadlineMs: number; headless: boolean }): Promise<ClientRun> {
  const browser = await sharedBrowser();
  const context = await browser.newContext(request.headers ? { extraHTTPHeaders: request.headers } : {});
  const connections: RecordedConnection[] = [];
  const byRequest = new Map<Request, RecordedConnection>();
  const ended = new Set<RecordedConnection>();
  const pending: Promise<unknown>[] = [];
  const progressOf = new Map<RecordedConnection, StreamProgress>();
  const state = { text: '', reconnects: 0, closing: false, abortedOnPurpose: false };

  // When the page saw a connection fail (its `error` event): the end is the earlier of that and the network event.
  const pageErrorAtMs = new Map<RecordedConnection, number>();
  const endWaiters = new Map<RecordedConnection, () => void>();
  const end = (connection: RecordedConnection | undefined, kind: ConnectionEndKind, atMs: number, message?: string) => {
    if (!connection || ended.has(connection)) return;
    ended.add(connection);
    const at = Math.min(atMs, pageErrorAtMs.get(connection) ?? Infinity);
    connection.end = message === undefined ? { kind, atMs: at } : { kind, atMs: at, message };
    endWaiters.get(connection)?.();
  };

  let settle!: (error?: Error) => void;
  const finished = new Promise<Error | undefined>((resolve) => {
    settle = (error) => {
      if (state.closing) return;
      state.closing = true;
      resolve(error);
    };
  });
  const deadline = setTimeout(() => settle(new EventSourceRunError(`no [DONE] within ${options.deadlineMs} ms`)), options.deadlineMs);

  const onReport = (report: PageReport) => {
    const receivedAtMs = now();
    if (state.closing) return;
    const atMs = Math.min(report.pageAtMs, receivedAtMs);
    // The page reports on the connection the browser opened last (a reconnect starts 3 s after a drop).
    const connection = connections.at(-1);
    if (report.type === 'message') {
      const event: ArrivedEvent = { atMs, data: report.data };
      // lastEventId is this event's `id:` (the endpoint writes one on every event).
      if (report.lastEventId !== '') event.id = report.lastEventId;
      if (!connection) return; // not possible: the page reports only after its EventSource's request
      connection.events.push(event);
      const progress = progressOf.get(connection)!;
      const meaning = interpretEvent(request.format, event);
      if (meaning.text !== '') progress.tokenEvents++;
      progress.text += meaning.text;
      progress.toolCallSeen ||= meaning.toolCall;
      request.onEvent?.(event, progress);
      if (meaning.terminator) {
        end(connection, 'terminator', atMs);
        return settle();
      }
      if (meaning.error !== undefined) {
        end(connection, 'error-event', atMs, meaning.error);
        return settle(new EventSourceRunError(`error chunk: ${meaning.error}`));
      }
      state.text += meaning.text;
      if (request.abortWhen?.(progress)) {
        state.abortedOnPurpose = true;
        settle();
      }
    } else if (report.type === 'error') {
      if (connection && !ended.has(connection)) pageErrorAtMs.set(connection, atMs);
      else if (connection && connection.end.kind !== 'terminator') connection.end.atMs = Math.min(connection.end.atMs, atMs);
      const status = connection?.status;
      const why = status !== undefined && status !== 200 ? ` (HTTP ${status})` : '';
      if (report.readyState === CLOSED) return settle(new EventSourceRunError(`EventSource failed the connection${why}: readyState CLOSED`));
      // CONNECTING: the browser will reconnect after its delay.
      if (++state.reconnects > options.maxReconnects) {
        settle(new EventSourceRunError(`gave up after ${options.maxReconnects} reconnects (harness bound)`));
      }
    }
  };

  try {
    await context.exposeBinding(EVENTSOURCE_PAGE_BINDING, (_source, report: PageReport) => onReport(report));
    const page = await context.newPage();
    page.on('request', (req) => {
      if (req.resourceType() !== 'eventsource' || state.closing) return;
      const startedAtMs = now();
      const connection: RecordedConnection = { startedAtMs, sent: {}, events: [], comments: [], chunks: [], end: { kind: 'connect-error', atMs: startedAtMs } };
      connection.unseenByClient = ['comments', 'chunks'];
      connections.push(connection);
      progressOf.set(connection, { events: connection.events, tokenEvents: 0, toolCallSeen: false, text: '' });
      byRequest.set(req, connection);
      pending.push(
        req.allHeaders().then(
          (headers) => {
            if (headers['last-event-id'] !== undefined) connection.sent.lastEventId = headers['last-event-id'];
          },
          () => {},
        ),
      );
    });
    page.on('response', (response) => {
      const connection = byRequest.get(response.request());
      if (!connection) return;
      connection.headersAtMs = now();
      // Playwright's events reach Node late when the machine is busy (the request event came 300 ms
      // after the origin had the request, measured): Chromium's own times (its wall clock, epoch ms)
      // are used where earlier.
      const timing = response.request().timing();
      if (timing.startTime > 0) {
        connection.startedAtMs = Math.min(connection.startedAtMs, timing.startTime);
        if (timing.responseStart >= 0) connection.headersAtMs = Math.min(connection.headersAtMs, timing.startTime + timing.responseStart);
      }
      connection.status = response.status();
      connection.headers = response.headers();
      const requestId = connection.headers['x-request-id'];
      if (requestId !== undefined) connection.requestId = requestId;
      if (response.status() !== 200) end(connection, 'http-error', connection.headersAtMs, `HTTP ${response.status()}`);
    });
    page.on('requestfailed', (req) => {
      const connection = byRequest.get(req);
      if (!connection || (state.closing && !pageErrorAtMs.has(connection))) return;
      const message = req.failure()?.errorText ?? 'failed';
      end(connection, connection.headersAtMs === undefined ? 'connect-error' : 'reset', now(), message);
    });
    page.on('requestfinished', (req) => {
      const connection = byRequest.get(req);
      if (connection && (!state.closing || pageErrorAtMs.has(connection))) end(connection, 'eof-without-terminator', now());
    });

    const loaded = await page.goto(browserEventSourcePageUrl(request), { waitUntil: 'commit' }).catch((error: unknown) => error as Error);
    if (loaded instanceof Error) settle(new EventSourceRunError(`the page did not load through the path: ${loaded.message.split('\n')[0]}`));
    else if (loaded && !loaded.ok()) settle(new EventSourceRunError(`the page did not load through the path: HTTP ${loaded.status()}`));

    const error = await finished;
    clearTimeout(deadline);
    // A connection the page saw fail (the one that hit the harness's bound) gets its network end, bounded.
    const failing = [...pageErrorAtMs.keys()].filter((connection) => !ended.has(connection));
    const failingEnded = Promise.all(failing.map((connection) => new Promise<void>((resolve) => endWaiters.set(connection, resolve))));
    await Promise.race([failingEnded, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    // What was still open is closed by the harness now (bound, deadline, abort).
    const closedAtMs = now();
    for (const connection of connections) end(connection, 'aborted', closedAtMs);
    await Promise.all(pending);

    const base = {
      client: 'browser-eventsource',
      clientVersion: browser.version(),
      clientOptions: options,
      logicalKey: logicalKeyFor(request.body),
      connections,
    };
    const partial = connections.map((c) => c.events.map((e) => interpretEvent(request.format, e).text).join('')).join('');
    if (state.abortedOnPurpose) return { ...base, text: partial, outcome: 'aborted' };
    if (error) return { ...base, text: partial, outcome: 'threw', error: describeThrown(error) };
    return { ...base, text: state.text, outcome: 'completed' };
  } finally {
    clearTimeout(deadline);
    await context.close();
  }
}
