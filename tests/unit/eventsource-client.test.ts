/**
 * The `eventsource` npm client behind the scenario client interface: completes at [DONE] on one
 * recorded connection; reconnects on its own with Last-Event-ID after a drop (a resumable origin
 * bills once, a stateless one again); gives up at the harness's bound; fails on a non-200.
 */
import { expect, test } from 'vitest';
import { loadClient } from '../../harness/clients/real/registry.ts';
import type { MockLlm } from '../../harness/mock-llm/index.ts';
import { body, fullText, llm, origin } from '../shared/eventsource-origins.ts';


test('definition: version, options with the harness bound', async () => {
  const client = (await loadClient('eventsource')).create({});
  expect(client.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(client.options).toEqual({ reconnectDelayMs: 3000, maxReconnects: 2, deadlineMs: 600_000 });
});

test.each(['stateless', 'resumable'] as const)('%s origin: completes at [DONE] on one recorded connection, billed once', async (mode) => {
  const server = await llm(mode);
  const run = await (await loadClient('eventsource')).create({}).run({ url: server.url(), format: 'openai', body });
  expect(run).toMatchObject({ client: 'eventsource', outcome: 'completed', text: fullText });
  expect(run.connections).toHaveLength(1);
  expect(run.connections[0]!.end.kind).toBe('terminator');
  expect(server.ledger.billedGenerations(run.logicalKey)).toBe(1);
});

/** A front that cuts the first response after `cutAfter` bytes of body, passing the rest through. */
async function cuttingFront(target: MockLlm, cutAfter: number): Promise<string> {
  let first = true;
  return origin(async (req, res) => {
    const upstream = await fetch(`${target.url()}${req.url}`, { headers: req.headers as Record<string, string> });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
    const cut = first;
    first = false;
    let seen = 0;
    for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) {
      res.write(chunk);
      seen += chunk.byteLength;
      if (cut && seen >= cutAfter) return res.destroy();
    }
    res.end();
  });
}

test('a drop mid-stream: it reconnects with Last-Event-ID; resumable bills once, stateless again', { timeout: 20_000 }, async () => {
  for (const mode of ['resumable', 'stateless'] as const) {
    const server = await llm(mode);
    const url = await cuttingFront(server, 1200);
    const run = await (await loadClient('eventsource')).create({}).run({ url, format: 'openai', body });
    expect(run.outcome).toBe('completed');
    expect(run.connections).toHaveLength(2);
    expect(run.connections[0]!.end.kind).toBe('reset');
    expect(run.connections[1]!.sent.lastEventId).toBe(run.connections[0]!.events.at(-1)!.id);
    expect(server.ledger.billedGenerations(run.logicalKey)).toBe(mode === 'resumable' ? 1 : 2);
    // Stateless: the reconnect starts over, so the caller's text repeats the first part.
    if (mode === 'resumable') expect(run.text).toBe(fullText);
    else expect(run.text.endsWith(fullText) && run.text.length > fullText.length).toBe(true);
  }
});

test('a stream that always ends without [DONE]: gives up after maxReconnects, every connection recorded', async () => {
  const url = await origin((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(`retry: 20\nid: e${req.headers['last-event-id'] ?? ''}1\ndata: {"choices":[{"delta":{"content":"x"}}]}\n\n`);
  });
  const run = await (await loadClient('eventsource')).create({ maxReconnects: 2 }).run({ url, format: 'openai', body });
  expect(run.outcome).toBe('threw');
  expect(run.error).toMatch(/gave up after 2 reconnects/);
  expect(run.connections).toHaveLength(3);
  expect(run.connections.map((c) => c.sent.lastEventId)).toEqual([undefined, 'e1', 'ee11']);
});

test('a non-200 fails the connection: threw, no reconnect', async () => {
  const url = await origin((_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"busy"}}');
  });
  const run = await (await loadClient('eventsource')).create({}).run({ url, format: 'openai', body });
  expect(run.outcome).toBe('threw');
  expect(run.error).toMatch(/EventSource failed the connection: Non-200 status code \(503\)/);
  expect(run.connections).toHaveLength(1);
});
