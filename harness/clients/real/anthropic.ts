/**
 * `@anthropic-ai/sdk` (the official SDK): `client.messages.create({ stream: true })`, events
 * iterated for their text and tool-input deltas. SDK defaults unless stated.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsStreaming } from '@anthropic-ai/sdk/resources/messages';
import { packageVersion, sdkClient } from './recording-fetch.ts';
import type { ClientRequest, StatedClientOptions } from './types.ts';

export const ANTHROPIC_VERSION = packageVersion('@anthropic-ai/sdk');

/** The SDK pointed at the path: baseURL = the path's URL, apiKey 'test', its fetch recorded. */
export function anthropicSdk(url: string, stated: StatedClientOptions, fetch?: typeof globalThis.fetch): Anthropic {
  return new Anthropic({
    apiKey: 'test',
    baseURL: url.replace(/\/+$/, ''),
    ...(stated.maxRetries !== undefined ? { maxRetries: stated.maxRetries } : {}),
    ...(stated.timeoutMs !== undefined ? { timeout: stated.timeoutMs } : {}),
    ...(fetch ? { fetch } : {}),
  });
}

export function anthropicOptions(stated: StatedClientOptions) {
  const sdk = anthropicSdk('http://127.0.0.1', stated);
  return { maxRetries: sdk.maxRetries, timeoutMs: sdk.timeout };
}

/** The body as the SDK's streaming params. */
export function anthropicParams(request: ClientRequest): MessageCreateParamsStreaming {
  return { ...(request.body as unknown as MessageCreateParamsStreaming), stream: true };
}

export const anthropicClient = sdkClient({
  name: 'anthropic',
  version: ANTHROPIC_VERSION,
  formats: ['anthropic'],
  description: '@anthropic-ai/sdk: messages.create({ stream: true }), events iterated',
  options: anthropicOptions,
  sdk: anthropicSdk,
  async drive(sdk, request, call) {
    const stream = await sdk.messages.create(anthropicParams(request), call);
    let text = '';
    for await (const event of stream) {
      if (event.type !== 'content_block_delta') continue;
      if (event.delta.type === 'text_delta') text += event.delta.text;
      else if (event.delta.type === 'input_json_delta') text += event.delta.partial_json;
    }
    return text;
  },
});
