/**
 * What the mock LLM is told to do for one generation, and the plan of "beats" (what happens when)
 * that the wire formats turn into SSE events.
 */
import { z } from 'zod';
import { StreamproofError } from '../errors.ts';

/** Arguments the scripted tool call streams, one piece per token (they count as completion tokens). */
export const TOOL_ARGUMENT_TOKENS = ['{"query":', ' "status', ' of order', ' 42"', '}'] as const;
const DEFAULT_TOOL_NAME = 'lookup_order';

const nonNegative = z.number().nonnegative();

export const ToolCallScript = z.strictObject({
  /** Completion tokens generated before the tool call. */
  afterTokens: z.int().nonnegative(),
  /** Silence after the tool call, in scenario seconds (multiplied by the time scale). */
  pauseSeconds: nonNegative,
  name: z.string().min(1).optional(),
});

export const StreamScript = z
  .strictObject({
    /** Completion tokens in total: content tokens plus tool-call argument tokens. */
    tokens: z.int().positive().default(24),
    /** Real milliseconds between tokens (not scaled). */
    tokenIntervalMs: nonNegative.default(20),
    /** Real milliseconds before the first token (not scaled). */
    firstTokenDelayMs: nonNegative.default(0),
    /**
     * Scenario seconds (scaled) between the request and the response head, the generation already
     * started (billed): a model queued or prefilling behind a server that sends the head only when
     * the first event is ready. The events then follow on the script's own timing.
     */
    headDelaySeconds: nonNegative.optional(),
    toolCall: ToolCallScript.optional(),
    /** Scenario seconds (scaled): during a longer silence, write a heartbeat this often. */
    heartbeatSeconds: z.number().positive().optional(),
    /** `comment`: `: keep-alive` lines; `anthropic-ping`: an `event: ping` event with data `{"type": "ping"}`, in either format. */
    heartbeatFormat: z.enum(['comment', 'anthropic-ping']).default('comment'),
    finishReason: z.enum(['stop', 'length']).default('stop'),
    /** Send the format's error event once this many tokens are out, and end the response. */
    errorAfterTokens: z.int().nonnegative().optional(),
    /** Send `X-Accel-Buffering: no` (real providers do not; nginx obeys it). */
    accelBufferingHeader: z.boolean().default(false),
  })
  .superRefine((script, ctx) => {
    // Only a tool call the script has can be too long (an invalid `tokens` is reported on its own).
    const toolTokens = script.toolCall ? script.toolCall.afterTokens + TOOL_ARGUMENT_TOKENS.length : 0;
    if (script.toolCall && toolTokens > script.tokens) {
      ctx.addIssue({
        code: 'custom',
        path: ['toolCall', 'afterTokens'],
        message: `afterTokens + ${TOOL_ARGUMENT_TOKENS.length} tool-argument tokens must be <= tokens (${script.tokens})`,
      });
    }
    if (script.errorAfterTokens !== undefined && script.errorAfterTokens > script.tokens) {
      ctx.addIssue({
        code: 'custom',
        path: ['errorAfterTokens'],
        message: `must be <= tokens (${script.tokens})`,
      });
    }
  });

export type StreamScript = z.output<typeof StreamScript>;
export type ToolCallScript = z.output<typeof ToolCallScript>;
export class StreamScriptError extends StreamproofError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      'STREAMPROOF_BAD_SCRIPT',
      `invalid stream script:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      'correct the script fields named above (harness/mock-llm/script.ts documents each)',
    );
    this.name = 'StreamScriptError';
    this.problems = problems;
  }
}

/** Validates a whole script (defaults filled in). Throws StreamScriptError naming every bad field. */
export function parseStreamScript(input: unknown): StreamScript {
  const result = StreamScript.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new StreamScriptError(
    result.error.issues.map((issue) => `${issue.path.join('.') || '(script)'}: ${issue.message}`),
  );
}

/** `base` with `overrides` (JSON from a request header) laid over it, validated; null clears a key. */
export function mergeStreamScript(base: Partial<StreamScript>, overrides: unknown): StreamScript {
  if (overrides === undefined || overrides === null) return parseStreamScript(base);
  if (typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new StreamScriptError(['(script): expected a JSON object']);
  }
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return parseStreamScript(merged);
}

// ─── The plan: format-neutral beats with the silence before each ────────────────────────────────

export type Beat =
  | { kind: 'open' }
  | { kind: 'text'; text: string }
  | { kind: 'tool-call'; name: string }
  | { kind: 'tool-args'; text: string }
  | { kind: 'finish'; reason: 'stop' | 'length'; completionTokens: number }
  | { kind: 'error'; message: string };

/** A beat and the silence (real ms) that precedes it. */
export type TimedBeat = Beat & { delayMs: number };

/** One SSE event a wire format made of the plan, before the server adds its `id:`. */
export interface ScriptedEvent {
  event?: string;
  /** One line of JSON (or `[DONE]`): never contains a newline. */
  data: string;
  carriesToken: boolean;
  /** Silence before this event, real ms (the first event of a beat takes the beat's delay). */
  delayMs: number;
}

export function carriesToken(beat: Beat): boolean {
  return beat.kind === 'text' || beat.kind === 'tool-args';
}

function contentToken(index: number): string {
  return `w${index} `;
}

/**
 * Content tokens the text holds more than once. Within one generation every content token is
 * unique (`w0 `, `w1 `, ...), so a repeat means the caller's answer took in a second generation
 * or a replay: the user reads those words twice.
 */
export function repeatedContentTokens(text: string): number {
  const tokens = text.match(/\bw\d+ /g) ?? [];
  return tokens.length - new Set(tokens).size;
}

/** The beats of one generation. `timeScale` multiplies the tool pause only. */
export function planGeneration(script: StreamScript, timeScale: number): TimedBeat[] {
  const beats: TimedBeat[] = [{ kind: 'open', delayMs: 0 }];
  const tool = script.toolCall;
  const contentTokens = script.tokens - (tool ? TOOL_ARGUMENT_TOKENS.length : 0);
  // The silence before the next token-time beat: first token delay, then the interval, or the pause.
  let nextDelayMs = script.firstTokenDelayMs;
  const addToolCall = () => {
    if (!tool) return;
    beats.push({ kind: 'tool-call', name: tool.name ?? DEFAULT_TOOL_NAME, delayMs: nextDelayMs });
    for (const text of TOOL_ARGUMENT_TOKENS) beats.push({ kind: 'tool-args', text, delayMs: script.tokenIntervalMs });
    nextDelayMs = tool.pauseSeconds * 1000 * timeScale;
  };
  for (let i = 0; i < contentTokens; i++) {
    if (tool && i === tool.afterTokens) addToolCall();
    beats.push({ kind: 'text', text: contentToken(i), delayMs: nextDelayMs });
    nextDelayMs = script.tokenIntervalMs;
  }
  const toolAtEnd = tool !== undefined && tool.afterTokens === contentTokens;
  if (toolAtEnd) addToolCall();
  // The finish follows the last token at once, unless the tool pause is still pending.
  beats.push({ kind: 'finish', reason: script.finishReason, completionTokens: script.tokens, delayMs: toolAtEnd ? nextDelayMs : 0 });

  if (script.errorAfterTokens === undefined) return beats;
  // The error takes the place (and the timing) of whatever came after the Nth token.
  let tokensOut = 0;
  let at = beats.length - 1;
  for (let i = 1; i < beats.length; i++) {
    if (tokensOut === script.errorAfterTokens) {
      at = i;
      break;
    }
    if (carriesToken(beats[i]!)) tokensOut++;
  }
  const message = `scripted failure after ${script.errorAfterTokens} tokens`;
  return [...beats.slice(0, at), { kind: 'error', message, delayMs: beats[at]!.delayMs }];
}

/** The assistant text a client should assemble: content deltas and tool-argument deltas, in order. */
export function scriptedText(script: StreamScript): string {
  return planGeneration(script, 0)
    .map((beat) => (beat.kind === 'text' || beat.kind === 'tool-args' ? beat.text : ''))
    .join('');
}
