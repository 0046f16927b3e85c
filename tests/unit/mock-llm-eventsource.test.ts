/**
 * The mock LLM's EventSource-style endpoint (GET /v1/chat/completions/stream): OpenAI chunks with
 * an `id:` on every event in both modes; `Last-Event-ID` resumes in resumable mode (billed once)
 * and is ignored in stateless mode (a new generation, billed again).
 */
import { createParser } from 'eventsource-parser';
import type { EventSourceMessage } from 'eventsource-parser';
import { request } from 'undici';
import { afterEach, describe, expect, test } from 'vitest';
import { EVENTSOURCE_PATH, MockLlm, logicalKeyFor, parseStreamScript, scriptedText } from '../../harness/mock-llm/index.ts';
import type { ServerMode } from '../../harness/mock-llm/index.ts';

const started: MockLlm[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((llm) => llm.close()));
});

const script = { tokens: 20, tokenIntervalMs: 5 };
const model = 'gpt-test';
const messages = [{ role: 'user', content: 'Where is my order?' }];
const key = logicalKeyFor({ model, messages });
const query = `?model=${model}&messages=${encodeURIComponent(JSON.stringify(messages))}`;

async function startLlm(mode: ServerMode): Promise<MockLlm> {
  const llm = await MockLlm.start({ mode, script });
  started.push(llm);
  return llm;
}

/** GETs the endpoint and reads events until the end, or until `stopAfter` events (then aborts). */
async function get(llm: MockLlm, search: string, headers: Record<string, string> = {}, stopAfter = Infinity) {
  const controller = new AbortController();
  const res = await request(`${llm.url()}${EVENTSOURCE_PATH}${search}`, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: EventSourceMessage[] = [];
  let text = '';
  const parser = createParser({ onEvent: (event) => events.push(event) });
  res.body.setEncoding('utf8');
  try {
    for await (const chunk of res.body as AsyncIterable<string>) {
      if (res.statusCode !== 200) text += chunk;
      else parser.feed(chunk);
      if (events.length >= stopAfter) controller.abort();
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return { status: res.statusCode, contentType: res.headers['content-type'], events: events.slice(0, stopAfter), text };
}

const content = (events: EventSourceMessage[]) =>
  events
    .filter((e) => e.data !== '[DONE]')
    .map((e) => (JSON.parse(e.data) as { choices: Array<{ delta?: { content?: string } }> }).choices[0]?.delta?.content ?? '')
    .join('');

describe('EventSource endpoint', () => {
  test.each(['stateless', 'resumable'] as const)('%s: OpenAI chunks, an id on every event, [DONE], billed under the prompt', async (mode) => {
    const llm = await startLlm(mode);
    const got = await get(llm, query);
    expect(got.status).toBe(200);
    expect(got.contentType).toMatch(/^text\/event-stream/);
    expect(got.events.every((e) => /^gen_[0-9a-f]+\.\d+$/.test(e.id ?? ''))).toBe(true);
    expect(got.events.at(-1)!.data).toBe('[DONE]');
    expect(content(got.events)).toBe(scriptedText(parseStreamScript(script)));
    expect(llm.ledger.billedGenerations(key)).toBe(1);
  });

  test('resumable: Last-Event-ID replays after the id; one generation', async () => {
    const llm = await startLlm('resumable');
    const first = await get(llm, query, {}, 6);
    const second = await get(llm, query, { 'last-event-id': first.events.at(-1)!.id! });
    const seqs = [...first.events, ...second.events].map((e) => Number(e.id!.split('.')[1]));
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(second.events.at(-1)!.data).toBe('[DONE]');
    expect(llm.ledger.billedGenerations(key)).toBe(1);
    expect(llm.ledger.servedFor(key).map((s) => s.role)).toEqual(['start', 'resume']);
  });

  test('stateless: Last-Event-ID is ignored; the reconnect is a new generation, billed again', async () => {
    const llm = await startLlm('stateless');
    const first = await get(llm, query, {}, 6);
    const second = await get(llm, query, { 'last-event-id': first.events.at(-1)!.id! });
    expect(Number(second.events[0]!.id!.split('.')[1])).toBe(0);
    expect(second.events[0]!.id!.split('.')[0]).not.toBe(first.events[0]!.id!.split('.')[0]);
    expect(content(second.events)).toBe(scriptedText(parseStreamScript(script)));
    expect(llm.ledger.billedGenerations(key)).toBe(2);
    expect(llm.ledger.servedFor(key).map((s) => s.role)).toEqual(['start', 'start']);
  });

  test('a POST is 405, a query without model/messages is 400', async () => {
    const llm = await startLlm('stateless');
    const post = await request(`${llm.url()}${EVENTSOURCE_PATH}${query}`, { method: 'POST', body: '{}' });
    expect(post.statusCode).toBe(405);
    await post.body.dump();
    const bad = await get(llm, '?model=x&messages=nope');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('messages=<JSON array>');
  });
});
