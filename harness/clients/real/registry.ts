/**
 * Every client a scenario can name. Adding a client: one file exporting a ClientDefinition
 * (./types.ts), and its line here. A client that drives a package streamproof does not install
 * for everyone (the SDKs, Playwright: optional peer dependencies) names it in `requires` and is
 * loaded only when a scenario runs it, so a team that only validates configs never installs them.
 */
import { isInstalled, requirePackage } from '../../optional-package.ts';
import type { StreamFormat } from '../sse-connection.ts';
import type { ClientDefinition } from './types.ts';

export interface ClientEntry {
  name: string;
  /** The wire formats it speaks (its definition's own, known before it loads). */
  formats: readonly StreamFormat[];
  /** The optional npm package it drives, when it drives one. */
  requires?: string;
  load(): Promise<ClientDefinition>;
}

const CLIENTS = [
  { name: 'recorder', formats: ['openai', 'anthropic'], load: async () => (await import('./harness-clients.ts')).recorderClient },
  { name: 'naive', formats: ['openai', 'anthropic'], load: async () => (await import('./harness-clients.ts')).naiveClient },
  { name: 'resumable', formats: ['openai', 'anthropic'], load: async () => (await import('./harness-clients.ts')).resumableClient },
  { name: 'openai', formats: ['openai'], requires: 'openai', load: async () => (await import('./openai.ts')).openaiClient },
  { name: 'openai-stream-helper', formats: ['openai'], requires: 'openai', load: async () => (await import('./openai-stream-helper.ts')).openaiStreamHelperClient },
  { name: 'anthropic', formats: ['anthropic'], requires: '@anthropic-ai/sdk', load: async () => (await import('./anthropic.ts')).anthropicClient },
  {
    name: 'anthropic-stream-helper',
    formats: ['anthropic'],
    requires: '@anthropic-ai/sdk',
    load: async () => (await import('./anthropic-stream-helper.ts')).anthropicStreamHelperClient,
  },
  { name: 'eventsource', formats: ['openai'], load: async () => (await import('./eventsource.ts')).eventsourceClient },
  { name: 'browser-eventsource', formats: ['openai'], requires: 'playwright-core', load: async () => (await import('./browser-eventsource.ts')).browserEventSourceClient },
] as const satisfies readonly ClientEntry[];

export const CLIENT_NAMES = CLIENTS.map((entry) => entry.name) as [string, ...string[]];

export function clientEntry(name: string): ClientEntry {
  const entry = (CLIENTS as readonly ClientEntry[]).find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`no client '${name}' (have: ${CLIENT_NAMES.join(', ')})`);
  return entry;
}

/** The optional package a client needs and this install lacks, or undefined. */
export function missingPackageOf(name: string): string | undefined {
  const { requires } = clientEntry(name);
  return requires && !isInstalled(requires) ? requires : undefined;
}

export async function loadClient(name: string): Promise<ClientDefinition> {
  const { requires } = clientEntry(name);
  if (requires) requirePackage(requires, `the '${name}' client`);
  return clientEntry(name).load();
}

export type { ClientDefinition, ClientRequest, ScenarioClient, StatedClientOptions } from './types.ts';
