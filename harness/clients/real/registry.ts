/**
 * Every client a scenario can name. Adding a client: one file exporting a ClientDefinition
 * (./types.ts), and its line here.
 */
import { anthropicStreamHelperClient } from './anthropic-stream-helper.ts';
import { anthropicClient } from './anthropic.ts';
import { browserEventSourceClient } from './browser-eventsource.ts';
import { eventsourceClient } from './eventsource.ts';
import { naiveClient, recorderClient, resumableClient } from './harness-clients.ts';
import { openaiStreamHelperClient } from './openai-stream-helper.ts';
import { openaiClient } from './openai.ts';
import type { ClientDefinition } from './types.ts';

const DEFINITIONS = [
  recorderClient,
  naiveClient,
  resumableClient,
  openaiClient,
  openaiStreamHelperClient,
  anthropicClient,
  anthropicStreamHelperClient,
  eventsourceClient,
  browserEventSourceClient,
] as const satisfies readonly ClientDefinition[];

export const CLIENT_NAMES = DEFINITIONS.map((definition) => definition.name) as [string, ...string[]];

export function clientDefinition(name: string): ClientDefinition {
  const definition = DEFINITIONS.find((candidate) => candidate.name === name);
  if (!definition) throw new Error(`no client '${name}' (have: ${CLIENT_NAMES.join(', ')})`);
  return definition;
}

export type { ClientDefinition, ClientRequest, ScenarioClient, StatedClientOptions } from './types.ts';
