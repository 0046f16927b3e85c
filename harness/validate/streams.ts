/** The three streams validate sends through a user's files, and what a static pass predicts of them. */
import type { Thresholds } from '../checks/thresholds.ts';
import type { CheckName, Verdict } from '../model.ts';

export const TOOL_PAUSE_S = 70;
export const HEARTBEAT_S = 15;

export type RunName = 'streaming' | 'pause-heartbeats' | 'pause-silent';

/**
 * Tokens 100 ms apart, and buffering judged at p95 750 ms / max 1200 ms (as latency-attribution,
 * decision 0030). With 20 ms apart and the 250 ms default the two sides were too close: nginx
 * buffering HTTP/1.0 measured p95 311-313 ms, a streaming chain under a whole npm test 257 ms.
 * At 100 ms a buffer takes five times as long to fill; load adds no more than before.
 */
const STREAMING_THRESHOLDS: Partial<Thresholds> = { delayP95Ms: 750, delayMaxMs: 1200 };

export const RUNS: Record<RunName, { label: string; checks: CheckName[]; script: Record<string, unknown>; thresholds?: Partial<Thresholds> }> = {
  streaming: { label: 'token streaming (60 tokens, 100 ms apart)', checks: ['buffering', 'completion'], script: { tokens: 60, tokenIntervalMs: 100 }, thresholds: STREAMING_THRESHOLDS },
  'pause-heartbeats': {
    label: `${TOOL_PAUSE_S} s tool pause, heartbeats every ${HEARTBEAT_S} s`,
    checks: ['heartbeat', 'completion'],
    script: { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: TOOL_PAUSE_S }, heartbeatSeconds: HEARTBEAT_S },
  },
  'pause-silent': {
    label: `${TOOL_PAUSE_S} s tool pause, no heartbeats`,
    checks: ['heartbeat', 'completion'],
    script: { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: TOOL_PAUSE_S } },
  },
};
export const RUN_NAMES = Object.keys(RUNS) as RunName[];

/** What the static pass predicts for one check of one run, and why. */
export interface Expectation {
  verdict: Verdict;
  because: string;
}
export type Expectations = Partial<Record<`${RunName}.${CheckName}`, Expectation>>;
