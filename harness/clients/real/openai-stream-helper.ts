/**
 * `openai` (the official SDK) through its streaming helper: `client.chat.completions.stream(...)`,
 * answered by `finalChatCompletion()`, the helper's assembled result.
 */
import { OPENAI_VERSION, openaiOptions, openaiParams, openaiSdk } from './openai.ts';
import { sdkClient } from './recording-fetch.ts';

export const openaiStreamHelperClient = sdkClient({
  name: 'openai-stream-helper',
  version: OPENAI_VERSION,
  formats: ['openai'],
  description: 'openai SDK: chat.completions.stream(...) and finalChatCompletion()',
  options: openaiOptions,
  sdk: openaiSdk,
  async drive(sdk, request, call) {
    const final = await sdk.chat.completions.stream(openaiParams(request), call).finalChatCompletion();
    const message = final.choices[0]?.message;
    const args = (message?.tool_calls ?? []).map((toolCall) => (toolCall.type === 'function' ? toolCall.function.arguments : '')).join('');
    return (message?.content ?? '') + args;
  },
});
