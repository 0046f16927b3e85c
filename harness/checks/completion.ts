/**
 * completion: a stream either completes or fails visibly. The failure this check exists for is a
 * client returning partial text as if it were whole, because the body ended cleanly without the
 * format's terminator (a proxy timeout that closes instead of resetting).
 */
import { tokenTextOf } from '../clients/sse-connection.ts';
import { repeatedContentTokens } from '../mock-llm/script.ts';
import type { Check, ClientRun, StreamEvidence } from '../model.ts';

export function completionCheck(): Check<StreamEvidence> {
  return {
    name: 'completion',
    evaluate({ run, generations }) {
      const tokensReceived = countTokenEvents(run);
      const tokensGenerated = generations.length ? generations.reduce((sum, g) => sum + g.completionTokens, 0) : null;
      const silentTruncation = run.outcome === 'returned-partial';
      const lastEnd = run.connections.at(-1)?.end.kind ?? 'no connection';
      const missing = tokensGenerated !== null ? Math.max(0, tokensGenerated - tokensReceived) : null;
      // Recorded, not judged: a re-sent request that starts over hands the caller words twice
      // (the client matrix reports it as 'duplicated tokens'; billing judges the cost).
      const repeatedTokens = repeatedContentTokens(run.text);

      const detail = {
        completed: `Completed with the terminator after ${run.connections.length} connection(s)${
          repeatedTokens ? `; the caller's text holds ${repeatedTokens} token(s) twice (the answer started over)` : ''
        }.`,
        threw: `The client surfaced the failure: ${run.error ?? lastEnd}.`,
        aborted: 'The client aborted on purpose; nothing to complete.',
        'returned-partial': `The ${run.clientVersion ? `${run.client} ${run.clientVersion}` : run.client} client returned partial text as complete: the stream ended ${lastEnd}${
          missing !== null ? `, ${missing} of ${tokensGenerated} generated tokens missing` : ''
        }.`,
      }[run.outcome];
      return {
        check: 'completion',
        verdict: silentTruncation ? 'fail' : 'pass',
        expected: 'terminator, or a failure the caller sees',
        measured: `outcome ${run.outcome} (last connection: ${lastEnd})`,
        figures: { tokensReceived, tokensGenerated, silentTruncation: silentTruncation ? 1 : 0, repeatedTokens },
        thresholds: {},
        detail,
      };
    },
  };
}

/** Token-carrying events the client received, counting a replayed event (same id) once. */
function countTokenEvents(run: ClientRun): number {
  const seenIds = new Set<string>();
  let count = 0;
  for (const event of run.connections.flatMap((connection) => connection.events)) {
    if (event.id !== undefined) {
      if (seenIds.has(event.id)) continue;
      seenIds.add(event.id);
    }
    if (tokenTextOf(event) !== '') count++;
  }
  return count;
}
