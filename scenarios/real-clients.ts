/**
 * The clients of the real-client scenarios (issue 8): each real SDK client in the format it
 * speaks, and the harness's naive and resumable clients for reference (OpenAI format; the
 * resumable one against a resumable origin, as it needs one).
 */
import type { ScenarioSpec } from '../harness/index.ts';

export interface MatrixClient {
  client: ScenarioSpec['client'];
  format: 'openai' | 'anthropic';
  mode: 'stateless' | 'resumable';
}

export const SDK_CLIENTS: MatrixClient[] = [
  { client: 'openai', format: 'openai', mode: 'stateless' },
  { client: 'openai-stream-helper', format: 'openai', mode: 'stateless' },
  { client: 'anthropic', format: 'anthropic', mode: 'stateless' },
  { client: 'anthropic-stream-helper', format: 'anthropic', mode: 'stateless' },
];

export const REFERENCE_CLIENTS: MatrixClient[] = [
  { client: 'naive', format: 'openai', mode: 'stateless' },
  { client: 'resumable', format: 'openai', mode: 'resumable' },
];

/** 24 tokens, a tool call after 8, a 70 s pause (scaled). */
export const TOOL_PAUSE = { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: 70 } } as const;

/** The same expectation for every SDK client (where the four behaved alike). */
export function everySdk<T>(expectation: T): Record<string, T> {
  return Object.fromEntries(SDK_CLIENTS.map(({ client }) => [client as string, expectation]));
}
