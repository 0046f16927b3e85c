/**
 * `@anthropic-ai/sdk` (the official SDK) through its streaming helper: `client.messages.stream(...)`,
 * answered by `finalMessage()`, the helper's assembled message.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { ANTHROPIC_VERSION, anthropicOptions, anthropicSdk } from './anthropic.ts';
import { createFetchRecorder, sdkClientRun } from './recording-fetch.ts';
import type { ClientDefinition } from './types.ts';

type MessageStreamParams = Parameters<Anthropic['messages']['stream']>[0];

export const anthropicStreamHelperClient: ClientDefinition = {
  name: 'anthropic-stream-helper',
  version: ANTHROPIC_VERSION,
  formats: ['anthropic'],
  description: '@anthropic-ai/sdk: messages.stream(...) and finalMessage()',
  create(stated) {
    const client = { name: 'anthropic-stream-helper', version: ANTHROPIC_VERSION, options: anthropicOptions(stated) };
    return {
      ...client,
      run: (request) => {
        const recorder = createFetchRecorder(request);
        const sdk = anthropicSdk(request.url, stated, recorder.fetch);
        return sdkClientRun(recorder, client, request, async (signal) => {
          const { stream: _stream, ...params } = request.body as unknown as MessageStreamParams & { stream?: boolean };
          const helper = sdk.messages.stream(params, { signal, ...(request.headers ? { headers: request.headers } : {}) });
          const message = await helper.finalMessage();
          return message.content
            .map((block) => (block.type === 'text' ? block.text : block.type === 'tool_use' ? JSON.stringify(block.input) : ''))
            .join('');
        });
      },
    };
  },
};
