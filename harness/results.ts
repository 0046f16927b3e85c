/**
 * The results contract: reports/latest/results.json. CI and other tools read it; keep it stable.
 * Documented field by field in reports/README.md. Bump RESULTS_SCHEMA_VERSION on any breaking change.
 */
import type { ChainBlame } from './chain/blame.ts';
import { adviceFor, failedChecksOf, faultOf, type ClientRunSummary } from './client-outcome.ts';
import type { CheckName, CheckResult, Figures, Verdict } from './model.ts';

export const RESULTS_SCHEMA_VERSION = 1;

export interface ProxyInfo {
  kind: string;
  profile: string;
  /** The image that ran (official tag, or the local Debian build). */
  image: string;
  /** The proxy's real version, as the binary reported it. */
  version: string;
  /** The matrix point (Debian suite name) it stands for. */
  matrixVersion: string;
  /** For a managed-service emulation profile: the service it emulates (an emulation, never the service). */
  emulationOf?: string;
}

/** The heartbeat sweep of one path: each interval tried, and the largest that survived. */
export interface SweepOutcome {
  parameter: 'heartbeatSeconds';
  tried: Array<{ heartbeatSeconds: number; verdict: Verdict; measured: string }>;
  /** Unscaled seconds; null when no interval survived. */
  largestSafeHeartbeatSeconds: number | null;
  /** Why heartbeats cannot help on this path, when a box is known to put a deadline on the whole response. */
  note?: string;
}

/** One (scenario, path, client, check). */
export interface ResultEntry {
  scenario: string;
  /** Proxies in order, client side first, as `kind:profile@version`; [] = client straight to the mock LLM. */
  path: string[];
  client: string;
  /** The client's package version: an SDK's own (`openai` 7.57.0), streamproof's for its own clients. */
  clientVersion?: string;
  /** The options the client ran with (stated by the scenario, the client's defaults for the rest). */
  clientOptions?: Record<string, number | string | boolean>;
  check: CheckName;
  /** The verdict the scenario expects on this path, from a measured run. */
  expected: Verdict;
  verdict: Verdict;
  /** verdict === expected. */
  asExpected: boolean;
  /** What the check requires ("expected X") and what it measured ("measured Y"). */
  requirement: string;
  measured: string;
  figures: Figures;
  thresholds: Record<string, number>;
  /** Timing checks: how far the verdict is from flipping, as a fraction of its thresholds (null: not measured). */
  margin?: number | null;
  detail: string;
}

/** What one scenario test hands the reporter (vitest task meta). */
export interface ScenarioOutcome {
  scenario: string;
  /** The matrix label of the path: `direct`, `nginx:default@bookworm`. */
  pathLabel: string;
  path: string[];
  proxies: ProxyInfo[];
  client: string;
  clientVersion?: string;
  clientOptions?: Record<string, number | string | boolean>;
  timeScale: number;
  checks: Array<CheckResult & { expectedVerdict: Verdict }>;
  /** Paths of two or more boxes: each point measured, each box's share, and who is to blame. */
  chain?: ChainBlame;
  sweep?: SweepOutcome;
  /** What both ends of the wire saw, in time, for the timeline plot (harness/timeline.ts). */
  timeline?: Timeline;
  /** How the logical request ended as its caller saw it, for the client matrix. */
  clientRun?: ClientRunSummary;
}

/**
 * Compact timing of one path's main stream (not its sweep streams), for the timeline plot.
 * Every time is ms since the first request of the run (client connect or origin receipt, the
 * earlier), rounded to 0.1 ms; one clock for both ends. A series over 500 points is thinned
 * evenly (first and last kept) and `thinned` says so.
 */
export interface Timeline {
  /** One per HTTP request the mock LLM served (reconnects are further requests). */
  origin: Array<{
    requestId: string;
    generationId: string;
    role: 'start' | 'resume';
    receivedMs: number;
    /** When the response ended from the origin's side (complete, or cut). */
    endedMs: number | null;
    /** When the origin noticed the peer had gone before the end (a cut or an abort). */
    peerGoneMs: number | null;
    /** Emission time of each SSE event, in order. */
    events: number[];
    /** Emission time of each heartbeat (SSE comment). */
    heartbeats: number[];
  }>;
  /** One per connection the client made, in order. */
  client: Array<{
    /** Joins to origin[].requestId; absent when no response head arrived. */
    requestId: string | null;
    startMs: number;
    endMs: number;
    /** How it ended (model.ts ConnectionEndKind: terminator, reset, eof-without-terminator, ...). */
    end: string;
    /** Arrival time of each SSE event, in order (the i-th pairs with the origin's i-th emission). */
    events: number[];
    /** Arrival time of each SSE comment (heartbeat). */
    heartbeats: number[];
  }>;
  /**
   * The scripted tool pause of each request that started a generation, placed where it happened:
   * from the event before the longest silence at the origin, for the scripted length or until the
   * request ended, the earlier. [] without a tool pause (or when it was aborted or cut before it began).
   */
  toolPauses: Array<{ requestId: string; startMs: number; endMs: number }>;
  /** Generations billed for this logical request. */
  generations: Array<{ generationId: string; startMs: number; endMs: number | null; state: string; completionTokens: number }>;
  /** True when a series was thinned to 500 points. */
  thinned: boolean;
}

export interface ResultsFile {
  schemaVersion: number;
  streamproof: string;
  generatedAt: string;
  timeScale: number;
  /** Wall time of the run, ms. */
  durationMs: number;
  proxies: ProxyInfo[];
  results: ResultEntry[];
  /**
   * One per (scenario, path) that measured more than its checks: a chain's points, each box's share
   * and who is to blame; a heartbeat sweep's largest safe interval; the stream's timeline.
   */
  paths: PathReport[];
  /**
   * The client matrix (client × path × fault): one per (scenario, path, client), how the logical
   * request ended for its caller, what it was billed, and what to do when it went wrong.
   */
  clients: ClientOutcome[];
  /** Scenario tests that produced no result (setup failures, timeouts), with their error. */
  errors: Array<{ scenario: string; test: string; message: string }>;
  summary: { checks: number; asExpected: number; unexpected: number; errors: number };
  /** A run of one shard of the scenario files (`streamproof run --shard i/n`): which. */
  shard?: { index: number; count: number };
  /** A merge of shards (`streamproof merge`): each shard's own figures; `durationMs` is then the longest shard's. */
  shards?: Array<{ index: number; count: number; durationMs: number; checks: number; generatedAt: string; source: string }>;
  /** `validate` only: each failing check's cause and fix, at the user's file and line (SARIF and annotations read these). */
  findings?: ValidateFinding[];
}

/** A failing check of `validate`, placed in the user's file that causes it. */
export interface ValidateFinding {
  check: CheckName;
  /** The stream's label, e.g. `tool pause 70 s, no heartbeats`. */
  stream: string;
  /** The path's boxes, client side first. */
  path: string[];
  matrixVersion: string;
  /** The user's file, as given on the command line (the client-side one when no file is to blame). */
  file?: string;
  /** 1-based: the directive the fix changes, else the block it goes in. */
  line?: number;
  /** How the file was found: the only box; blamed by the taps on a chain; predicted by its static pass; none. */
  attribution: 'only-box' | 'blamed-by-taps' | 'predicted-by-static-pass' | 'none';
  measured: string;
  /** Cause and fix in the file's own words. */
  fix: string;
}

export interface ClientOutcome extends ClientRunSummary {
  scenario: string;
  /** The matrix column: the scenario's name without its `<client>: ` prefix. */
  fault: string;
  pathLabel: string;
  path: string[];
  client: string;
  clientVersion?: string;
  clientOptions?: Record<string, number | string | boolean>;
  /** Checks of this point that failed (the matrix is about the client, whatever the scenario expected). */
  failedChecks: CheckName[];
  /** What to do, for a cell that went wrong (harness/client-outcome.ts ADVICE_RULES). */
  advice?: string;
}

export function toClientOutcome(outcome: ScenarioOutcome): ClientOutcome | undefined {
  if (!outcome.clientRun) return undefined;
  const cell = {
    ...outcome.clientRun,
    scenario: outcome.scenario,
    fault: faultOf(outcome.scenario, outcome.client),
    pathLabel: outcome.pathLabel,
    path: outcome.path,
    client: outcome.client,
    ...(outcome.clientVersion !== undefined ? { clientVersion: outcome.clientVersion } : {}),
    ...(outcome.clientOptions !== undefined ? { clientOptions: outcome.clientOptions } : {}),
    failedChecks: failedChecksOf(outcome.checks),
  };
  const advice = adviceFor(cell);
  return advice === undefined ? cell : { ...cell, advice };
}

export interface PathReport {
  scenario: string;
  pathLabel: string;
  path: string[];
  chain?: ChainBlame;
  sweep?: SweepOutcome;
  timeline?: Timeline;
}

export function toPathReport(outcome: ScenarioOutcome): PathReport | undefined {
  if (!outcome.chain && !outcome.sweep && !outcome.timeline) return undefined;
  return {
    scenario: outcome.scenario,
    pathLabel: outcome.pathLabel,
    path: outcome.path,
    ...(outcome.chain ? { chain: outcome.chain } : {}),
    ...(outcome.sweep ? { sweep: outcome.sweep } : {}),
    ...(outcome.timeline ? { timeline: outcome.timeline } : {}),
  };
}

export function toEntries(outcome: ScenarioOutcome): ResultEntry[] {
  return outcome.checks.map((c) => ({
    scenario: outcome.scenario,
    path: outcome.path,
    client: outcome.client,
    ...(outcome.clientVersion !== undefined ? { clientVersion: outcome.clientVersion } : {}),
    ...(outcome.clientOptions !== undefined ? { clientOptions: outcome.clientOptions } : {}),
    check: c.check,
    expected: c.expectedVerdict,
    verdict: c.verdict,
    asExpected: c.verdict === c.expectedVerdict,
    requirement: c.expected,
    measured: c.measured,
    figures: c.figures,
    thresholds: c.thresholds,
    ...(c.margin !== undefined ? { margin: c.margin } : {}),
    detail: c.detail,
  }));
}

/** Each box once (the same image at the same version ran in many tests), in a stable order. */
export function uniqueProxies(proxies: ProxyInfo[]): ProxyInfo[] {
  const seen = new Map<string, ProxyInfo>();
  for (const p of proxies) seen.set(`${p.kind}:${p.profile}@${p.version}:${p.image}`, p);
  return [...seen.values()].sort((a, b) => `${a.kind}${a.matrixVersion}${a.profile}`.localeCompare(`${b.kind}${b.matrixVersion}${b.profile}`));
}

/** The summary line of results.json, counted from its entries and errors. */
export function summaryOf(results: readonly ResultEntry[], errors: readonly unknown[]): ResultsFile['summary'] {
  const asExpected = results.filter((r) => r.asExpected).length;
  return { checks: results.length, asExpected, unexpected: results.length - asExpected, errors: errors.length };
}
