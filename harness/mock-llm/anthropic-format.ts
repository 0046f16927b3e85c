/**
 * Anthropic Messages streaming (`POST /v1/messages`, `stream: true`): named events
 * (`event: NAME` + `data: {"type": NAME, ...}`), content in indexed blocks, ended by `message_stop`.
 */
import type { ScriptedEvent, TimedBeat } from './script.ts';

export interface AnthropicStreamContext {
  generationId: string;
  model: string;
  promptTokens: number;
}

/** The API's own keep-alive event, usable as a heartbeat instead of an SSE comment. */
export const ANTHROPIC_PING = { event: 'ping', data: JSON.stringify({ type: 'ping' }) } as const;

const STOP_REASON = { stop: 'end_turn', length: 'max_tokens' } as const;

export function anthropicEvents(beats: TimedBeat[], ctx: AnthropicStreamContext): ScriptedEvent[] {
  const suffix = ctx.generationId.replace(/^gen_/, '');
  const events: ScriptedEvent[] = [];
  const push = (type: string, payload: object, carriesToken = false) =>
    events.push({ event: type, data: JSON.stringify({ type, ...payload }), carriesToken, delayMs: 0 });

  let index = -1;
  let openBlock: 'text' | 'tool_use' | undefined;
  const startBlock = (
    contentBlock: { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: object },
  ) => {
    index++;
    openBlock = contentBlock.type;
    push('content_block_start', { index, content_block: contentBlock });
  };
  const stopBlock = () => {
    if (openBlock) push('content_block_stop', { index });
    openBlock = undefined;
  };

  beats.forEach((beat, i) => {
    const at = events.length;
    switch (beat.kind) {
      case 'open':
        push('message_start', {
          message: {
            id: `msg_${suffix}`,
            type: 'message',
            role: 'assistant',
            model: ctx.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: ctx.promptTokens, output_tokens: 1 },
          },
        });
        push('ping', {});
        break;
      case 'text':
        if (openBlock !== 'text') {
          stopBlock();
          startBlock({ type: 'text', text: '' });
        }
        push('content_block_delta', { index, delta: { type: 'text_delta', text: beat.text } }, true);
        break;
      case 'tool-call':
        stopBlock();
        startBlock({ type: 'tool_use', id: `toolu_${suffix}`, name: beat.name, input: {} });
        break;
      case 'tool-args':
        push('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: beat.text } }, true);
        // The tool_use block closes right after its last argument, before the pause.
        if (beats[i + 1]?.kind !== 'tool-args') stopBlock();
        break;
      case 'finish':
        stopBlock();
        push('message_delta', {
          delta: { stop_reason: STOP_REASON[beat.reason], stop_sequence: null },
          usage: { output_tokens: beat.completionTokens },
        });
        push('message_stop', {});
        break;
      case 'error':
        push('error', { error: { type: 'api_error', message: beat.message } });
        break;
    }
    events[at]!.delayMs = beat.delayMs;
  });
  return events;
}
