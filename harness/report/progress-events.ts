/**
 * What a scenario test tells the progress reporter (harness/report/progress.ts) while it runs: its
 * plan (test meta, known at collection, so queued tests count towards the time left) and its
 * phases (vitest test artifacts: `recordArtifact` reaches the reporter's `onTestCaseArtifactRecord`
 * within ~5 ms, while the test runs, and no built-in terminal reporter prints a custom artifact;
 * annotations would be printed with every failure and in JUnit/TAP/GitHub output).
 */
import { recordArtifact, type RunnerTestCase } from 'vitest';
import { planGeneration, type StreamScript } from '../mock-llm/index.ts';

/** A test's plan, in its meta from collection on. */
export interface TestPlan {
  scenario: string;
  /** Wall time the test should take: container start, the scripted stream, teardown. */
  plannedMs: number;
  timeScale: number;
}

declare module 'vitest' {
  interface TaskMeta {
    streamproofPlan?: TestPlan;
  }
}

/** The scripted tool pause of a generation, from its first request (real ms), and its length in scenario seconds. */
export interface ToolPauseWindow {
  startsAfterMs: number;
  ms: number;
  seconds: number;
}

export type ProgressPhase =
  /** `detail`: what is starting (`mock LLM`, the path's boxes). */
  | { phase: 'containers'; detail: string }
  /** A request reached the mock LLM: `connection` counts them (sweep streams included); `reconnect` is 1 for the first reconnect. */
  | { phase: 'streaming'; connection: number; reconnect: number; toolPause?: { startsAtMs: number; ms: number; seconds: number } }
  /** The mock LLM saw a peer hang up before the end (a cut, or an abort); `open`: its responses still open. */
  | { phase: 'cut'; open: number }
  | { phase: 'checks' }
  | { phase: 'teardown' };

/** One announcement: a phase and when it began (epoch ms, the reporter's clock too). */
export type ProgressEvent = ProgressPhase & { atMs: number };

export const PROGRESS_ARTIFACT = 'streamproof:progress';

export interface ProgressArtifact {
  type: typeof PROGRESS_ARTIFACT;
  event: ProgressEvent;
  attachments?: [];
}

declare module 'vitest' {
  interface TestArtifactRegistry {
    'streamproof:progress': ProgressArtifact;
  }
}

/**
 * Announces a phase of `task` to the reporter. Never delays the caller: the artifact is sent on the
 * next turn of the event loop (recordArtifact takes a stack trace, ~0.25 ms, measured), and a lost
 * announcement is never a test failure.
 */
export function announce(task: RunnerTestCase, phase: ProgressPhase): void {
  const event = { ...phase, atMs: Date.now() } as ProgressEvent;
  setImmediate(() => {
    recordArtifact(task, { type: PROGRESS_ARTIFACT, event }).catch(() => {});
  });
}

/** Container start and teardown of a path of `boxes` boxes (0 = direct); a chain adds its taps container. */
export function setupAndTeardownMs(boxes: number): number {
  const containers = boxes === 0 ? 0 : boxes === 1 ? 1 : boxes + 1;
  return PLAN_FIGURES.baseMs + containers * PLAN_FIGURES.perContainerMs;
}

/**
 * Seed figures of a plan; the reporter scales plans by what finished tests really took. Measured
 * (3 scenario files, 33 tests, up to 12 at once on 2 cores, time scale 0.1): one proxy box started
 * in 1.0-5.9 s and stopped in 0.2-2.2 s (~4.2 s together), a two-box chain with its taps 5.7-7.3 s
 * + 2.6-3.9 s; the mock LLM ~0.1 s.
 */
export const PLAN_FIGURES = { baseMs: 500, perContainerMs: 3_300 };

/** Real ms of one scripted generation, first byte to end. */
export function streamMs(script: StreamScript, timeScale: number): number {
  return planGeneration(script, timeScale).reduce((total, beat) => total + beat.delayMs, 0);
}

/** Where the scripted tool pause sits in a generation; undefined without a tool call. */
export function toolPauseWindow(script: StreamScript, timeScale: number): ToolPauseWindow | undefined {
  if (!script.toolCall) return undefined;
  const beats = planGeneration(script, timeScale);
  const lastArgs = beats.findLastIndex((beat) => beat.kind === 'tool-args');
  if (lastArgs < 0) return undefined;
  const startsAfterMs = beats.slice(0, lastArgs + 1).reduce((total, beat) => total + beat.delayMs, 0);
  return { startsAfterMs, ms: beats[lastArgs + 1]?.delayMs ?? 0, seconds: script.toolCall.pauseSeconds };
}
