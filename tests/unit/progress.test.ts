import { describe, expect, test } from 'vitest';
import { parseStreamScript } from '../../harness/mock-llm/index.ts';
import { setupAndTeardownMs, streamMs, toolPauseWindow, type ProgressEvent } from '../../harness/report/progress-events.ts';
import {
  describePhase,
  estimateTimeLeftMs,
  formatTimeLeft,
  formatToolPause,
  makespanMs,
  phaseKind,
  renderFinishedLine,
  renderStatusBlock,
  renderSummaryLine,
  type RunProgress,
  type TestProgress,
} from '../../harness/report/progress.ts';

const T0 = 1_700_000_000_000;

function testAt(over: Partial<TestProgress> & { id: string }): TestProgress {
  return { moduleId: 'a.scenario.ts', name: `tool pause 70 s > ${over.id}`, plannedMs: 10_000, state: 'queued', cuts: 0, ...over };
}

function runOf(tests: TestProgress[], modules: RunProgress['modules'] = [{ id: 'a.scenario.ts', loaded: true }]): RunProgress {
  return { startedAtMs: T0, tests, modules, workers: 2, concurrency: 6 };
}

/** A test 4 s into a 70 s tool pause at time scale 0.1 (7 s real), which began 1 s after its request. */
const inPause = (id: string): TestProgress =>
  testAt({
    id,
    state: 'running',
    startedAtMs: T0,
    phase: { phase: 'streaming', atMs: T0, connection: 1, reconnect: 0, toolPause: { startsAtMs: T0 + 1_000, ms: 7_000, seconds: 70 } },
  });

describe('tool pause', () => {
  test('is shown in scenario seconds, from real time and the time scale', () => {
    expect(formatToolPause(3_400, { ms: 7_000, seconds: 70 })).toBe('tool pause 34/70 s');
    expect(formatToolPause(0, { ms: 7_000, seconds: 70 })).toBe('tool pause 0/70 s');
    expect(formatToolPause(9_000, { ms: 7_000, seconds: 70 })).toBe('tool pause 70/70 s');
  });

  test('a running test shows it only inside the scripted window', () => {
    const t = inPause('nginx:default@bookworm');
    expect(describePhase(t, T0 + 500)).toBe('streaming');
    expect(describePhase(t, T0 + 1_000 + 3_400)).toBe('tool pause 34/70 s');
    expect(describePhase(t, T0 + 9_000)).toBe('streaming');
  });

  test('the window comes from the script: after the tokens and tool arguments, as long as the scaled pause', () => {
    const script = parseStreamScript({ tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: 70 } });
    // 7 token intervals, the tool call and 5 argument tokens at 20 ms; then 7 s; then 10 more tokens.
    expect(toolPauseWindow(script, 0.1)).toEqual({ startsAfterMs: 260, ms: 7_000, seconds: 70 });
    expect(streamMs(script, 0.1)).toBe(7_460);
    expect(toolPauseWindow(parseStreamScript({}), 0.1)).toBeUndefined();
  });
});

describe('phases', () => {
  test('reconnects, cuts, containers and teardown read as such', () => {
    const streaming = inPause('x');
    const reconnected: TestProgress = { ...streaming, cuts: 1, phase: { ...(streaming.phase as Extract<ProgressEvent, { phase: 'streaming' }>), connection: 2, reconnect: 1 } };
    expect(describePhase(reconnected, T0 + 1_000 + 5_000)).toBe('reconnect 1: tool pause 50/70 s (1 cut)');
    expect(describePhase({ ...streaming, cuts: 1, cut: { phase: 'cut', open: 0, atMs: T0 + 6_000 } }, T0 + 8_100)).toBe('connection cut 2 s ago');
    // A sweep's other streams still open: the pause goes on.
    expect(describePhase({ ...streaming, cuts: 1, cut: { phase: 'cut', open: 3, atMs: T0 + 2_000 } }, T0 + 3_000)).toBe('tool pause 20/70 s (1 cut)');
    expect(describePhase(testAt({ id: 'y', state: 'running', phase: { phase: 'containers', detail: 'haproxy:alb > nginx:default', atMs: T0 } }), T0 + 3_200)).toBe(
      'starting haproxy:alb > nginx:default (3 s)',
    );
    expect(describePhase(testAt({ id: 'z', state: 'running', phase: { phase: 'teardown', atMs: T0 } }), T0 + 1_000)).toBe('stopping containers (1 s)');
    // Summary lines count them by kind.
    expect(phaseKind(reconnected, T0 + 1_000 + 5_000)).toBe('in tool pause');
    expect(phaseKind(reconnected, T0 + 9_000)).toBe('streaming after a reconnect');
    expect(phaseKind(testAt({ id: 'w', state: 'running' }), T0)).toBe('starting containers');
  });
});

describe('time left', () => {
  test('wording is an estimate', () => {
    expect(formatTimeLeft(5_000)).toBe('a few seconds left');
    expect(formatTimeLeft(43_000)).toBe('about 45 s left');
    expect(formatTimeLeft(200_000)).toBe('about 3 min left');
    expect(formatTimeLeft(undefined)).toBe('time left unknown');
  });

  test('files go to the first free worker; tests of a file run `concurrency` at a time', () => {
    const twelve = Array.from({ length: 12 }, (_, i) => testAt({ id: `t${i}` }));
    // 12 tests of 10 s, 6 at a time: 20 s on one worker; the other worker idle.
    expect(estimateTimeLeftMs(runOf(twelve), T0)).toBe(20_000);
    // Two files of 6: one each, 10 s.
    const twoFiles = twelve.map((t, i) => ({ ...t, moduleId: i < 6 ? 'a.scenario.ts' : 'b.scenario.ts' }));
    const both = [
      { id: 'a.scenario.ts', loaded: true },
      { id: 'b.scenario.ts', loaded: true },
    ];
    expect(estimateTimeLeftMs(runOf(twoFiles, both), T0)).toBe(10_000);
    // A third file not loaded yet counts as an average file: 10 s more on the first free worker.
    expect(estimateTimeLeftMs(runOf(twoFiles, [...both, { id: 'c.scenario.ts', loaded: false }]), T0)).toBe(20_000);
  });

  test('tests of a file run in batches as slots free: 8 tests of 300 s, 6 at a time, take 600 s', () => {
    expect(makespanMs(Array<number>(8).fill(300_000), 6)).toBe(600_000);
    expect(makespanMs([], 6)).toBe(0);
  });

  test("a file not loaded yet lasts its last run, scaled as the loaded files' plans compare with theirs", () => {
    const six = Array.from({ length: 6 }, (_, i) => testAt({ id: `t${i}` }));
    // The loaded file plans 10 s and took 20 s last time: plans run at half their last runs, so the
    // unloaded file's 60 s last run counts 30 s, after the loaded file's 10 s.
    const modules = [
      { id: 'a.scenario.ts', loaded: true, lastRunMs: 20_000 },
      { id: 'b.scenario.ts', loaded: false, lastRunMs: 60_000 },
    ];
    expect(estimateTimeLeftMs({ ...runOf(six, modules), workers: 1 }, T0)).toBe(40_000);
  });

  test('plans are scaled by what finished tests really took', () => {
    const done = testAt({ id: 'done', state: 'passed', startedAtMs: T0, finishedAtMs: T0 + 20_000 });
    const queued = testAt({ id: 'next' });
    expect(estimateTimeLeftMs(runOf([done, queued]), T0 + 20_000)).toBe(20_000);
  });

  test('a running test counts what is left of it, never less than nothing; a finished run has none', () => {
    const running = testAt({ id: 'r', state: 'running', startedAtMs: T0 });
    expect(estimateTimeLeftMs(runOf([running]), T0 + 4_000)).toBe(6_000);
    expect(estimateTimeLeftMs(runOf([running]), T0 + 30_000)).toBe(0);
    expect(estimateTimeLeftMs(runOf([{ ...running, state: 'passed', finishedAtMs: T0 + 9_000 }]), T0 + 9_000)).toBe(0);
    expect(estimateTimeLeftMs(runOf([], []), T0)).toBeUndefined();
  });

  test('a plan: container start and teardown per container, the chain taps included', () => {
    expect(setupAndTeardownMs(0)).toBeLessThan(setupAndTeardownMs(1));
    expect(setupAndTeardownMs(2) - setupAndTeardownMs(1)).toBe(2 * (setupAndTeardownMs(1) - setupAndTeardownMs(0)));
  });
});

describe('rendering', () => {
  const running = Array.from({ length: 5 }, (_, i) => inPause(`haproxy:alb > nginx:default@bookworm #${i}`));
  const run = runOf([...running, testAt({ id: 'ok', state: 'passed', startedAtMs: T0, finishedAtMs: T0 + 11_200 }), testAt({ id: 'bad', state: 'failed', startedAtMs: T0, finishedAtMs: T0 + 3_000 })]);

  test('terminal: a header and one row per running test, each within the width', () => {
    const lines = renderStatusBlock(run, T0 + 4_400, { columns: 80, maxRows: 10 });
    expect(lines[0]).toBe(`streamproof 0:04  2/7 tests done, 1 failed, 5 running; ${formatTimeLeft(estimateTimeLeftMs(run, T0 + 4_400))}`);
    expect(lines).toHaveLength(6);
    expect(lines[1]).toContain('tool pause 34/70 s');
    for (const line of lines) {
      expect(line.length).toBeLessThan(80);
      expect(line).not.toContain('\n');
    }
  });

  test('terminal: rows beyond the room are counted, not drawn', () => {
    const lines = renderStatusBlock(run, T0 + 4_400, { columns: 120, maxRows: 3 });
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('  … and 3 more running');
  });

  test('plain: no ANSI, one summary line with what the running tests do', () => {
    const line = renderSummaryLine(run, T0 + 4_400);
    expect(line).toBe(`progress 0:04: 2/7 tests done, 1 failed, 5 running (5 in tool pause); ${formatTimeLeft(estimateTimeLeftMs(run, T0 + 4_400))}`);
    expect(line).not.toMatch(/\x1b/);
    expect(line).not.toContain('\n');
  });

  test('plain: a line per finished test with its verdict and wall time; all done at the end', () => {
    expect(renderFinishedLine(run.tests[5]!, run)).toBe('PASS tool pause 70 s > ok in 11.2 s [2/7]');
    expect(renderFinishedLine({ ...run.tests[6]!, cuts: 1 }, run)).toBe('FAIL tool pause 70 s > bad in 3.0 s, 1 connection cut [2/7]');
    const finished = runOf([run.tests[5]!, run.tests[6]!]);
    expect(renderSummaryLine(finished, T0 + 75_000)).toBe('progress 1:15: all 2 tests done, 1 failed');
    expect(renderStatusBlock(runOf([], [{ id: 'a.scenario.ts', loaded: false }]), T0, { columns: 80, maxRows: 5 })).toEqual(['streamproof 0:00  loading scenario files']);
  });
});
