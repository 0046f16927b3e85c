/**
 * What the EventSource client tests share (the `eventsource` package's and the browser's): one
 * request, its script and full text, and origins closed after each test: the mock LLM, or a bare
 * Node server for what the mock LLM never does (a non-200, a clean close without [DONE]).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { MockLlm, parseStreamScript, scriptedText, type ServerMode } from '../../harness/mock-llm/index.ts';

export const body = { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true };
export const script = { tokens: 12, tokenIntervalMs: 2 };
export const fullText = scriptedText(parseStreamScript(script));

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Closed after the test. */
export function closeAfterTest(close: () => Promise<void>): void {
  closers.push(close);
}

export async function llm(mode: ServerMode): Promise<MockLlm> {
  const started = await MockLlm.start({ mode, script });
  closeAfterTest(() => started.close());
  return started;
}

export async function origin(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeAfterTest(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
