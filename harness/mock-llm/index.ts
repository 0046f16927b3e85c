export { EVENTSOURCE_PATH, MockLlm, MockLlmBindError, SCRIPT_HEADER } from './server.ts';
export type { MockLlmEvent, MockLlmEvents, MockLlmOptions, ServerMode, WireFormat } from './server.ts';
export { BillingLedger, logicalKeyFor, promptTokensFor } from './ledger.ts';
export {
  StreamScript,
  StreamScriptError,
  ToolCallScript,
  TOOL_ARGUMENT_TOKENS,
  mergeStreamScript,
  parseStreamScript,
  planGeneration,
  scriptedText,
} from './script.ts';
export type { Beat, ScriptedEvent, TimedBeat } from './script.ts';
export { openaiEvents } from './openai-format.ts';
export type { OpenAiStreamContext } from './openai-format.ts';
export { ANTHROPIC_PING, anthropicEvents } from './anthropic-format.ts';
export type { AnthropicStreamContext } from './anthropic-format.ts';
