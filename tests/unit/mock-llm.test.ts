/**
 * The mock LLM over real sockets: wire formats as the SDKs parse them, timing of the tool pause and
 * heartbeats, HTTP framing, billing in both server modes, validation and binding errors.
 */
import { connect } from 'node:net';
import { createParser } from 'eventsource-parser';
import type { EventSourceMessage } from 'eventsource-parser';
import { request } from 'undici';
import { afterEach, describe, expect, test } from 'vitest';
import { now } from '../../harness/clock.ts';
import {
  MockLlm,
  SCRIPT_HEADER,
  StreamScriptError,
  TOOL_ARGUMENT_TOKENS,
  logicalKeyFor,
  parseStreamScript,
  promptTokensFor,
  scriptedText,
} from '../../harness/mock-llm/index.ts';
import type { MockLlmOptions, StreamScript } from '../../harness/mock-llm/index.ts';

const started: MockLlm[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((llm) => llm.close()));
});

async function startLlm(options: MockLlmOptions): Promise<MockLlm> {
  const llm = await MockLlm.start(options);
  started.push(llm);
  return llm;
}

const OPENAI = '/v1/chat/completions';
const ANTHROPIC = '/v1/messages';
const messages = [{ role: 'user', content: 'Where is my order?' }];
const openaiBody = { model: 'gpt-test', messages, stream: true, stream_options: { include_usage: true } };
const anthropicBody = { model: 'claude-test', max_tokens: 1024, messages, stream: true };

interface Received {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  requestId: string;
  events: Array<EventSourceMessage & { atMs: number }>;
  comments: Array<{ text: string; atMs: number }>;
  aborted: boolean;
  /** Non-SSE body (error responses). */
  text: string;
}

/** POSTs and reads the SSE stream to its end, stamping arrivals; `abortWhen` cuts the connection. */
async function stream(
  llm: MockLlm,
  path: string,
  body: unknown,
  options: { headers?: Record<string, string>; abortWhen?: (received: Received) => boolean } = {},
): Promise<Received> {
  const controller = new AbortController();
  const res = await request(`${llm.url()}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  const received: Received = {
    status: res.statusCode,
    headers: res.headers,
    requestId: String(res.headers['x-request-id']),
    events: [],
    comments: [],
    aborted: false,
    text: '',
  };
  const parser = createParser({
    onEvent: (event) => {
      received.events.push({ ...event, atMs: now() });
      if (!received.aborted && options.abortWhen?.(received)) {
        received.aborted = true;
        controller.abort();
      }
    },
    onComment: (text) => received.comments.push({ text, atMs: now() }),
  });
  res.body.setEncoding('utf8');
  try {
    for await (const chunk of res.body as AsyncIterable<string>) {
      if (res.statusCode !== 200) received.text += chunk;
      else parser.feed(chunk);
    }
  } catch (error) {
    if (!received.aborted) throw error;
  }
  return received;
}

const json = (event: EventSourceMessage): any => JSON.parse(event.data);
const tokenEvents = (received: Received) =>
  received.events.filter((e) => {
    if (e.data === '[DONE]') return false;
    const data = json(e);
    const delta = data.choices?.[0]?.delta ?? data.delta;
    return Boolean(delta?.content || delta?.tool_calls?.[0]?.function?.arguments || delta?.text || delta?.partial_json);
  });
/** Assistant text as a client assembles it: content and tool-argument deltas of either format. */
const assembledText = (received: Received) =>
  tokenEvents(received)
    .map((e) => {
      const data = json(e);
      const delta = data.choices?.[0]?.delta ?? data.delta;
      return delta.content ?? delta.tool_calls?.[0]?.function?.arguments ?? delta.text ?? delta.partial_json;
    })
    .join('');
const seqOf = (event: EventSourceMessage) => Number(event.id!.split('.')[1]);

describe('wire formats', () => {
  test('OpenAI: role chunk, content and tool-call deltas, finish_reason, usage, [DONE]', async () => {
    const script: Partial<StreamScript> = { tokens: 12, tokenIntervalMs: 1, toolCall: { afterTokens: 4, pauseSeconds: 1 } };
    const llm = await startLlm({ mode: 'stateless', timeScale: 0.01, script });
    const got = await stream(llm, OPENAI, openaiBody);

    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(got.headers['cache-control']).toBe('no-cache');
    expect(got.headers['x-accel-buffering']).toBeUndefined();
    expect(got.headers['content-length']).toBeUndefined();

    expect(got.events.at(-1)!.data).toBe('[DONE]');
    const chunks = got.events.slice(0, -1).map(json);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id)).toBe(true);
    expect(chunks[0].id).toMatch(/^chatcmpl-/);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(got.events.every((e) => e.event === undefined && e.id === undefined)).toBe(true);

    const toolStart = chunks.find((c) => c.choices[0]?.delta.tool_calls?.[0]?.id);
    expect(toolStart.choices[0].delta.tool_calls[0]).toEqual({
      index: 0,
      id: expect.stringMatching(/^call_/),
      type: 'function',
      function: { name: 'lookup_order', arguments: '' },
    });
    const argumentDeltas = chunks.filter((c) => c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments);
    expect(argumentDeltas).toHaveLength(TOOL_ARGUMENT_TOKENS.length);
    expect(JSON.parse(argumentDeltas.map((c) => c.choices[0].delta.tool_calls[0].function.arguments).join(''))).toEqual({
      query: 'status of order 42',
    });

    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish.map((c) => c.choices[0].finish_reason)).toEqual(['stop']);
    const usage = chunks.at(-1);
    expect(usage.choices).toEqual([]);
    const promptTokens = promptTokensFor(messages);
    expect(usage.usage).toEqual({ prompt_tokens: promptTokens, completion_tokens: 12, total_tokens: promptTokens + 12 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);

    expect(assembledText(got)).toBe(scriptedText(parseStreamScript(script)));
    const served = llm.ledger.request(got.requestId)!;
    const generation = llm.ledger.generation(served.generationId)!;
    expect(generation).toMatchObject({ state: 'completed', completionTokens: 12, promptTokens, wastedTokens: 0, format: 'openai' });
    expect(served.emitted.filter((e) => e.kind === 'event')).toHaveLength(got.events.length);
    expect(served.emitted.filter((e) => e.carriesToken)).toHaveLength(12);
  });

  test('Anthropic: message_start, ping, text and tool_use blocks, message_delta stop_reason, message_stop', async () => {
    const script: Partial<StreamScript> = {
      tokens: 10,
      tokenIntervalMs: 1,
      finishReason: 'length',
      toolCall: { afterTokens: 2, pauseSeconds: 1, name: 'get_weather' },
      accelBufferingHeader: true,
    };
    const llm = await startLlm({ mode: 'stateless', timeScale: 0.01, script });
    const got = await stream(llm, ANTHROPIC, anthropicBody);

    expect(got.headers['x-accel-buffering']).toBe('no');
    for (const event of got.events) expect(json(event).type).toBe(event.event);
    const names = got.events.map((e) => e.event);
    const textDeltas = (n: number) => Array<string>(n).fill('content_block_delta');
    expect(names).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      ...textDeltas(2),
      'content_block_stop',
      'content_block_start',
      ...textDeltas(TOOL_ARGUMENT_TOKENS.length),
      'content_block_stop',
      'content_block_start',
      ...textDeltas(10 - 2 - TOOL_ARGUMENT_TOKENS.length),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const data = got.events.map(json);
    expect(data[0].message).toMatchObject({ id: expect.stringMatching(/^msg_/), role: 'assistant', model: 'claude-test' });
    expect(data[0].message.usage.input_tokens).toBe(promptTokensFor(messages));
    const blockStarts = data.filter((d) => d.type === 'content_block_start');
    expect(blockStarts.map((d) => [d.index, d.content_block.type])).toEqual([
      [0, 'text'],
      [1, 'tool_use'],
      [2, 'text'],
    ]);
    expect(blockStarts[1].content_block).toEqual({ type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'get_weather', input: {} });
    expect(data.filter((d) => d.delta?.type === 'input_json_delta').every((d) => d.index === 1)).toBe(true);
    const messageDelta = data.find((d) => d.type === 'message_delta');
    expect(messageDelta.delta.stop_reason).toBe('max_tokens');
    expect(messageDelta.usage.output_tokens).toBe(10);
    expect(assembledText(got)).toBe(scriptedText(parseStreamScript(script)));
  });

  test('scripted mid-stream errors end the response without the terminator', async () => {
    const llm = await startLlm({ mode: 'stateless', script: { tokens: 10, tokenIntervalMs: 1, errorAfterTokens: 3 } });
    const openai = await stream(llm, OPENAI, openaiBody);
    expect(tokenEvents(openai)).toHaveLength(3);
    expect(json(openai.events.at(-1)!).error).toMatchObject({ type: 'server_error', code: null });
    expect(openai.events.some((e) => e.data === '[DONE]')).toBe(false);

    const anthropic = await stream(llm, ANTHROPIC, anthropicBody);
    expect(tokenEvents(anthropic)).toHaveLength(3);
    expect(anthropic.events.at(-1)!.event).toBe('error');
    expect(json(anthropic.events.at(-1)!)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    expect(anthropic.events.some((e) => e.event === 'message_stop')).toBe(false);

    const generations = llm.ledger.generations();
    expect(generations.map((g) => [g.state, g.completionTokens])).toEqual([
      ['failed', 3],
      ['failed', 3],
    ]);
  });
});

describe('timing', () => {
  test('the tool pause is silent but for heartbeats at the scaled interval', async () => {
    // 30 s pause and 5 s heartbeats at timeScale 0.01: 300 ms of silence, a comment every 50 ms.
    const script = { tokens: 10, tokenIntervalMs: 2, toolCall: { afterTokens: 3, pauseSeconds: 30 }, heartbeatSeconds: 5 };
    const llm = await startLlm({ mode: 'stateless', timeScale: 0.01, script });
    const got = await stream(llm, OPENAI, openaiBody);

    const tokens = tokenEvents(got);
    const lastArgument = tokens[3 + TOOL_ARGUMENT_TOKENS.length - 1]!;
    const afterPause = tokens[3 + TOOL_ARGUMENT_TOKENS.length]!;
    const gapMs = afterPause.atMs - lastArgument.atMs;
    expect(gapMs).toBeGreaterThanOrEqual(280);
    expect(gapMs).toBeLessThan(1_000);

    expect(got.comments.map((c) => c.text.trim())).toEqual(Array(5).fill('keep-alive'));
    const beats = got.comments.map((c) => c.atMs);
    expect(beats.every((at) => at > lastArgument.atMs && at < afterPause.atMs)).toBe(true);
    const meanIntervalMs = (beats.at(-1)! - beats[0]!) / (beats.length - 1);
    expect(meanIntervalMs).toBeGreaterThan(35);
    expect(meanIntervalMs).toBeLessThan(80);

    // The origin's record agrees: 5 heartbeats, each labelled with the index of the next event.
    const emitted = llm.ledger.request(got.requestId)!.emitted;
    const heartbeats = emitted.filter((e) => e.kind === 'heartbeat');
    expect(heartbeats).toHaveLength(5);
    const nextEvent = emitted[emitted.indexOf(heartbeats.at(-1)!) + 1]!;
    expect(heartbeats.every((h) => h.seq === nextEvent.seq && !h.carriesToken)).toBe(true);
    expect(nextEvent.atMs - emitted[emitted.indexOf(heartbeats[0]!) - 1]!.atMs).toBeGreaterThanOrEqual(290);
  });

  test('no heartbeats unless scripted, and Anthropic can heartbeat with its own ping event', async () => {
    const script = { tokens: 8, tokenIntervalMs: 1, toolCall: { afterTokens: 1, pauseSeconds: 10 } };
    const llm = await startLlm({ mode: 'stateless', timeScale: 0.01, script });
    const silent = await stream(llm, ANTHROPIC, anthropicBody);
    expect(silent.comments).toHaveLength(0);
    expect(silent.events.filter((e) => e.event === 'ping')).toHaveLength(1);

    llm.setScript({ ...script, heartbeatSeconds: 3, heartbeatFormat: 'anthropic-ping' });
    const pinged = await stream(llm, ANTHROPIC, anthropicBody);
    expect(pinged.comments).toHaveLength(0);
    // One ping after message_start, then one every 30 ms of the 100 ms pause.
    expect(pinged.events.filter((e) => e.event === 'ping')).toHaveLength(1 + 3);
    const heartbeats = llm.ledger.request(pinged.requestId)!.emitted.filter((e) => e.kind === 'heartbeat');
    expect(heartbeats.map((h) => h.event)).toEqual(['ping', 'ping', 'ping']);
  });

  test('firstTokenDelayMs and tokenIntervalMs are real milliseconds, not scaled', async () => {
    const llm = await startLlm({ mode: 'stateless', timeScale: 0.01, script: { tokens: 5, tokenIntervalMs: 30, firstTokenDelayMs: 100 } });
    const got = await stream(llm, OPENAI, openaiBody);
    // The origin's stamps: client arrivals would add the noise of a busy test process.
    const served = llm.ledger.request(got.requestId)!;
    const tokens = served.emitted.filter((e) => e.carriesToken).map((e) => e.atMs);
    expect(tokens[0]! - served.emitted[0]!.atMs).toBeGreaterThanOrEqual(100);
    expect(tokens[0]! - served.emitted[0]!.atMs).toBeLessThan(1_000);
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]! - tokens[i - 1]!).toBeGreaterThanOrEqual(30);
  });
  test('headDelaySeconds holds the head (scaled), the generation billed from the request; a client leaving meanwhile stops it', async () => {
    const llm = await startLlm({ mode: 'stateless', timeScale: 0.01, script: { tokens: 3, tokenIntervalMs: 1, headDelaySeconds: 30 } });
    const startedAtMs = now();
    const got = await stream(llm, OPENAI, openaiBody);
    const served = llm.ledger.request(got.requestId)!;
    const [generation] = llm.ledger.generations();
    // 30 s × 0.01 = 300 ms before the head, then the whole stream; billed at the request.
    expect(served.emitted[0]!.atMs - served.receivedAtMs).toBeGreaterThanOrEqual(300);
    expect(served.emitted[0]!.atMs - served.receivedAtMs).toBeLessThan(1_000);
    expect(generation!.startedAtMs - startedAtMs).toBeLessThan(300);
    expect(got.status).toBe(200);
    expect(got.events.at(-1)!.data).toBe('[DONE]');
    expect(served.framing).toBe('chunked');

    // A client that gives up before the head: noticed, the generation stopped, billed all the same.
    const controller = new AbortController();
    const pending = request(`${llm.url()}${OPENAI}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SCRIPT_HEADER]: '{"headDelaySeconds":100}' },
      body: JSON.stringify({ ...openaiBody, model: 'left-before-head' }),
      signal: controller.signal,
    });
    const arrived = await llm.waitFor('request', (s) => s.generationId !== generation!.generationId);
    controller.abort();
    await expect(pending).rejects.toThrow();
    const gone = await llm.waitFor('peer-gone', (s) => s.requestId === arrived.requestId);
    expect(gone.emitted).toEqual([]);
    const stopped = await llm.waitFor('generation-end', (g) => g.generationId === arrived.generationId);
    expect(stopped).toMatchObject({ state: 'stopped', completionTokens: 0 });
    expect(llm.ledger.generations()).toHaveLength(2);
  });
});

describe('framing', () => {
  /** A raw request over TCP, so the HTTP version and the framing bytes are exactly what was sent. */
  function rawPost(llm: MockLlm, httpVersion: '1.0' | '1.1') {
    const body = JSON.stringify(openaiBody);
    return new Promise<{ head: string; body: string; closedByServer: boolean }>((resolve, reject) => {
      const socket = connect(llm.port, '127.0.0.1');
      let raw = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (raw += chunk));
      socket.on('error', reject);
      socket.on('end', () => {
        const split = raw.indexOf('\r\n\r\n');
        resolve({ head: raw.slice(0, split), body: raw.slice(split + 4), closedByServer: true });
      });
      socket.write(
        `POST ${OPENAI} HTTP/${httpVersion}\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
  }

  test('HTTP/1.0: no chunked encoding, no Content-Length, the body ends at close', async () => {
    const llm = await startLlm({ mode: 'stateless', script: { tokens: 5, tokenIntervalMs: 1 } });
    const { head, body, closedByServer } = await rawPost(llm, '1.0');
    expect(head).toMatch(/^HTTP\/1\.[01] 200/);
    expect(head).not.toMatch(/transfer-encoding/i);
    expect(head).not.toMatch(/content-length/i);
    expect(body.startsWith('data: {')).toBe(true);
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(closedByServer).toBe(true);
    expect(llm.ledger.served()[0]).toMatchObject({ httpVersion: '1.0', framing: 'close' });
  });

  test('HTTP/1.1: chunked', async () => {
    const llm = await startLlm({ mode: 'stateless', script: { tokens: 5, tokenIntervalMs: 1 } });
    const { head, body } = await rawPost(llm, '1.1');
    expect(head).toMatch(/transfer-encoding: chunked/i);
    expect(head).not.toMatch(/content-length/i);
    expect(body).toMatch(/^[0-9a-f]+\r\ndata: \{/);
    expect(body.endsWith('data: [DONE]\n\n\r\n0\r\n\r\n')).toBe(true);
    expect(llm.ledger.served()[0]).toMatchObject({ httpVersion: '1.1', framing: 'chunked' });
  });
});

describe('stateless mode', () => {
  test('two identical requests are two billed generations for one logical key', async () => {
    const llm = await startLlm({ mode: 'stateless', script: { tokens: 4, tokenIntervalMs: 1 } });
    const first = await stream(llm, OPENAI, openaiBody, { headers: { 'last-event-id': 'ignored.3' } });
    const second = await stream(llm, OPENAI, openaiBody);
    const key = logicalKeyFor({ model: openaiBody.model, messages });
    expect(key).toMatch(/^prompt:[0-9a-f]{16}$/);
    expect(llm.ledger.billedGenerations(key)).toBe(2);
    expect(llm.ledger.servedFor(key).map((s) => [s.requestId, s.role])).toEqual([
      [first.requestId, 'start'],
      [second.requestId, 'start'],
    ]);
    expect(first.events.at(-1)!.data).toBe('[DONE]');
  });

  test('a client abort is noticed: peer-gone recorded, generation stopped, no more tokens', async () => {
    const llm = await startLlm({ mode: 'stateless', script: { tokens: 200, tokenIntervalMs: 5 } });
    const got = await stream(llm, OPENAI, openaiBody, { abortWhen: (r) => tokenEvents(r).length === 5 });
    expect(got.aborted).toBe(true);
    const served = await llm.waitFor('peer-gone', (s) => s.requestId === got.requestId);
    const generation = await llm.waitFor('generation-end', (g) => g.generationId === served.generationId);
    expect(generation.state).toBe('stopped');
    expect(generation.completionTokens).toBeLessThan(200);
    expect(generation.wastedTokens).toBe(0);
    expect(served.endedAtMs).toBe(served.peerGoneAtMs);
    expect(generation.endedAtMs! - served.peerGoneAtMs!).toBeLessThan(5);

    // Let many token intervals pass (another stream end to end), then check nothing moved.
    const tokensAtStop = generation.completionTokens;
    const writesAtStop = served.emitted.length;
    await stream(llm, OPENAI, { ...openaiBody, model: 'other' }, { headers: { [SCRIPT_HEADER]: '{"tokens":10,"tokenIntervalMs":5}' } });
    expect(generation.completionTokens).toBe(tokensAtStop);
    expect(served.emitted).toHaveLength(writesAtStop);
    expect(served.emitted.at(-1)!.atMs).toBeLessThanOrEqual(served.peerGoneAtMs!);
  });
});

describe('resumable mode', () => {
  test('reconnecting with Last-Event-ID replays after the id and continues live: one generation, no gaps, no duplicates', async () => {
    const script = { tokens: 40, tokenIntervalMs: 8 };
    const llm = await startLlm({ mode: 'resumable', script });
    const headers = { 'idempotency-key': 'order-42' };
    const first = await stream(llm, OPENAI, openaiBody, { headers, abortWhen: (r) => tokenEvents(r).length === 8 });
    expect(first.aborted).toBe(true);
    const lastEventId = first.events.at(-1)!.id!;
    expect(lastEventId).toMatch(/^gen_[0-9a-f]+\.\d+$/);
    await llm.waitFor('peer-gone', (s) => s.requestId === first.requestId);

    const second = await stream(llm, OPENAI, openaiBody, { headers: { ...headers, 'last-event-id': lastEventId } });
    const ids = [...first.events, ...second.events].map(seqOf);
    expect(ids).toEqual(ids.map((_, i) => i));
    expect(assembledText(first) + assembledText(second)).toBe(scriptedText(parseStreamScript(script)));
    expect(second.events.at(-1)!.data).toBe('[DONE]');

    expect(llm.ledger.billedGenerations('idem:order-42')).toBe(1);
    const [generation] = llm.ledger.generationsFor('idem:order-42');
    expect(generation).toMatchObject({ state: 'completed', completionTokens: 40 });
    const served = llm.ledger.servedFor('idem:order-42');
    expect(served.map((s) => s.role)).toEqual(['start', 'resume']);
    expect(served[0]!.peerGoneAtMs).toBeDefined();
    expect(served[1]!.lastEventId).toBe(lastEventId);
    expect(generation!.requestIds).toEqual([first.requestId, second.requestId]);
    // Replayed events are recorded on the resume request, at their replay time.
    expect(served[1]!.emitted.map((e) => e.id)).toEqual(second.events.map((e) => e.id));
    expect(served[1]!.emitted[0]!.atMs).toBeGreaterThanOrEqual(served[1]!.receivedAtMs);
  });

  test('the generation runs on with no reader (wasted tokens); an Idempotency-Key reconnect replays it all', async () => {
    const script = { tokens: 20, tokenIntervalMs: 2 };
    const llm = await startLlm({ mode: 'resumable', script });
    const headers = { 'idempotency-key': 'order-43' };
    const first = await stream(llm, ANTHROPIC, anthropicBody, { headers, abortWhen: (r) => tokenEvents(r).length === 3 });
    const generation = await llm.waitFor('generation-end', (g) => g.logicalKey === 'idem:order-43');
    expect(generation.state).toBe('completed');
    const deliveredTokens = llm.ledger.request(first.requestId)!.emitted.filter((e) => e.carriesToken).length;
    expect(generation.wastedTokens).toBe(20 - deliveredTokens);
    expect(generation.wastedTokens).toBeGreaterThan(0);

    const again = await stream(llm, ANTHROPIC, anthropicBody, { headers });
    expect(again.events.map(seqOf)).toEqual(again.events.map((_, i) => i));
    expect(again.events.at(-1)!.event).toBe('message_stop');
    expect(assembledText(again)).toBe(scriptedText(parseStreamScript(script)));
    expect(llm.ledger.billedGenerations('idem:order-43')).toBe(1);
    expect(llm.ledger.request(again.requestId)).toMatchObject({ role: 'resume', generationId: generation.generationId });
  });

  test('an unknown Last-Event-ID is refused with 410', async () => {
    const llm = await startLlm({ mode: 'resumable' });
    const got = await stream(llm, OPENAI, openaiBody, { headers: { 'last-event-id': 'gen_nope.3' } });
    expect(got.status).toBe(410);
    expect(JSON.parse(got.text).error.message).toContain('gen_nope.3');
    expect(llm.ledger.generations()).toHaveLength(0);
  });
});

describe('requests that are not served', () => {
  test('404, 400 for bad JSON and non-stream requests, healthz', async () => {
    const llm = await startLlm({ mode: 'stateless' });
    const post = (path: string, body: string) =>
      request(`${llm.url()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const notFound = await post('/v1/completions', '{}');
    expect(notFound.statusCode).toBe(404);
    expect(((await notFound.body.json()) as any).error.message).toContain('/v1/completions');
    const badJson = await post(OPENAI, '{nope');
    expect(badJson.statusCode).toBe(400);
    await badJson.body.dump();
    const notStreaming = await post(ANTHROPIC, JSON.stringify({ ...anthropicBody, stream: false }));
    expect(notStreaming.statusCode).toBe(400);
    expect(await notStreaming.body.json()).toMatchObject({ type: 'error', error: { message: expect.stringContaining('only streams') } });
    const health = await request(`${llm.url()}/healthz`);
    expect(health.statusCode).toBe(200);
    expect(await health.body.text()).toBe('ok');
    expect(llm.ledger.generations()).toHaveLength(0);
  });

  test('otherPaths: a POST on any other path is answered in that wire format (validate --path, a proxy rewriting it)', async () => {
    const llm = await startLlm({ mode: 'stateless', otherPaths: 'openai', script: { tokens: 2, tokenIntervalMs: 0 } });
    const res = await request(`${llm.url()}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(openaiBody) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    expect(await res.body.text()).toMatch(/"chat\.completion\.chunk"[\s\S]*data: \[DONE\]/);
    expect(llm.ledger.generations()).toHaveLength(1);
  });
});

describe('script validation', () => {
  test('reports every bad field at once', () => {
    let error: unknown;
    try {
      parseStreamScript({ tokens: 2.5, tokenIntervalMs: -1, finishReason: 'done', toolCall: { afterTokens: 1 }, tokenInterval: 5 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StreamScriptError);
    const message = (error as Error).message;
    for (const field of ['tokens:', 'tokenIntervalMs:', 'finishReason:', 'toolCall.pauseSeconds:', 'tokenInterval']) {
      expect(message).toContain(field);
    }
    expect((error as StreamScriptError).problems).toHaveLength(5);
  });

  test('cross-field limits, defaults', () => {
    expect(() => parseStreamScript({ tokens: 5, toolCall: { afterTokens: 3, pauseSeconds: 1 } })).toThrow(/toolCall\.afterTokens/);
    expect(parseStreamScript({})).toEqual({
      tokens: 24,
      tokenIntervalMs: 20,
      firstTokenDelayMs: 0,
      heartbeatFormat: 'comment',
      finishReason: 'stop',
      accelBufferingHeader: false,
    });
  });

  test('a bad per-request script header is a 400 naming the field; a good one overrides the server script', async () => {
    const llm = await startLlm({ mode: 'stateless', script: { tokens: 6, tokenIntervalMs: 1, errorAfterTokens: 2 } });
    const bad = await stream(llm, OPENAI, openaiBody, { headers: { [SCRIPT_HEADER]: '{"tokens":0,"heartbeatSeconds":"x"}' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('tokens');
    expect(bad.text).toContain('heartbeatSeconds');
    expect(llm.ledger.generations()).toHaveLength(0);

    // null clears the server's errorAfterTokens for this request.
    const good = await stream(llm, OPENAI, openaiBody, { headers: { [SCRIPT_HEADER]: '{"tokens":3,"errorAfterTokens":null}' } });
    expect(tokenEvents(good)).toHaveLength(3);
    expect(good.events.at(-1)!.data).toBe('[DONE]');
  });
});

describe('binding and shutdown', () => {
  test('all hosts share one port', async () => {
    const llm = await startLlm({ mode: 'stateless', hosts: ['127.0.0.1', '127.0.0.2'] });
    for (const host of llm.hosts) {
      expect(llm.url(host)).toBe(`http://${host}:${llm.port}`);
      expect((await request(`${llm.url(host)}/healthz`)).statusCode).toBe(200);
    }
  });

  test('a taken port is STREAMPROOF_PORT_TAKEN, with a fix', async () => {
    const llm = await startLlm({ mode: 'stateless' });
    const error = await MockLlm.start({ mode: 'stateless', port: llm.port }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STREAMPROOF_PORT_TAKEN' });
    expect((error as Error).message).toContain(`127.0.0.1:${llm.port}`);
    expect((error as Error).message).toMatch(/\nTo fix: .+$/);
  });

  test('an address this machine lacks is STREAMPROOF_BIND_FAILED, and the hosts already bound are released', async () => {
    const error = await MockLlm.start({ mode: 'stateless', hosts: ['127.0.0.1', '192.0.2.1'] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STREAMPROOF_BIND_FAILED', host: '192.0.2.1' });
    expect((error as Error).message).toMatch(/\nTo fix: .+$/);
    // The port the first host got is free again.
    const port = (error as { port: number }).port;
    const again = await startLlm({ mode: 'stateless', port });
    expect(again.port).toBe(port);
  });

  test('close() cuts open streams and stops their generations', async () => {
    const llm = await MockLlm.start({ mode: 'resumable', script: { tokens: 1000, tokenIntervalMs: 10 } });
    const reading = stream(llm, OPENAI, openaiBody).catch((e: unknown) => e);
    const served = await llm.waitFor('request');
    await llm.close();
    expect(await reading).toBeInstanceOf(Error);
    expect(llm.ledger.generation(served.generationId)!.state).toBe('stopped');
    expect(served.peerGoneAtMs).toBeUndefined();
    expect(served.endedAtMs).toBeDefined();
  });

  test('waitFor rejects with a clear message on timeout', async () => {
    const llm = await startLlm({ mode: 'stateless' });
    await expect(llm.waitFor('generation-end', () => true, 20)).rejects.toThrow(/no matching 'generation-end' event within 20 ms/);
  });
});
