/**
 * The results contract: reports/latest/results.json. CI and other tools read it; keep it stable.
 * Documented field by field in reports/README.md. Bump RESULTS_SCHEMA_VERSION on any breaking change.
 */
import type { ChainBlame } from './chain/blame.ts';
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
   * and who is to blame; a heartbeat sweep's largest safe interval.
   */
  paths: PathReport[];
  /** Scenario tests that produced no result (setup failures, timeouts), with their error. */
  errors: Array<{ scenario: string; test: string; message: string }>;
  summary: { checks: number; asExpected: number; unexpected: number; errors: number };
}

export interface PathReport {
  scenario: string;
  pathLabel: string;
  path: string[];
  chain?: ChainBlame;
  sweep?: SweepOutcome;
}

export function toPathReport(outcome: ScenarioOutcome): PathReport | undefined {
  if (!outcome.chain && !outcome.sweep) return undefined;
  return {
    scenario: outcome.scenario,
    pathLabel: outcome.pathLabel,
    path: outcome.path,
    ...(outcome.chain ? { chain: outcome.chain } : {}),
    ...(outcome.sweep ? { sweep: outcome.sweep } : {}),
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
    detail: c.detail,
  }));
}
