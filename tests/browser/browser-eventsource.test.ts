/**
 * The browser's own EventSource (headless Chromium, playwright-core) behind the scenario client
 * interface, against the mock LLM directly (no proxy): the page loads from the mock LLM and
 * completes at [DONE] on one recorded connection; after a reset it reconnects on its own with
 * Last-Event-ID (a resumable origin bills once, a stateless one again); a clean close without
 * [DONE] is a drop too; a non-200 fails it for good; the harness's bound ends it. Skipped, with
 * the reason, where Debian's Chromium is absent.
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { expect, test, vi } from 'vitest';
import { CHROMIUM_PATH } from '../../harness/host/chromium.ts';
import { loadClient } from '../../harness/clients/real/registry.ts';
import { afterTokenEvents } from '../../harness/clients/sse-connection.ts';
import { isStreamproofError } from '../../harness/errors.ts';
import { MockLlm } from '../../harness/mock-llm/index.ts';
import { body, closeAfterTest, fullText, llm, origin, script } from '../shared/eventsource-origins.ts';

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) {
  process.stderr.write(`streamproof: skipping the browser-eventsource tests: no Chromium at ${CHROMIUM_PATH} (apt-get install -y --no-install-recommends chromium, as .ci/run does)\n`);
}
const withChromium = test.skipIf(!hasChromium);


/** An origin whose stream endpoint is `stream`; the page comes from a mock LLM, as through a proxy. */
async function pageAndStream(stream: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const pages = await llm('stateless');
  return origin(async (req, res) => {
    if (req.url!.startsWith('/v1/')) return stream(req, res);
    const page = await fetch(`${pages.url()}${req.url}`);
    res.writeHead(page.status, { 'content-type': page.headers.get('content-type') ?? '' });
    res.end(await page.text());
  });
}

/** A front that passes the page and the stream through, and ends the first stream after `cutAfter` bytes of body. */
async function cuttingFront(target: MockLlm, cutAfter: number, how: 'reset' | 'clean end'): Promise<string> {
  let streams = 0;
  return origin(async (req, res) => {
    const first = req.url!.startsWith('/v1/') && ++streams === 1;
    const upstream = await fetch(`${target.url()}${req.url}`, { headers: req.headers as Record<string, string> });
    const headers: Record<string, string> = {};
    for (const [name, value] of upstream.headers) if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') headers[name] = value;
    res.writeHead(upstream.status, headers);
    let seen = 0;
    for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) {
      res.write(chunk);
      seen += chunk.byteLength;
      if (first && seen >= cutAfter) return how === 'reset' ? res.socket!.resetAndDestroy() : res.end();
    }
    res.end();
  });
}

test('definition: Chromium version, real defaults with the harness bound', async () => {
  const client = (await loadClient('browser-eventsource')).create({});
  expect(client.version).toMatch(hasChromium ? /^\d+\.\d+\.\d+/ : /^absent$/);
  expect(client.options).toEqual({ reconnectDelayMs: 3000, maxReconnects: 2, deadlineMs: 600_000, headless: true });
});

test('no Chromium: a StreamproofError with its fix', async () => {
  vi.stubEnv('STREAMPROOF_CHROMIUM', '/nonexistent/chromium');
  vi.resetModules();
  try {
    const { browserEventSourceClient } = await import('../../harness/clients/real/browser-eventsource.ts');
    const error = await browserEventSourceClient.create({}).run({ url: 'http://127.0.0.1:9', format: 'openai', body }).catch((e: unknown) => e);
    expect(isStreamproofError(error) && error.code).toBe('STREAMPROOF_CHROMIUM_UNAVAILABLE');
    expect((error as Error).message).toMatch(/To fix: apt-get install -y chromium/);
  } finally {
    vi.unstubAllEnvs();
    vi.resetModules();
  }
});

withChromium.each(['stateless', 'resumable'] as const)('%s origin: completes at [DONE] on one recorded connection, billed once', async (mode) => {
  const server = await llm(mode);
  const run = await (await loadClient('browser-eventsource')).create({}).run({ url: server.url(), format: 'openai', body });
  expect(run).toMatchObject({ client: 'browser-eventsource', outcome: 'completed', text: fullText });
  expect(run.clientVersion).toMatch(/^\d+\.\d+\.\d+/);
  expect(run.connections).toHaveLength(1);
  const [connection] = run.connections;
  expect(connection!.end.kind).toBe('terminator');
  expect(connection!.unseenByClient).toEqual(['comments', 'chunks']);
  expect(server.ledger.billedGenerations(run.logicalKey)).toBe(1);
  // Joined to what the origin served, every event arrived after it was emitted: the page's clock
  // and the harness's agree (an arrival before its emission would mean they do not).
  const served = server.ledger.served().find((request) => request.requestId === connection!.requestId);
  // The browser's request time, not Playwright's later report of it: before the origin got it.
  expect(connection!.startedAtMs).toBeLessThanOrEqual(served!.receivedAtMs + 2);
  expect(connection!.headersAtMs).toBeGreaterThanOrEqual(connection!.startedAtMs);
  const emitted = served!.emitted.filter((item) => item.kind === 'event');
  expect(connection!.events.map((event) => event.id)).toEqual(emitted.map((item) => item.id));
  connection!.events.forEach((event, i) => expect(event.atMs).toBeGreaterThanOrEqual(emitted[i]!.atMs));
});

withChromium('abortWhen closes it mid-stream: outcome aborted, and the origin sees the client go', async () => {
  const server = await MockLlm.start({ mode: 'stateless', script: { tokens: 12, tokenIntervalMs: 50 } });
  closeAfterTest(() => server.close());
  const peerGone = server.waitFor('peer-gone', () => true, 10_000);
  const run = await (await loadClient('browser-eventsource')).create({}).run({ url: server.url(), format: 'openai', body, abortWhen: afterTokenEvents(3) });
  expect(run.outcome).toBe('aborted');
  expect(run.connections).toHaveLength(1);
  expect(run.connections[0]!.end.kind).toBe('aborted');
  const gone = await peerGone;
  expect(gone.requestId).toBe(run.connections[0]!.requestId);
  expect(gone.peerGoneAtMs! - run.connections[0]!.end.atMs).toBeLessThan(2_000);
});

withChromium('a reset mid-stream: it reconnects 3 s later with Last-Event-ID; resumable bills once, stateless again', { timeout: 30_000 }, async () => {
  for (const mode of ['resumable', 'stateless'] as const) {
    const server = await llm(mode);
    const url = await cuttingFront(server, 1200, 'reset');
    const run = await (await loadClient('browser-eventsource')).create({}).run({ url, format: 'openai', body });
    expect(run.outcome).toBe('completed');
    expect(run.connections).toHaveLength(2);
    const [cut, again] = run.connections as [typeof run.connections[0], typeof run.connections[0]];
    expect(cut.end).toMatchObject({ kind: 'reset', message: 'net::ERR_CONNECTION_RESET' });
    expect(again.sent.lastEventId).toBe(cut.events.at(-1)!.id);
    const delayMs = again.startedAtMs - cut.end.atMs;
    expect(delayMs).toBeGreaterThan(2_500);
    expect(delayMs).toBeLessThan(4_500);
    expect(server.ledger.billedGenerations(run.logicalKey)).toBe(mode === 'resumable' ? 1 : 2);
    if (mode === 'resumable') expect(run.text).toBe(fullText);
    else expect(run.text.endsWith(fullText) && run.text.length > fullText.length).toBe(true);
  }
});

withChromium('a clean end without [DONE] is a drop too: eof-without-terminator, then a reconnect', { timeout: 30_000 }, async () => {
  const server = await llm('resumable');
  const url = await cuttingFront(server, 1200, 'clean end');
  const run = await (await loadClient('browser-eventsource')).create({}).run({ url, format: 'openai', body });
  expect(run.outcome).toBe('completed');
  expect(run.connections.map((c) => c.end.kind)).toEqual(['eof-without-terminator', 'terminator']);
  expect(server.ledger.billedGenerations(run.logicalKey)).toBe(1);
});

/** A raw origin: the page from a mock LLM (HTTP/1.1, closed), the stream endpoint answered by `stream` on the socket. */
async function rawOrigin(stream: (socket: Socket, n: number) => void): Promise<{ url: string; server: NetServer }> {
  const pages = await llm('stateless');
  let streams = 0;
  const server = createNetServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', async (head) => {
      const path = head.toString().split(' ')[1]!;
      if (path.startsWith('/v1/')) return stream(socket, ++streams);
      const page = await (await fetch(`${pages.url()}${path}`)).text();
      socket.end(`HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: ${Buffer.byteLength(page)}\r\nconnection: close\r\n\r\n${page}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeAfterTest(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const chunk = (n: number) => `id: e${n}\ndata: {"choices":[{"delta":{"content":"x${n}"}}]}\n\n`;

withChromium('an HTTP/1.0 body closed cleanly without [DONE]: eof-without-terminator, a reconnect with Last-Event-ID', { timeout: 30_000 }, async () => {
  const { url } = await rawOrigin((socket, n) => {
    socket.write(`HTTP/1.0 200 OK\r\ncontent-type: text/event-stream\r\n\r\n${chunk(n)}`);
    if (n === 2) socket.write('data: [DONE]\n\n');
    setTimeout(() => socket.end(), 50);
  });
  const run = await (await loadClient('browser-eventsource')).create({}).run({ url, format: 'openai', body });
  expect(run).toMatchObject({ outcome: 'completed', text: 'x1x2' });
  expect(run.connections.map((c) => c.end.kind)).toEqual(['eof-without-terminator', 'terminator']);
  expect(run.connections[1]!.sent.lastEventId).toBe('e1');
});

withChromium('it never stops by itself: reconnects while the origin refuses connections, until the harness bound', async () => {
  const { url, server } = await rawOrigin((socket, n) => {
    socket.end(`HTTP/1.0 200 OK\r\ncontent-type: text/event-stream\r\n\r\nretry: 50\n${chunk(n)}`);
    server.close(); // gone after the first stream: every reconnect is refused
  });
  const run = await (await loadClient('browser-eventsource')).create({ maxReconnects: 5 }).run({ url, format: 'openai', body });
  expect(run.outcome).toBe('threw');
  expect(run.error).toMatch(/gave up after 5 reconnects/);
  expect(run.connections).toHaveLength(6);
  // Every reconnect got no response head; Chromium names the refusal (once, on the busy machine, one
  // attempt ended with another net error; net::ERR_NETWORK_CHANGED was seen in an ad-hoc run).
  expect(run.connections.slice(1, 5).map((c) => c.end.kind)).toEqual(Array(4).fill('connect-error'));
  expect(run.connections.slice(1, 5).map((c) => c.end.message)).toContain('net::ERR_CONNECTION_REFUSED');
});

withChromium("a stream that always ends without [DONE]: the server's retry: is honoured; gives up at the harness bound", async () => {
  const url = await pageAndStream((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(`retry: 50\nid: e${req.headers['last-event-id'] ?? ''}1\ndata: {"choices":[{"delta":{"content":"x"}}]}\n\n`);
  });
  const run = await (await loadClient('browser-eventsource')).create({ maxReconnects: 2 }).run({ url, format: 'openai', body });
  expect(run.outcome).toBe('threw');
  expect(run.error).toMatch(/gave up after 2 reconnects/);
  expect(run.connections.map((c) => c.sent.lastEventId)).toEqual([undefined, 'e1', 'ee11']);
  // The one that hit the bound is recorded as it ended on the wire, not as closed by the harness.
  expect(run.connections.map((c) => c.end.kind)).toEqual(Array(3).fill('eof-without-terminator'));
  // Reconnects 50 ms apart (the server's retry:), not 3 s.
  expect(run.connections[2]!.startedAtMs - run.connections[0]!.startedAtMs).toBeLessThan(2_000);
});

withChromium('a non-200 fails it for good: threw, readyState CLOSED, no reconnect', async () => {
  const url = await pageAndStream((_req, res) => {
    res.writeHead(504, { 'content-type': 'text/html' });
    res.end('<html><body>504 Gateway Time-out</body></html>');
  });
  const run = await (await loadClient('browser-eventsource')).create({}).run({ url, format: 'openai', body });
  expect(run.outcome).toBe('threw');
  expect(run.error).toMatch(/EventSource failed the connection \(HTTP 504\): readyState CLOSED/);
  expect(run.connections).toHaveLength(1);
  expect(run.connections[0]!).toMatchObject({ status: 504, end: { kind: 'http-error' } });
});
