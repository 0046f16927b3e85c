/**
 * The real SDK clients behind the scenario client interface, and the fetch tee that records them:
 * against the mock LLM in-process, and a tiny origin for the ways a stream can end badly.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { evaluateChecks } from '../../harness/checks/index.ts';
import { afterTokenEvents } from '../../harness/clients/index.ts';
import { CLIENT_NAMES, clientEntry, loadClient } from '../../harness/clients/real/registry.ts';
import { scenario, type ScenarioSpec } from '../../harness/scenario.ts';
import { MockLlm, parseStreamScript, scriptedText, type StreamScript } from '../../harness/mock-llm/index.ts';
import type { ClientRun, StreamEvidence } from '../../harness/model.ts';

const openaiBody = { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } };
const anthropicBody = { model: 'claude-test', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }], stream: true };
const SDK_CLIENTS = [
  { name: 'openai', format: 'openai', body: openaiBody },
  { name: 'openai-stream-helper', format: 'openai', body: openaiBody },
  { name: 'anthropic', format: 'anthropic', body: anthropicBody },
  { name: 'anthropic-stream-helper', format: 'anthropic', body: anthropicBody },
] as const;

function evidenceFrom(llm: MockLlm, run: ClientRun): StreamEvidence {
  return { run, served: llm.ledger.servedFor(run.logicalKey), generations: llm.ledger.generationsFor(run.logicalKey), intent: {} };
}

test('the registry names every client, the SDKs with their package versions and real defaults', async () => {
  expect(CLIENT_NAMES).toEqual(['recorder', 'naive', 'resumable', 'openai', 'openai-stream-helper', 'anthropic', 'anthropic-stream-helper', 'eventsource', 'browser-eventsource']);
  const openai = (await loadClient('openai')).create({});
  expect(openai.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(openai.options).toEqual({ maxRetries: 2, timeoutMs: 600_000 });
  expect((await loadClient('anthropic')).create({ maxRetries: 0 }).options).toMatchObject({ maxRetries: 0 });
  expect((await loadClient('naive')).create({}).options).toEqual({ maxReconnects: 2 });
  await expect(loadClient('curl')).rejects.toThrow(/no client 'curl'/);
});

test('each registry entry states the formats its definition speaks (known before the client loads)', async () => {
  for (const name of CLIENT_NAMES) expect(clientEntry(name).formats, name).toEqual((await loadClient(name)).formats);
});

test('a scenario names a registered client that speaks its format; SDK options are checked', () => {
  const spec = { name: 'mismatch', format: 'openai', llm: {}, client: 'anthropic', checks: ['completion'], expect: {} } as unknown as ScenarioSpec;
  expect(() => scenario(spec)).toThrow(/client: 'anthropic' speaks anthropic, not format 'openai'/);
  expect(() => scenario({ ...spec, client: 'curl' } as unknown as ScenarioSpec)).toThrow(/client: Invalid option/);
  const badOptions = () => scenario({ ...spec, client: 'openai', clientOptions: { maxRetries: -1, retries: 1 } } as unknown as ScenarioSpec);
  expect(badOptions).toThrow(/clientOptions\.maxRetries: /);
  expect(badOptions).toThrow(/clientOptions: Unrecognized key: "retries"/);
});

describe('SDK clients against the mock LLM', () => {
  const script: Partial<StreamScript> = { tokens: 8, tokenIntervalMs: 2, toolCall: { afterTokens: 2, pauseSeconds: 1 }, heartbeatSeconds: 0.25 };
  const fullText = scriptedText(parseStreamScript(script));

  for (const { name, format, body } of SDK_CLIENTS) {
    test(`${name}: completes on one recorded connection, every event and heartbeat stamped`, async () => {
      const llm = await MockLlm.start({ mode: 'stateless', timeScale: 0.2, script });
      try {
        const client = (await loadClient(name)).create({});
        const run = await client.run({ url: llm.url(), format, body });
        expect(run).toMatchObject({ client: name, clientVersion: client.version, clientOptions: { maxRetries: 2 }, outcome: 'completed' });
        expect(run.connections).toHaveLength(1);
        const [connection] = run.connections;
        const served = llm.ledger.servedFor(run.logicalKey);
        expect(served).toHaveLength(1);
        expect(connection!.requestId).toBe(served[0]!.requestId);
        expect(connection!.status).toBe(200);
        expect(connection!.end.kind).toBe('terminator');
        // Every event the origin wrote arrived, stamped in order, between the request and the end.
        const emitted = served[0]!.emitted.filter((item) => item.kind === 'event' || item.event === 'ping');
        expect(connection!.events).toHaveLength(emitted.length);
        const stamps = connection!.events.map((event) => event.atMs);
        expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
        expect(stamps[0]!).toBeGreaterThanOrEqual(connection!.startedAtMs);
        expect(connection!.comments).toHaveLength(served[0]!.emitted.filter((item) => item.kind === 'heartbeat').length);
        // The helpers assemble a message: text first, then the tool call's arguments.
        if (name.endsWith('stream-helper')) expect(run.text).toContain('w0 w1 ');
        else expect(run.text).toBe(fullText);
        const [billing, completion] = evaluateChecks(['billing', 'completion'], evidenceFrom(llm, run));
        expect(billing).toMatchObject({ verdict: 'pass', figures: { billedGenerations: 1, connections: 1 } });
        expect(completion).toMatchObject({ verdict: 'pass' });
      } finally {
        await llm.close();
      }
    });
  }

  test('`event: ping` heartbeats in an OpenAI stream: measured per client', async () => {
    const llm = await MockLlm.start({ mode: 'stateless', timeScale: 0.2, script: { ...script, heartbeatFormat: 'anthropic-ping' } });
    try {
      const outcomes: Record<string, string> = {};
      for (const name of ['openai', 'openai-stream-helper', 'recorder']) {
        const run = await (await loadClient(name)).create({}).run({ url: llm.url(), format: 'openai', body: { ...openaiBody, messages: [{ role: 'user', content: name }] } });
        outcomes[name] = `${run.outcome}${run.error ? ` ${run.error}` : ''}`;
        expect(run.connections[0]!.events.filter((event) => event.event === 'ping').length).toBeGreaterThan(0);
      }
      // The SDK yields the ping's `{"type":"ping"}` as a chunk: the README's `chunk.choices[0]` throws
      // in the caller's loop; the helper throws inside the SDK. The harness's recorder ignores it.
      expect(outcomes).toEqual({
        openai: "threw TypeError: Cannot read properties of undefined (reading '0')",
        'openai-stream-helper': 'threw OpenAIError: chunk.choices is not iterable (cause: TypeError: chunk.choices is not iterable)',
        recorder: 'completed',
      });
    } finally {
      await llm.close();
    }
  });

  test('abortWhen aborts the SDK (its iterator just ends): outcome aborted, the connection ends aborted', async () => {
    const llm = await MockLlm.start({ mode: 'stateless', script: { tokens: 50, tokenIntervalMs: 5 } });
    try {
      const run = await (await loadClient('openai')).create({}).run({ url: llm.url(), format: 'openai', body: openaiBody, abortWhen: afterTokenEvents(2) });
      expect(run.outcome).toBe('aborted');
      expect(run.connections.map((c) => c.end.kind)).toEqual(['aborted']);
    } finally {
      await llm.close();
    }
  });
});

// ─── A tiny origin: the ways a stream ends badly ─────────────────────────────────────────────

const openaiChunk = (text: string) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
const anthropicEvent = (name: string, payload: object) => `event: ${name}\ndata: ${JSON.stringify({ type: name, ...payload })}\n\n`;
const anthropicStart = anthropicEvent('message_start', {
  message: { id: 'msg', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 0 } },
}) + anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
const anthropicText = (text: string) => anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });

const hits = new Map<string, number>();
let server: Server;
let origin: string;

const routes: Record<string, (res: ServerResponse, hit: number) => void> = {
  // A clean end without the terminator: what nginx 1.22 passes on when its upstream closes.
  'early-eof': (res) => {
    res.write(openaiChunk('par'));
    res.end(openaiChunk('tial'));
  },
  'anthropic-early-eof': (res) => {
    res.write(anthropicStart + anthropicText('par'));
    res.end(anthropicText('tial'));
  },
  reset: (res) => {
    res.write(openaiChunk('cut'), () => setTimeout(() => res.destroy(), 20));
  },
  // 503 first, then a whole stream: the SDK's retry is a second recorded connection.
  'retry-503': (res, hit) => {
    if (hit === 1) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after-ms': '10' }).end('{"error":{"message":"busy"}}');
      return;
    }
    res.end(openaiChunk('ok') + 'data: [DONE]\n\n');
  },
};

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const route = /^\/([\w-]+)\//.exec(req.url ?? '')?.[1] ?? '';
    const hit = (hits.get(route) ?? 0) + 1;
    hits.set(route, hit);
    req.resume();
    const handler = routes[route];
    if (!handler) return void res.writeHead(404).end();
    res.setHeader('x-request-id', `${route}-${hit}`);
    res.setHeader('content-type', 'text/event-stream');
    handler(res, hit);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('SDK clients when the stream ends badly', () => {
  test('openai: a clean EOF without [DONE] returns normally: a silently truncated answer', async () => {
    const run = await (await loadClient('openai')).create({}).run({ url: `${origin}/early-eof`, format: 'openai', body: openaiBody });
    expect(run).toMatchObject({ outcome: 'returned-partial', text: 'partial' });
    expect(run.connections.map((c) => [c.requestId, c.end.kind])).toEqual([['early-eof-1', 'eof-without-terminator']]);
    const [completion] = evaluateChecks(['completion'], { run, served: [], generations: [], intent: {} });
    expect(completion).toMatchObject({ verdict: 'fail' });
    expect(completion!.detail).toContain(`openai ${run.clientVersion}`);
  });

  test('anthropic: a clean EOF without message_stop: messages.create returns partial text, the helper throws', async () => {
    const plain = await (await loadClient('anthropic')).create({}).run({ url: `${origin}/anthropic-early-eof`, format: 'anthropic', body: anthropicBody });
    expect(plain.connections.map((c) => c.end.kind)).toEqual(['eof-without-terminator']);
    expect(plain).toMatchObject({ outcome: 'returned-partial', text: 'partial' });
    const helper = await (await loadClient('anthropic-stream-helper')).create({}).run({ url: `${origin}/anthropic-early-eof`, format: 'anthropic', body: anthropicBody });
    expect(helper.connections.map((c) => c.end.kind)).toEqual(['eof-without-terminator']);
    // The helper's final message exists only once message_stop arrived.
    expect(`${helper.outcome} ${helper.error ?? ''}`).toBe('threw AnthropicError: stream ended without producing a Message with role=assistant');
  });

  test('openai-stream-helper: a clean EOF without [DONE] (and without finish_reason) throws', async () => {
    const run = await (await loadClient('openai-stream-helper')).create({}).run({ url: `${origin}/early-eof`, format: 'openai', body: openaiBody });
    expect(`${run.outcome} ${run.error ?? ''}`).toBe('threw OpenAIError: missing finish_reason for choice 0');
  });

  test('openai: a reset mid-body throws, and the SDK does not retry a response it already returned', async () => {
    const run = await (await loadClient('openai')).create({}).run({ url: `${origin}/reset`, format: 'openai', body: openaiBody });
    expect(run.outcome).toBe('threw');
    expect(run.error).toMatch(/^\w+Error: /);
    expect(run.connections.map((c) => c.end.kind)).toEqual(['reset']);
  });

  test('openai: a 503 before the body is retried by the SDK; both attempts are recorded', async () => {
    const run = await (await loadClient('openai')).create({}).run({ url: `${origin}/retry-503`, format: 'openai', body: openaiBody });
    expect(run.outcome).toBe('completed');
    expect(run.connections.map((c) => [c.status, c.end.kind])).toEqual([
      [503, 'http-error'],
      [200, 'terminator'],
    ]);
  });
});
