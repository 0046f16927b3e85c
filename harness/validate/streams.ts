/** The three streams validate sends through a user's files, and what a static pass predicts of them. */
import type { CheckName, Verdict } from '../model.ts';

export const TOOL_PAUSE_S = 70;
export const HEARTBEAT_S = 15;

export type RunName = 'streaming' | 'pause-heartbeats' | 'pause-silent';

export const RUNS: Record<RunName, { label: string; checks: CheckName[]; script: Record<string, unknown> }> = {
  streaming: { label: 'token streaming (60 tokens, 20 ms apart)', checks: ['buffering', 'completion'], script: { tokens: 60, tokenIntervalMs: 20 } },
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
