/**
 * `openai` (the official SDK) through its streaming helper: `client.chat.completions.stream(...)`,
 * answered by `finalChatCompletion()`, the helper's assembled result.
 */
import { OPENAI_VERSION, openaiOptions, openaiParams, openaiSdk } from './openai.ts';
import { createFetchRecorder, sdkClientRun } from './recording-fetch.ts';
import type { ClientDefinition } from './types.ts';

export const openaiStreamHelperClient: ClientDefinition = {
  name: 'openai-stream-helper',
  version: OPENAI_VERSION,
  formats: ['openai'],
  description: 'openai SDK: chat.completions.stream(...) and finalChatCompletion()',
  create(stated) {
    const client = { name: 'openai-stream-helper', version: OPENAI_VERSION, options: openaiOptions(stated) };
    return {
      ...client,
      run: (request) => {
        const recorder = createFetchRecorder(request);
        const sdk = openaiSdk(request.url, stated, recorder.fetch);
        return sdkClientRun(recorder, client, request, async (signal) => {
          const runner = sdk.chat.completions.stream(openaiParams(request), { signal, ...(request.headers ? { headers: request.headers } : {}) });
          const final = await runner.finalChatCompletion();
          const message = final.choices[0]?.message;
          const args = (message?.tool_calls ?? []).map((call) => (call.type === 'function' ? call.function.arguments : '')).join('');
          return (message?.content ?? '') + args;
        });
      },
    };
  },
};
