/**
 * `@anthropic-ai/sdk` (the official SDK) through its streaming helper: `client.messages.stream(...)`,
 * answered by `finalMessage()`, the helper's assembled message.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { ANTHROPIC_VERSION, anthropicOptions, anthropicSdk } from './anthropic.ts';
import { sdkClient } from './recording-fetch.ts';

type MessageStreamParams = Parameters<Anthropic['messages']['stream']>[0];

export const anthropicStreamHelperClient = sdkClient({
  name: 'anthropic-stream-helper',
  version: ANTHROPIC_VERSION,
  formats: ['anthropic'],
  description: '@anthropic-ai/sdk: messages.stream(...) and finalMessage()',
  options: anthropicOptions,
  sdk: anthropicSdk,
  async drive(sdk, request, call) {
    const { stream: _stream, ...params } = request.body as unknown as MessageStreamParams & { stream?: boolean };
    const message = await sdk.messages.stream(params, call).finalMessage();
    return message.content
      .map((block) => (block.type === 'text' ? block.text : block.type === 'tool_use' ? JSON.stringify(block.input) : ''))
      .join('');
  },
});
