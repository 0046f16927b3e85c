/**
 * OpenAI Chat Completions streaming (`POST /v1/chat/completions`, `stream: true`): `data:` lines of
 * `chat.completion.chunk` JSON, ended by `data: [DONE]`. No `event:` names; heartbeats are comments.
 */
import type { ScriptedEvent, TimedBeat } from './script.ts';

export interface OpenAiStreamContext {
  generationId: string;
  model: string;
  /** Unix seconds, as in the `created` field. */
  createdSeconds: number;
  promptTokens: number;
  /** `stream_options.include_usage`: every chunk carries `usage: null`, then a usage-only chunk. */
  includeUsage: boolean;
}

export function openaiEvents(beats: TimedBeat[], ctx: OpenAiStreamContext): ScriptedEvent[] {
  const suffix = ctx.generationId.replace(/^gen_/, '');
  const chunk = (choices: unknown[], usage: unknown = null) =>
    JSON.stringify({
      id: `chatcmpl-${suffix}`,
      object: 'chat.completion.chunk',
      created: ctx.createdSeconds,
      model: ctx.model,
      system_fingerprint: 'fp_streamproof',
      choices,
      ...(ctx.includeUsage ? { usage } : {}),
    });
  const delta = (d: object, finishReason: string | null = null) =>
    chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }]);

  const events: ScriptedEvent[] = [];
  for (const beat of beats) {
    const at = events.length;
    const push = (data: string, carriesToken = false) => events.push({ data, carriesToken, delayMs: 0 });
    switch (beat.kind) {
      case 'open':
        push(delta({ role: 'assistant', content: '' }));
        break;
      case 'text':
        push(delta({ content: beat.text }), true);
        break;
      case 'tool-call':
        push(delta({ tool_calls: [{ index: 0, id: `call_${suffix}`, type: 'function', function: { name: beat.name, arguments: '' } }] }));
        break;
      case 'tool-args':
        push(delta({ tool_calls: [{ index: 0, function: { arguments: beat.text } }] }), true);
        break;
      case 'finish': {
        // As the API does: an empty delta carries finish_reason, then usage (if asked), then [DONE].
        push(delta({}, beat.reason));
        const completion = beat.completionTokens;
        if (ctx.includeUsage) {
          push(chunk([], { prompt_tokens: ctx.promptTokens, completion_tokens: completion, total_tokens: ctx.promptTokens + completion }));
        }
        push('[DONE]');
        break;
      }
      case 'error':
        push(JSON.stringify({ error: { message: beat.message, type: 'server_error', param: null, code: null } }));
        break;
    }
    events[at]!.delayMs = beat.delayMs;
  }
  return events;
}
