/**
 * What the mock LLM billed and served. Records are live: the server keeps updating them while a
 * generation runs (snapshot with structuredClone when a fixed copy is needed).
 */
import { createHash } from 'node:crypto';
import type { Generation, ServedRequest } from '../model.ts';

/** How a provider would count the prompt, roughly: 4 characters per token, at least 1. */
export function promptTokensFor(messages: unknown): number {
  return Math.max(1, Math.ceil(JSON.stringify(messages).length / 4));
}

/** The logical request a generation is billed under: the Idempotency-Key, else a prompt fingerprint. */
export function logicalKeyFor(request: { idempotencyKey?: string; model: string; messages: unknown }): string {
  if (request.idempotencyKey) return `idem:${request.idempotencyKey}`;
  const digest = createHash('sha256').update(request.model + JSON.stringify(request.messages)).digest('hex');
  return `prompt:${digest.slice(0, 16)}`;
}

export class BillingLedger {
  private readonly generationsById = new Map<string, Generation>();
  private readonly servedById = new Map<string, ServedRequest>();

  recordGeneration(generation: Generation): void {
    this.generationsById.set(generation.generationId, generation);
  }

  recordServed(served: ServedRequest): void {
    this.servedById.set(served.requestId, served);
  }

  /** Every generation started, in start order (each one was billed). */
  generations(): Generation[] {
    return [...this.generationsById.values()];
  }

  generation(generationId: string): Generation | undefined {
    return this.generationsById.get(generationId);
  }

  generationsFor(logicalKey: string): Generation[] {
    return this.generations().filter((g) => g.logicalKey === logicalKey);
  }

  billedGenerations(logicalKey: string): number {
    return this.generationsFor(logicalKey).length;
  }

  /** Every streaming request served (rejected requests are not recorded), in arrival order. */
  served(): ServedRequest[] {
    return [...this.servedById.values()];
  }

  servedFor(logicalKey: string): ServedRequest[] {
    return this.served().filter((s) => this.generationsById.get(s.generationId)?.logicalKey === logicalKey);
  }

  request(requestId: string): ServedRequest | undefined {
    return this.servedById.get(requestId);
  }
}
