/**
 * abort: when the client walks away mid-stream, the origin must notice through the proxy and stop
 * generating; otherwise the model keeps running (and billing) for nobody.
 */
import type { Check, StreamEvidence } from '../model.ts';
import { marginOf, pickThresholds, roundMs, servedFor, type Thresholds } from './thresholds.ts';

const KEYS = ['abortNoticeMaxMs'] as const;

export function abortCheck(overrides?: Partial<Thresholds>): Check<StreamEvidence> {
  const thresholds = pickThresholds(KEYS, overrides);
  return {
    name: 'abort',
    evaluate({ run, served, generations, intent }) {
      const index = run.connections.findIndex((connection) => connection.end.kind === 'aborted');
      const connection = run.connections[index];
      const abortAtMs = intent.clientAbortAtMs ?? connection?.end.atMs;
      const request = connection ? servedFor(served, connection.requestId, index) : undefined;
      const generation = generations.find((g) => g.generationId === request?.generationId);

      const abortNoticeMs = abortAtMs !== undefined && request?.peerGoneAtMs !== undefined ? request.peerGoneAtMs - abortAtMs : null;
      const wastedTokens =
        abortAtMs !== undefined && request ? request.emitted.filter((item) => item.carriesToken && item.atMs > abortAtMs).length : null;
      const generationStopped = generation ? (generation.state === 'stopped' || generation.state === 'failed' ? 1 : 0) : null;
      const noticed = abortNoticeMs !== null && abortNoticeMs <= thresholds.abortNoticeMaxMs;
      const pass = noticed && generationStopped === 1;

      let detail: string;
      if (abortAtMs === undefined) detail = 'The client never aborted: no abort to judge.';
      else if (abortNoticeMs === null) detail = `The origin never noticed the client leave; ${wastedTokens ?? '?'} tokens emitted after the abort.`;
      else if (!noticed) detail = `The origin noticed only ${Math.round(abortNoticeMs)} ms after the abort; ${wastedTokens} tokens emitted meanwhile.`;
      else if (generationStopped !== 1) detail = `Noticed in ${Math.round(abortNoticeMs)} ms, but the generation is ${generation?.state ?? 'unknown'}.`;
      else detail = `Noticed in ${Math.round(abortNoticeMs)} ms and stopped; ${wastedTokens} tokens emitted after the abort.`;

      return {
        check: 'abort',
        verdict: pass ? 'pass' : 'fail',
        expected: `origin notices within ${thresholds.abortNoticeMaxMs} ms and stops the generation`,
        measured:
          abortNoticeMs === null
            ? 'never noticed'
            : `noticed after ${Math.round(abortNoticeMs)} ms; generation ${generation?.state ?? 'unknown'}`,
        figures: {
          abortNoticeMs: roundMs(abortNoticeMs),
          wastedTokens,
          wastedTokensBilled: generation?.wastedTokens ?? null,
          generationStopped,
        },
        thresholds: { ...thresholds },
        // How soon the origin noticed is the timing part; a generation left running is a fact.
        ...(generationStopped === 1 ? { margin: marginOf([[abortNoticeMs, thresholds.abortNoticeMaxMs]]) } : {}),
        detail,
      };
    },
  };
}
