/**
 * billing: how many times the model ran for one logical request. A client that re-POSTs after a
 * drop starts (and pays for) a new generation each time; a resuming client attaches to the first.
 */
import type { Check, StreamEvidence } from '../model.ts';
import { pickThresholds, type Thresholds } from './thresholds.ts';

const KEYS = ['maxBilledGenerations'] as const;

export function billingCheck(overrides?: Partial<Thresholds>): Check<StreamEvidence> {
  const thresholds = pickThresholds(KEYS, overrides);
  return {
    name: 'billing',
    evaluate({ run, generations }) {
      const billed = generations.length;
      const byStart = [...generations].sort((a, b) => a.startedAtMs - b.startedAtMs);
      // Every generation after the first is paid for again: its completion tokens are duplicates.
      const duplicatedTokens = billed ? byStart.slice(1).reduce((sum, g) => sum + g.completionTokens, 0) : null;
      const promptTokensBilled = generations.reduce((sum, g) => sum + g.promptTokens, 0);
      const pass = billed <= thresholds.maxBilledGenerations;
      return {
        check: 'billing',
        verdict: pass ? 'pass' : 'fail',
        expected: `billedGenerations ≤ ${thresholds.maxBilledGenerations}`,
        measured: `billedGenerations = ${billed} over ${run.connections.length} connection(s)`,
        figures: {
          billedGenerations: billed,
          connections: run.connections.length,
          duplicatedTokens,
          promptTokensBilled,
          completionTokensBilled: generations.reduce((sum, g) => sum + g.completionTokens, 0),
        },
        thresholds: { ...thresholds },
        detail:
          billed === 0
            ? 'No generation was billed: the request never reached the model.'
            : pass
              ? `One logical request, ${billed} generation billed over ${run.connections.length} connection(s).`
              : `The ${run.client} client's ${run.connections.length} connections ran the model ${billed} times: ${duplicatedTokens} completion tokens and ${promptTokensBilled - byStart[0]!.promptTokens} prompt tokens paid again.`,
      };
    },
  };
}
