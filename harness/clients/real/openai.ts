/**
 * `openai` (the official SDK): `client.chat.completions.create({ stream: true })`, iterated the way
 * its README does (`chunk.choices[0]?.delta?.content || ''`). SDK defaults unless stated.
 */
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { packageVersion, sdkClient } from './recording-fetch.ts';
import type { ClientRequest, StatedClientOptions } from './types.ts';

export const OPENAI_VERSION = packageVersion('openai');

/** The SDK pointed at the path: baseURL `${url}/v1`, apiKey 'test', its fetch recorded. */
export function openaiSdk(url: string, stated: StatedClientOptions, fetch?: typeof globalThis.fetch): OpenAI {
  return new OpenAI({
    apiKey: 'test',
    baseURL: `${url.replace(/\/+$/, '')}/v1`,
    ...(stated.maxRetries !== undefined ? { maxRetries: stated.maxRetries } : {}),
    ...(stated.timeoutMs !== undefined ? { timeout: stated.timeoutMs } : {}),
    ...(fetch ? { fetch } : {}),
  });
}

export function openaiOptions(stated: StatedClientOptions) {
  const sdk = openaiSdk('http://127.0.0.1', stated);
  return { maxRetries: sdk.maxRetries, timeoutMs: sdk.timeout };
}

/** The body as the SDK's streaming params. */
export function openaiParams(request: ClientRequest): ChatCompletionCreateParamsStreaming {
  return { ...(request.body as unknown as ChatCompletionCreateParamsStreaming), stream: true };
}

export const openaiClient = sdkClient({
  name: 'openai',
  version: OPENAI_VERSION,
  formats: ['openai'],
  description: 'openai SDK: chat.completions.create({ stream: true }), chunks iterated',
  options: openaiOptions,
  sdk: openaiSdk,
  async drive(sdk, request, call) {
    const stream = await sdk.chat.completions.create(openaiParams(request), call);
    let text = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      text += delta?.content || '';
      for (const toolCall of delta?.tool_calls ?? []) text += toolCall.function?.arguments ?? '';
    }
    return text;
  },
});
