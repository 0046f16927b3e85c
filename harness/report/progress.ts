/**
 * Progress of a scenario run, live: which tests run, in which phase (starting containers,
 * streaming, `tool pause 34/70 s`, reconnects, checks), how many are done, and about how long is
 * left. On a terminal, one status block rewritten in place under the normal output; in CI (stdout
 * not a TTY, or `CI` set), plain lines: one per finished test and a summary at most every 15 s.
 *
 * It stands in for vitest's `default` reporter (which it runs inside): when the scenarios project
 * is part of the run, vitest's own live summary is turned off on a terminal, since two blocks
 * rewritten in place would overwrite each other; everything else the default reporter prints
 * (file results, failures with their diffs, the final counts) is unchanged. Runs without the
 * scenarios project get the default reporter as it is. The tests announce their phases through
 * progress-events.ts.
 */
import { DefaultReporter, type Reporter, type TestCase, type TestModule, type TestSpecification, type Vitest } from 'vitest/node';
import type { SerializedError } from 'vitest';
import { PROGRESS_ARTIFACT, type ProgressEvent, type TestPlan } from './progress-events.ts';

const SCENARIOS_PROJECT = 'scenarios';
/** Plain mode: a summary line at most this often (a CI log stays readable). */
const PLAIN_SUMMARY_EVERY_MS = 15_000;
/** Terminal: redraw this often (pause counters move by the second). */
const REDRAW_EVERY_MS = 1_000;
/** A test without a plan in its meta (not made by scenario()): a typical scenario test. */
const UNPLANNED_MS = 15_000;

export type TestState = 'queued' | 'running' | 'passed' | 'failed' | 'skipped';

/** What the reporter knows of one scenario test. */
export interface TestProgress {
  id: string;
  moduleId: string;
  /** `scenario name > path label`. */
  name: string;
  plannedMs: number;
  state: TestState;
  startedAtMs?: number;
  finishedAtMs?: number;
  /** The latest phase other than a cut. */
  phase?: ProgressEvent;
  /** The latest cut, while no request came after it. */
  cut?: Extract<ProgressEvent, { phase: 'cut' }>;
  cuts: number;
}

export interface RunProgress {
  startedAtMs: number;
  tests: readonly TestProgress[];
  /**
   * Scenario files in the order vitest queued them; a file not loaded yet has no known tests.
   * `lastRunMs`: how long its last complete run took (vitest's results cache), when known.
   */
  modules: ReadonlyArray<{ id: string; loaded: boolean; lastRunMs?: number }>;
  /** vitest workers (each runs one file at a time) and tests side by side within a file. */
  workers: number;
  concurrency: number;
}

// ─── Pure rendering ─────────────────────────────────────────────────────────────────────────────

const isDone = (t: TestProgress) => t.state === 'passed' || t.state === 'failed' || t.state === 'skipped';
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** `tool pause 34/70 s`: scenario seconds elapsed of the scripted pause (real time ÷ the time scale). */
export function formatToolPause(elapsedMs: number, pause: { ms: number; seconds: number }): string {
  const fraction = pause.ms > 0 ? Math.min(Math.max(elapsedMs / pause.ms, 0), 1) : 1;
  return `tool pause ${Math.floor(fraction * pause.seconds)}/${pause.seconds} s`;
}

/** Whole seconds, for "how long in this phase". */
const seconds = (ms: number) => `${Math.max(0, Math.floor(ms / 1000))} s`;

/** `1:05`, `12:30`. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** `about 40 s left`, `about 3 min left`; an estimate, so rounded. */
export function formatTimeLeft(ms: number | undefined): string {
  if (ms === undefined) return 'time left unknown';
  if (ms < 10_000) return 'a few seconds left';
  if (ms < 90_000) return `about ${Math.round(ms / 5_000) * 5} s left`;
  return `about ${Math.round(ms / 60_000)} min left`;
}

/** What a running test is doing at `nowMs`, for people. */
export function describePhase(test: TestProgress, nowMs: number): string {
  const { phase, cut } = test;
  if (cut && cut.open <= 0) return `connection cut ${seconds(nowMs - cut.atMs)} ago`;
  const cuts = test.cuts > 0 ? ` (${test.cuts} cut)` : '';
  if (!phase) return 'starting';
  switch (phase.phase) {
    case 'containers':
      return `starting ${phase.detail} (${seconds(nowMs - phase.atMs)})`;
    case 'streaming': {
      const reconnect = phase.reconnect > 0 ? `reconnect ${phase.reconnect}: ` : '';
      const pause = phase.toolPause;
      const inPause = pause && nowMs >= pause.startsAtMs && nowMs < pause.startsAtMs + pause.ms;
      return `${reconnect}${inPause ? formatToolPause(nowMs - pause.startsAtMs, pause) : 'streaming'}${cuts}`;
    }
    case 'cut':
      return 'connection cut';
    case 'checks':
      return `checks${cuts}`;
    case 'teardown':
      return `stopping containers (${seconds(nowMs - phase.atMs)})`;
  }
}

/** How long tests take, `slots` at a time, each starting when a slot frees (as vitest runs a file's concurrent tests). */
export function makespanMs(durations: number[], slots: number): number {
  const ends = Array<number>(Math.max(1, slots)).fill(0);
  for (const ms of durations) {
    ends.sort((a, b) => a - b);
    ends[0]! += ms;
  }
  return Math.max(...ends);
}

/** What a running test is doing, in a word or two, for counting in a summary line. */
export function phaseKind(test: TestProgress, nowMs: number): string {
  const { phase, cut } = test;
  if (cut && cut.open <= 0) return 'cut';
  if (!phase || phase.phase === 'containers') return 'starting containers';
  if (phase.phase === 'streaming') {
    const pause = phase.toolPause;
    if (pause && nowMs >= pause.startsAtMs && nowMs < pause.startsAtMs + pause.ms) return 'in tool pause';
    return phase.reconnect > 0 ? 'streaming after a reconnect' : 'streaming';
  }
  return phase.phase === 'teardown' ? 'stopping containers' : phase.phase;
}

/**
 * About how long the run has left, as vitest schedules it: each worker runs one file at a time,
 * `concurrency` of its tests side by side, and takes the next queued file when it is free. A test
 * lasts its plan (container start, its scripted stream, teardown) scaled by how long finished
 * tests really took against theirs. A file not loaded yet lasts its last run (vitest's cache)
 * scaled as the loaded files' plans compare with their last runs (so a changed time scale or a
 * busier machine carries over), else as long as the average loaded file.
 */
export function estimateTimeLeftMs(run: RunProgress, nowMs: number): number | undefined {
  if (run.modules.length === 0) return undefined;
  const done = run.tests.filter((t) => (t.state === 'passed' || t.state === 'failed') && t.startedAtMs !== undefined && t.finishedAtMs !== undefined);
  const took = (t: TestProgress) => t.finishedAtMs! - t.startedAtMs!;
  const plannedDone = sum(done.map((t) => t.plannedMs));
  const factor = done.length > 0 && plannedDone > 0 ? sum(done.map(took)) / plannedDone : 1;
  const remainder = (t: TestProgress) =>
    t.state === 'running' ? Math.max(t.plannedMs * factor - (nowMs - (t.startedAtMs ?? nowMs)), 0) : t.state === 'queued' ? t.plannedMs * factor : 0;

  const testsOf = (id: string) => run.tests.filter((t) => t.moduleId === id);
  const wholeFileMs = (id: string) => makespanMs(testsOf(id).map((t) => t.plannedMs * factor), run.concurrency);
  const loaded = run.modules.filter((m) => m.loaded);
  const averageFileMs = loaded.length > 0 ? sum(loaded.map((m) => wholeFileMs(m.id))) / loaded.length : 0;
  const cached = loaded.filter((m) => m.lastRunMs);
  const perCachedMs = cached.length > 0 ? sum(cached.map((m) => wholeFileMs(m.id))) / sum(cached.map((m) => m.lastRunMs!)) : undefined;

  const busy: number[] = [];
  const waiting: number[] = [];
  for (const module of run.modules) {
    const tests = testsOf(module.id);
    if (!module.loaded) waiting.push(module.lastRunMs && perCachedMs !== undefined ? module.lastRunMs * perCachedMs : averageFileMs);
    else if (tests.every((t) => t.state === 'queued')) waiting.push(wholeFileMs(module.id));
    else if (tests.some((t) => t.state === 'running' || t.state === 'queued')) {
      // Running tests hold their slots first; queued ones take the slots as they free.
      const order = [...tests.filter((t) => t.state === 'running'), ...tests.filter((t) => t.state === 'queued')];
      busy.push(makespanMs(order.map(remainder), run.concurrency));
    }
  }
  // Each worker is free when its file ends; the next file goes to the first one free.
  const workers = [...busy, ...Array<number>(Math.max(0, run.workers - busy.length)).fill(0)];
  for (const ms of waiting) {
    workers.sort((a, b) => a - b);
    workers[0]! += ms;
  }
  return Math.max(0, ...workers);
}

function counts(run: RunProgress): string {
  const done = run.tests.filter(isDone).length;
  const failed = run.tests.filter((t) => t.state === 'failed').length;
  const notLoaded = run.modules.filter((m) => !m.loaded).length;
  const pending = notLoaded > 0 ? ` (+${notLoaded} file${notLoaded > 1 ? 's' : ''} not loaded)` : '';
  return `${done}/${run.tests.length} tests done${pending}${failed > 0 ? `, ${failed} failed` : ''}`;
}

/** Counts, what runs, time left; or that files are loading, or that all is done. */
function status(run: RunProgress, running: TestProgress[], nowMs: number, doing = ''): string {
  if (run.tests.length === 0) return 'loading scenario files';
  const left = estimateTimeLeftMs(run, nowMs);
  if (left === 0 && running.length === 0) return counts(run).replace(/^(\d+)\/\1 tests done/, 'all $1 tests done');
  return `${counts(run)}, ${running.length} running${doing ? ` (${doing})` : ''}; ${formatTimeLeft(left)}`;
}

function runningTests(run: RunProgress): TestProgress[] {
  return run.tests.filter((t) => t.state === 'running').sort((a, b) => (a.startedAtMs ?? 0) - (b.startedAtMs ?? 0));
}

const truncate = (line: string, columns: number) => (line.length > columns ? `${line.slice(0, Math.max(0, columns - 1))}…` : line);

/** The terminal's status block: a header, then one row per running test (at most `maxRows`). */
export function renderStatusBlock(run: RunProgress, nowMs: number, options: { columns: number; maxRows: number }): string[] {
  const running = runningTests(run);
  const header = `streamproof ${formatElapsed(nowMs - run.startedAtMs)}  ${status(run, running, nowMs)}`;
  const shown = running.length > options.maxRows ? running.slice(0, Math.max(0, options.maxRows - 1)) : running;
  const width = Math.min(Math.max(0, ...shown.map((t) => t.name.length)), Math.floor(options.columns * 0.6));
  const rows = shown.map((t) => `  ${truncate(t.name, width).padEnd(width)}  ${describePhase(t, nowMs)}`);
  if (shown.length < running.length) rows.push(`  … and ${running.length - shown.length} more running`);
  return [header, ...rows].map((line) => truncate(line, options.columns - 1));
}

/** Plain mode, at most every 15 s: counts, what the running tests are doing, time left. */
export function renderSummaryLine(run: RunProgress, nowMs: number): string {
  const running = runningTests(run);
  const phases = new Map<string, number>();
  for (const t of running) {
    const kind = phaseKind(t, nowMs);
    phases.set(kind, (phases.get(kind) ?? 0) + 1);
  }
  const doing = [...phases].map(([kind, n]) => `${n} ${kind}`).join(', ');
  return `progress ${formatElapsed(nowMs - run.startedAtMs)}: ${status(run, running, nowMs, doing)}`;
}

/** Plain mode: one line per finished test. */
export function renderFinishedLine(test: TestProgress, run: RunProgress): string {
  const verdict = test.state === 'passed' ? 'PASS' : test.state === 'failed' ? 'FAIL' : 'SKIP';
  const took = test.startedAtMs !== undefined && test.finishedAtMs !== undefined ? ` in ${((test.finishedAtMs - test.startedAtMs) / 1000).toFixed(1)} s` : '';
  const cuts = test.cuts > 0 ? `, ${test.cuts} connection${test.cuts > 1 ? 's' : ''} cut` : '';
  return `${verdict} ${test.name}${took}${cuts} [${run.tests.filter(isDone).length}/${run.tests.length}]`;
}

// ─── The terminal's block ───────────────────────────────────────────────────────────────────────

const CLEAR_LINE = '\x1b[2K';
const UP_ONE = '\x1b[1A';

/**
 * Keeps a block of lines under everything else written to stdout/stderr: every write is let
 * through above it (the block is erased and drawn again), so failures and logs are never lost.
 */
class StatusWindow {
  private height = 0;
  private atLineStart = true;
  private readonly restores: Array<() => void> = [];
  private readonly write: (text: string) => void;
  private readonly lines: () => string[];

  constructor(lines: () => string[]) {
    this.lines = lines;
    const original = process.stdout.write.bind(process.stdout);
    this.write = (text) => void original(text);
    for (const stream of [process.stdout, process.stderr]) {
      const own = stream.write;
      const passOn = own.bind(stream) as (...args: unknown[]) => boolean;
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        this.erase();
        const written = passOn(chunk, ...rest);
        const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString() : '';
        if (text.length > 0) this.atLineStart = text.endsWith('\n');
        this.draw();
        return written;
      }) as typeof stream.write;
      this.restores.push(() => {
        stream.write = own;
      });
    }
  }

  draw(): void {
    this.erase();
    const lines = this.lines();
    if (lines.length === 0) return;
    this.write(`${this.atLineStart ? '' : '\n'}${lines.join('\n')}`);
    this.atLineStart = false;
    this.height = lines.length;
  }

  private erase(): void {
    if (this.height === 0) return;
    this.write(`\r${CLEAR_LINE}${`${UP_ONE}${CLEAR_LINE}`.repeat(this.height - 1)}`);
    this.height = 0;
    this.atLineStart = true;
  }

  stop(): void {
    this.erase();
    for (const restore of this.restores.splice(0)) restore();
  }
}

// ─── The reporter ───────────────────────────────────────────────────────────────────────────────

export default class ProgressReporter implements Reporter {
  private inner = new DefaultReporter();
  private active = false;
  private readonly terminal = Boolean(process.stdout.isTTY) && !process.env.CI;
  private readonly tests = new Map<string, TestProgress>();
  private readonly modules = new Map<string, { loaded: boolean; lastRunMs?: number }>();
  private ctx: Vitest | undefined;
  private startedAtMs = Date.now();
  private lastSummaryAtMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private window: StatusWindow | undefined;
  private workers = 1;
  private concurrency = 1;

  onInit(ctx: Vitest): void {
    this.ctx = ctx;
    const scenarios = ctx.projects.find((project) => project.name === SCENARIOS_PROJECT);
    if (scenarios) {
      this.workers = Math.max(1, Number(scenarios.config.maxWorkers) || 1);
      this.concurrency = Math.max(1, scenarios.config.maxConcurrency || 1);
    }
    // vitest's live summary and this block would overwrite each other on a terminal.
    if (scenarios && this.terminal) this.inner = new DefaultReporter({ summary: false });
    this.inner.onInit(ctx);
    // An interrupted run (Ctrl-C) ends without onTestRunEnd: give the streams back all the same.
    ctx.onClose(() => {
      clearInterval(this.timer);
      this.window?.stop();
    });
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.inner.onTestRunStart(specifications);
    this.tests.clear();
    this.modules.clear();
    // Every file of the run is known now; its tests only once a worker loads it.
    for (const spec of specifications) {
      if (spec.project.name !== SCENARIOS_PROJECT) continue;
      const lastRunMs = this.ctx?.cache.getTestSpecificationResult(spec)?.duration;
      this.modules.set(spec.moduleId, { loaded: false, ...(lastRunMs ? { lastRunMs } : {}) });
    }
    this.active = this.modules.size > 0;
    if (!this.active) return;
    this.startedAtMs = this.lastSummaryAtMs = Date.now();
    if (this.terminal) this.window = new StatusWindow(() => renderStatusBlock(this.run(), Date.now(), { columns: process.stdout.columns || 100, maxRows: Math.max(3, Math.min(14, (process.stdout.rows || 24) - 6)) }));
    this.timer = setInterval(() => this.tick(), this.terminal ? REDRAW_EVERY_MS : 1_000);
    this.timer.unref();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: 'passed' | 'interrupted' | 'failed'): void {
    clearInterval(this.timer);
    this.window?.stop();
    this.window = undefined;
    if (this.active && !this.terminal) process.stdout.write(`${renderSummaryLine(this.run(), Date.now())}\n`);
    this.active = false;
    this.inner.onTestRunEnd(testModules, unhandledErrors, reason);
  }

  onTestModuleQueued(module: TestModule): void {
    this.inner.onTestModuleQueued(module);
  }

  onTestModuleCollected(module: TestModule): void {
    this.inner.onTestModuleCollected(module);
    if (!this.active || module.project.name !== SCENARIOS_PROJECT) return;
    this.modules.set(module.moduleId, { ...this.modules.get(module.moduleId), loaded: true });
    for (const testCase of module.children.allTests()) {
      const plan: TestPlan | undefined = testCase.meta().streamproofPlan;
      this.tests.set(testCase.id, {
        id: testCase.id,
        moduleId: module.moduleId,
        name: `${plan?.scenario ?? module.moduleId.split('/').pop()} > ${testCase.name}`,
        plannedMs: plan?.plannedMs ?? UNPLANNED_MS,
        state: 'queued',
        cuts: 0,
      });
    }
    this.window?.draw();
  }

  onTestModuleEnd(module: TestModule): void {
    this.inner.onTestModuleEnd(module);
  }

  onTestCaseReady(testCase: TestCase): void {
    this.inner.onTestCaseReady(testCase);
    const test = this.tests.get(testCase.id);
    if (!test) return;
    test.state = 'running';
    test.startedAtMs = Date.now();
    this.window?.draw();
  }

  onTestCaseArtifactRecord(testCase: TestCase, artifact: { type: string }): void {
    const test = this.tests.get(testCase.id);
    if (!test || artifact.type !== PROGRESS_ARTIFACT) return;
    const { event } = artifact as { type: typeof PROGRESS_ARTIFACT; event: ProgressEvent };
    // vitest batches the test's start: its first announcement can be earlier.
    test.startedAtMs = Math.min(test.startedAtMs ?? event.atMs, event.atMs);
    if (event.phase === 'cut') {
      test.cuts++;
      test.cut = event;
    } else {
      test.phase = event;
      test.cut = undefined;
    }
  }

  onTestCaseResult(testCase: TestCase): void {
    this.inner.onTestCaseResult(testCase);
    const test = this.tests.get(testCase.id);
    if (!test) return;
    const state = testCase.result().state;
    test.state = state === 'passed' || state === 'failed' ? state : 'skipped';
    test.finishedAtMs = Date.now();
    test.startedAtMs ??= test.finishedAtMs;
    if (!this.terminal) process.stdout.write(`${renderFinishedLine(test, this.run())}\n`);
    else this.window?.draw();
  }

  onHookStart(hook: Parameters<DefaultReporter['onHookStart']>[0]): void {
    this.inner.onHookStart(hook);
  }

  onHookEnd(hook: Parameters<DefaultReporter['onHookEnd']>[0]): void {
    this.inner.onHookEnd(hook);
  }

  // The rest of what vitest's default reporter handles, passed on unchanged.
  onUserConsoleLog(...args: Parameters<DefaultReporter['onUserConsoleLog']>) {
    return this.inner.onUserConsoleLog(...args);
  }
  onTestCaseBenchmark(...args: Parameters<DefaultReporter['onTestCaseBenchmark']>) {
    return this.inner.onTestCaseBenchmark(...args);
  }
  onTestSuiteResult(...args: Parameters<DefaultReporter['onTestSuiteResult']>) {
    return this.inner.onTestSuiteResult(...args);
  }
  onWatcherStart(...args: Parameters<DefaultReporter['onWatcherStart']>) {
    return this.inner.onWatcherStart(...args);
  }
  onWatcherRerun(...args: Parameters<DefaultReporter['onWatcherRerun']>) {
    return this.inner.onWatcherRerun(...args);
  }
  onTestRemoved(...args: Parameters<DefaultReporter['onTestRemoved']>) {
    return this.inner.onTestRemoved(...args);
  }
  onServerRestart(...args: Parameters<DefaultReporter['onServerRestart']>) {
    return this.inner.onServerRestart(...args);
  }

  private run(): RunProgress {
    return {
      startedAtMs: this.startedAtMs,
      tests: [...this.tests.values()],
      modules: [...this.modules].map(([id, module]) => ({ id, ...module })),
      workers: this.workers,
      concurrency: this.concurrency,
    };
  }

  private tick(): void {
    const nowMs = Date.now();
    if (this.terminal) return this.window?.draw();
    if (nowMs - this.lastSummaryAtMs < PLAIN_SUMMARY_EVERY_MS || ![...this.tests.values()].some((t) => t.state === 'running')) return;
    this.lastSummaryAtMs = nowMs;
    process.stdout.write(`${renderSummaryLine(this.run(), nowMs)}\n`);
  }
}
