import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { evaluateChecks } from '../../harness/checks/index.ts';
import {
  afterTokenEvents,
  logicalKeyFor,
  onToolCall,
  recordConnection,
  runNaiveClient,
  runResumableClient,
  runSingleConnectionClient,
} from '../../harness/clients/index.ts';
import { MockLlm, parseStreamScript, scriptedText, type StreamScript } from '../../harness/mock-llm/index.ts';
import type { ClientRun, StreamEvidence } from '../../harness/model.ts';

// ─── A tiny SSE origin: one route per way a stream can end ───────────────────────────────────

const openaiToken = (text: string, id?: string): string =>
  `${id ? `id: ${id}\n` : ''}data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text } }] })}\n\n`;
const anthropicEvent = (name: string, payload: object): string => `event: ${name}\ndata: ${JSON.stringify({ type: name, ...payload })}\n\n`;
const DONE = 'data: [DONE]\n\n';

const requests: { path: string; headers: IncomingMessage['headers'] }[] = [];
/** Resolves when the origin notices that the client of a `/hang` request went away. */
let hangPeerGone: Promise<void> = Promise.resolve();
let server: Server;
let origin: string;

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/openai/ok': (_req, res) => {
    res.write(': keep-alive\n\n');
    res.write(openaiToken('Hel'));
    res.write(openaiToken('lo'));
    res.end(DONE);
  },
  '/openai/tool': (_req, res) => {
    const call = (args: string) => `data: ${JSON.stringify({ choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: args } }] } }] })}\n\n`;
    res.end(call('{"city":') + call('"Oslo"}') + DONE);
  },
  '/anthropic/ok': (_req, res) => {
    res.write(anthropicEvent('message_start', { message: {} }));
    res.write(anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hi' } }));
    res.write(anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text: ' there' } }));
    res.end(anthropicEvent('message_stop', {}));
  },
  '/openai/early-eof': (_req, res) => {
    res.write(openaiToken('par'));
    res.end(openaiToken('tial'));
  },
  '/openai/reset': (_req, res) => {
    res.write(openaiToken('cut'), () => res.destroy());
  },
  '/openai/502': (_req, res) => {
    res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
  },
  '/openai/error-event': (_req, res) => {
    res.write(openaiToken('x'));
    res.end(`data: ${JSON.stringify({ error: { type: 'server_error', message: 'overloaded' } })}\n\n`);
  },
  '/anthropic/error-event': (_req, res) => {
    res.end(anthropicEvent('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }));
  },
  '/anthropic/tool-hang': (req, res) => {
    hangPeerGone = once(res, 'close').then(() => undefined);
    res.write(anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Let me check.' } }));
    res.write(anthropicEvent('content_block_start', { index: 1, content_block: { type: 'tool_use', name: 'weather' } }));
    void req;
  },
  '/openai/hang': (_req, res) => {
    hangPeerGone = once(res, 'close').then(() => undefined);
    for (const text of ['a', 'b', 'c']) res.write(openaiToken(text));
  },
  // Cut on the first attempt, complete on the next; with ids, honours Last-Event-ID (and replays one extra event).
  '/openai/flaky': (req, res) => {
    const attempt = requests.filter((r) => r.path === '/openai/flaky').length;
    const lastEventId = req.headers['last-event-id'];
    if (attempt === 1) {
      res.write(openaiToken('one ', 'g1.0') + openaiToken('two ', 'g1.1'), () => res.destroy());
    } else if (lastEventId === 'g1.1') {
      res.end(openaiToken('two ', 'g1.1') + openaiToken('three', 'g1.2') + DONE);
    } else {
      res.end(openaiToken('one ', 'g2.0') + openaiToken('two ', 'g2.1') + openaiToken('three', 'g2.2') + DONE);
    }
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, headers: req.headers });
    req.resume();
    res.setHeader('x-request-id', `req-${requests.length}`);
    res.setHeader('content-type', 'text/event-stream');
    const route = routes[path];
    if (route) route(req, res);
    else res.writeHead(404).end('no route');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

const body = { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true };

// ─── The recorder ─────────────────────────────────────────────────────────────────────────────

describe('recordConnection', () => {
  test('terminator: records events, comments, chunks, headers and text (openai)', async () => {
    const { connection, text } = await recordConnection({ url: `${origin}/openai/ok`, format: 'openai', body });
    expect(connection.end.kind).toBe('terminator');
    expect(connection.status).toBe(200);
    expect(connection.requestId).toMatch(/^req-\d+$/);
    expect(connection.headers?.['content-type']).toBe('text/event-stream');
    expect(connection.events.map((e) => e.data).at(-1)).toBe('[DONE]');
    expect(connection.comments).toEqual([{ atMs: expect.any(Number), text: 'keep-alive' }]);
    expect(text).toBe('Hello');
    // Stamps are ordered: start ≤ head ≤ first chunk ≤ every event ≤ end.
    const firstChunk = connection.chunks[0]!.atMs;
    expect(connection.headersAtMs!).toBeGreaterThanOrEqual(connection.startedAtMs);
    expect(firstChunk).toBeGreaterThanOrEqual(connection.headersAtMs!);
    for (const event of connection.events) expect(event.atMs).toBeGreaterThanOrEqual(firstChunk);
    expect(connection.end.atMs).toBeGreaterThanOrEqual(connection.events.at(-1)!.atMs);
    expect(connection.chunks.reduce((sum, c) => sum + c.bytes, 0)).toBeGreaterThan(0);
  });

  test('terminator: anthropic message_stop; text from text_delta', async () => {
    const { connection, text } = await recordConnection({ url: `${origin}/anthropic/ok`, format: 'anthropic', body });
    expect(connection.end.kind).toBe('terminator');
    expect(connection.events.map((e) => e.event)).toEqual(['message_start', 'content_block_delta', 'content_block_delta', 'message_stop']);
    expect(text).toBe('Hi there');
  });

  test('tool-call argument deltas count as text', async () => {
    const { text } = await recordConnection({ url: `${origin}/openai/tool`, format: 'openai', body });
    expect(text).toBe('{"city":"Oslo"}');
  });

  test('eof-without-terminator: clean close before [DONE]', async () => {
    const { connection, text } = await recordConnection({ url: `${origin}/openai/early-eof`, format: 'openai', body });
    expect(connection.end.kind).toBe('eof-without-terminator');
    expect(text).toBe('partial');
  });

  test('reset: the origin destroys the socket mid-body', async () => {
    const { connection, text } = await recordConnection({ url: `${origin}/openai/reset`, format: 'openai', body });
    expect(connection.end.kind).toBe('reset');
    expect(connection.end.message).toBeTruthy();
    expect(text).toBe('cut');
  });

  test('http-error: keeps status and body text', async () => {
    const { connection } = await recordConnection({ url: `${origin}/openai/502`, format: 'openai', body });
    expect(connection.end).toMatchObject({ kind: 'http-error', message: 'bad gateway' });
    expect(connection.status).toBe(502);
    expect(connection.events).toEqual([]);
  });

  test('error-event: openai top-level error, anthropic event: error', async () => {
    const openai = await recordConnection({ url: `${origin}/openai/error-event`, format: 'openai', body });
    expect(openai.connection.end).toMatchObject({ kind: 'error-event', message: 'server_error: overloaded' });
    const anthropic = await recordConnection({ url: `${origin}/anthropic/error-event`, format: 'anthropic', body });
    expect(anthropic.connection.end).toMatchObject({ kind: 'error-event', message: 'overloaded_error: Overloaded' });
  });

  test('connect-error: nothing listens', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const { connection } = await recordConnection({ url: `http://127.0.0.1:${port}`, format: 'openai', body });
    expect(connection.end.kind).toBe('connect-error');
    expect(connection.end.message).toMatch(/ECONNREFUSED/);
    expect(connection.headersAtMs).toBeUndefined();
  });

  test('aborted: abortWhen after the 2nd token event; the origin sees the peer go', async () => {
    const { connection, text } = await recordConnection({
      url: `${origin}/openai/hang`,
      format: 'openai',
      body,
      abortWhen: afterTokenEvents(2),
    });
    expect(connection.end.kind).toBe('aborted');
    expect(connection.events).toHaveLength(2);
    expect(text).toBe('ab');
    expect(connection.end.atMs).toBeGreaterThanOrEqual(connection.events[1]!.atMs);
    await hangPeerGone;
  });

  test('aborted: on a tool-call event (anthropic tool_use block)', async () => {
    const { connection } = await recordConnection({ url: `${origin}/anthropic/tool-hang`, format: 'anthropic', body, abortWhen: onToolCall() });
    expect(connection.end.kind).toBe('aborted');
    expect(connection.events.map((e) => e.event)).toEqual(['content_block_delta', 'content_block_start']);
    await hangPeerGone;
  });

  test("aborted: the caller's AbortSignal", async () => {
    const controller = new AbortController();
    const { connection } = await recordConnection({
      url: `${origin}/openai/hang`,
      format: 'openai',
      body,
      signal: controller.signal,
      onEvent: () => controller.abort(),
    });
    expect(connection.end.kind).toBe('aborted');
    expect(connection.events).toHaveLength(1);
    await hangPeerGone;
  });

  test('bare origin URL gets the format endpoint path', async () => {
    const before = requests.length;
    const { connection } = await recordConnection({ url: origin, format: 'anthropic', body });
    expect(requests[before]?.path).toBe('/v1/messages');
    expect(connection.end.kind).toBe('http-error');
  });
});

// ─── Clients ──────────────────────────────────────────────────────────────────────────────────

describe('clients against a tiny origin', () => {
  test('single-connection client: clean EOF comes back as returned-partial', async () => {
    const run = await runSingleConnectionClient({ url: `${origin}/openai/early-eof`, format: 'openai', body });
    expect(run).toMatchObject({ client: 'recorder', outcome: 'returned-partial', text: 'partial' });
    expect(run.error).toBeUndefined();
    const reset = await runSingleConnectionClient({ url: `${origin}/openai/reset`, format: 'openai', body });
    expect(reset.outcome).toBe('threw');
    expect(reset.error).toMatch(/^reset/);
    const ok = await runSingleConnectionClient({ url: `${origin}/openai/ok`, format: 'openai', body });
    expect(ok.outcome).toBe('completed');
  });

  test('naive client: re-POSTs the whole request, text duplicates', async () => {
    requests.length = 0;
    const run = await runNaiveClient({ url: `${origin}/openai/flaky`, format: 'openai', body });
    expect(run).toMatchObject({ client: 'naive', outcome: 'completed', text: 'one two one two three' });
    expect(run.connections.map((c) => c.end.kind)).toEqual(['reset', 'terminator']);
    expect(requests.map((r) => r.headers['idempotency-key'] ?? r.headers['last-event-id'])).toEqual([undefined, undefined]);
    expect(run.logicalKey).toBe(logicalKeyFor(body));
  });

  test('naive client: awaits beforeReconnect before each re-POST, never before the first', async () => {
    requests.length = 0;
    const calls: number[] = [];
    const run = await runNaiveClient({
      url: `${origin}/openai/reset`,
      format: 'openai',
      body,
      maxReconnects: 2,
      // The request count when the hook runs: the re-POST is not sent until it resolves.
      beforeReconnect: async () => {
        calls.push(requests.length);
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(requests).toHaveLength(calls.at(-1)!);
      },
    });
    expect(run.connections).toHaveLength(3);
    expect(calls).toEqual([1, 2]);
  });

  test('naive client: gives up after maxReconnects and throws', async () => {
    const run = await runNaiveClient({ url: `${origin}/openai/reset`, format: 'openai', body, maxReconnects: 1 });
    expect(run.outcome).toBe('threw');
    expect(run.connections).toHaveLength(2);
    expect(run.error).toMatch(/gave up after 2 connection\(s\): reset/);
  });

  test('naive client: does not retry an error event', async () => {
    const run = await runNaiveClient({ url: `${origin}/openai/error-event`, format: 'openai', body });
    expect(run.outcome).toBe('threw');
    expect(run.connections).toHaveLength(1);
  });

  test('resumable client: same Idempotency-Key, Last-Event-ID, no duplicate text', async () => {
    requests.length = 0;
    const run = await runResumableClient({ url: `${origin}/openai/flaky`, format: 'openai', body, idempotencyKey: 'key-1' });
    expect(run).toMatchObject({ client: 'resumable', outcome: 'completed', text: 'one two three', logicalKey: 'idem:key-1' });
    expect(requests.map((r) => [r.headers['idempotency-key'], r.headers['last-event-id']])).toEqual([
      ['key-1', undefined],
      ['key-1', 'g1.1'],
    ]);
    expect(run.connections.map((c) => c.sent)).toEqual([{ idempotencyKey: 'key-1' }, { idempotencyKey: 'key-1', lastEventId: 'g1.1' }]);
  });

  test('logicalKeyFor: idempotency key wins, else a prompt fingerprint', () => {
    expect(logicalKeyFor(body, 'k')).toBe('idem:k');
    expect(logicalKeyFor(body)).toMatch(/^prompt:[0-9a-f]{16}$/);
    expect(logicalKeyFor({ ...body, stream: false })).toBe(logicalKeyFor(body));
    expect(logicalKeyFor({ ...body, model: 'other' })).not.toBe(logicalKeyFor(body));
  });
});

// ─── Against the mock LLM, through a relay that cuts the first connection ─────────────────────

/**
 * A TCP relay standing in for a proxy that drops a stream: on its first connection it forwards the
 * response up to (and including) the chunk containing `cutAfter`, then closes both sides.
 */
async function cuttingRelay(target: string, cutAfter: string): Promise<{ url: string; server: TcpServer; sockets: Set<Socket> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createTcpServer((client) => {
    const first = ++connections === 1;
    sockets.add(client);
    const upstream = connect(Number(port), hostname);
    client.pipe(upstream);
    let seen = '';
    upstream.on('data', (chunk: Buffer) => {
      seen += first ? chunk.toString('latin1') : '';
      if (!first || !seen.includes(cutAfter)) return void client.write(chunk);
      client.end(chunk); // a clean close in mid-body: the chunked response never finishes
      upstream.destroy();
    });
    upstream.on('end', () => client.end());
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, sockets };
}

/** Closes the relay without waiting for the client's idle keep-alive connection to time out. */
async function closeRelay({ server, sockets }: { server: TcpServer; sockets: Set<Socket> }): Promise<void> {
  for (const socket of sockets) socket.destroy();
  server.close();
  await once(server, 'close');
}

function evidenceFrom(llm: MockLlm, run: ClientRun, intent: StreamEvidence['intent'] = {}): StreamEvidence {
  return { run, served: llm.ledger.servedFor(run.logicalKey), generations: llm.ledger.generationsFor(run.logicalKey), intent };
}

describe('clients against the mock LLM', () => {
  const script: Partial<StreamScript> = { tokens: 6, tokenIntervalMs: 5 };
  const fullText = scriptedText(parseStreamScript(script));
  // The third content token: the cut lands mid-stream.
  const cutAfter = 'w2 ';

  test('naive client after a cut (stateless origin): re-POST bills a second generation, text duplicates', async () => {
    const llm = await MockLlm.start({ mode: 'stateless', script });
    const relay = await cuttingRelay(llm.url(), cutAfter);
    try {
      const run = await runNaiveClient({ url: relay.url, format: 'openai', body });
      expect(run.outcome).toBe('completed');
      expect(run.connections.map((c) => c.end.kind)).toEqual(['reset', 'terminator']);
      expect(run.text.endsWith(fullText)).toBe(true);
      expect(run.text.length).toBeGreaterThan(fullText.length);
      const generations = llm.ledger.generationsFor(run.logicalKey);
      expect(generations).toHaveLength(2);
      expect(generations.map((g) => g.state)).toEqual(['stopped', 'completed']);
      const [billing, completion] = evaluateChecks(['billing', 'completion'], evidenceFrom(llm, run));
      expect(billing).toMatchObject({ verdict: 'fail', figures: { billedGenerations: 2, connections: 2 } });
      expect(completion!.verdict).toBe('pass');
    } finally {
      await closeRelay(relay);
      await llm.close();
    }
  });

  test('resumable client after a cut (resumable origin): reattaches, one generation, no duplicate text', async () => {
    const llm = await MockLlm.start({ mode: 'resumable', script });
    const relay = await cuttingRelay(llm.url(), cutAfter);
    try {
      const run = await runResumableClient({ url: relay.url, format: 'openai', body });
      expect(run.outcome).toBe('completed');
      expect(run.connections.map((c) => c.end.kind)).toEqual(['reset', 'terminator']);
      expect(run.text).toBe(fullText);
      expect(run.connections[1]!.sent.lastEventId).toBe(run.connections[0]!.events.at(-1)!.id);
      expect(llm.ledger.generationsFor(run.logicalKey)).toHaveLength(1);
      expect(llm.ledger.servedFor(run.logicalKey).map((s) => s.role)).toEqual(['start', 'resume']);
      const [billing] = evaluateChecks(['billing'], evidenceFrom(llm, run));
      expect(billing).toMatchObject({ verdict: 'pass', figures: { billedGenerations: 1, connections: 2 } });
    } finally {
      await closeRelay(relay);
      await llm.close();
    }
  });

  test('recorder: Anthropic tool pause with ping heartbeats; heartbeat and buffering checks on real evidence', async () => {
    const timeScale = 0.2;
    const llm = await MockLlm.start({
      mode: 'stateless',
      timeScale,
      script: { tokens: 8, tokenIntervalMs: 5, toolCall: { afterTokens: 1, pauseSeconds: 1 }, heartbeatSeconds: 0.25, heartbeatFormat: 'anthropic-ping' },
    });
    try {
      const run = await runSingleConnectionClient({ url: llm.url(), format: 'anthropic', body });
      expect(run.outcome).toBe('completed');
      const ev = evidenceFrom(llm, run, { toolPauseMs: 1000 * timeScale, heartbeatIntervalMs: 250 * timeScale });
      const [heartbeat, buffering] = evaluateChecks(['heartbeat', 'buffering'], ev);
      expect(heartbeat).toMatchObject({ verdict: 'pass', figures: { survived: 1, heartbeatsSent: 3, heartbeatsArrived: 3 } });
      const emittedEvents = ev.served[0]!.emitted.filter((item) => item.kind === 'event').length;
      expect(buffering).toMatchObject({ verdict: 'pass', figures: { eventsMatched: emittedEvents } });
      expect(buffering!.figures.heartbeatDelayMaxMs).not.toBeNull();
    } finally {
      await llm.close();
    }
  });

  test('recorder: abort after 2 tokens; the stateless origin notices and stops (abort check)', async () => {
    const llm = await MockLlm.start({ mode: 'stateless', script: { tokens: 50, tokenIntervalMs: 5 } });
    try {
      const run = await runSingleConnectionClient({ url: llm.url(), format: 'openai', body, abortWhen: afterTokenEvents(2) });
      expect(run.outcome).toBe('aborted');
      const served = await llm.waitFor('peer-gone', (s) => s.requestId === run.connections[0]!.requestId);
      await llm.waitFor('generation-end', (g) => g.generationId === served.generationId);
      const [abort] = evaluateChecks(['abort'], evidenceFrom(llm, run, { clientAbortAtMs: run.connections[0]!.end.atMs }));
      expect(abort).toMatchObject({ verdict: 'pass', figures: { generationStopped: 1 } });
    } finally {
      await llm.close();
    }
  });

  test('recorder: a scripted mid-stream error is an error-event, and the client throws', async () => {
    const llm = await MockLlm.start({ mode: 'stateless', script: { tokens: 6, tokenIntervalMs: 1, errorAfterTokens: 2 } });
    try {
      const run = await runSingleConnectionClient({ url: llm.url(), format: 'openai', body });
      expect(run.connections[0]!.end.kind).toBe('error-event');
      expect(run).toMatchObject({ outcome: 'threw', text: 'w0 w1 ' });
    } finally {
      await llm.close();
    }
  });
});
