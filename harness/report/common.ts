/** Shared by the report formats: names and groupings read from results.json, nothing else. */
import type { CheckName, Figures } from '../model.ts';
import type { PathReport, ResultEntry, ResultsFile } from '../results.ts';

/** The one figure shown beside each verdict. */
export const HEADLINE: Record<CheckName, (f: Figures) => string> = {
  heartbeat: (f) => (f.survived === 0 ? `cut, gap ${ms(f.maxGapMs)}` : `max gap ${ms(f.maxGapMs)}`),
  buffering: (f) => `p95 ${ms(f.delayP95Ms)}, ttft ${ms(f.ttftMs)}`,
  billing: (f) => `${f.billedGenerations ?? '?'} billed`,
  completion: (f) => (f.silentTruncation === 1 ? 'silent truncation' : `${f.tokensReceived ?? '?'} tokens`),
  abort: (f) => `noticed ${ms(f.abortNoticeMs)}, wasted ${f.wastedTokens ?? '?'}`,
  integrity: (f) => `${f.arrivedEvents ?? '?'}/${f.emittedEvents ?? '?'} events, ${f.malformedEvents ?? '?'} malformed`,
};

function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? 'n/a' : `${Math.round(value)} ms`;
}

/** `openai@7.57.0`; the harness's own clients (versioned with streamproof) by name alone. */
export function clientLabel(entry: Pick<ResultEntry, 'client' | 'clientVersion'>, streamproofVersion: string): string {
  return entry.clientVersion === undefined || entry.clientVersion === streamproofVersion ? entry.client : `${entry.client}@${entry.clientVersion}`;
}

/** A path as people read it: boxes joined by arrows, client side first; `direct` for none. */
export function pathName(path: string[]): string {
  return path.join(' → ') || 'direct';
}

/** The path without versions (`nginx:default`): the matrix column of a profile. */
export function profileName(path: string[]): string {
  return path.map((box) => box.split('@')[0]).join(' → ') || 'direct';
}

/** The versions of a path's boxes (`1.22.1`, `2.6.12 / 1.22.1`), or '' for direct. */
export function versionsOf(path: string[]): string {
  return [...new Set(path.map((box) => box.split('@')[1] ?? '?'))].join(' / ');
}

export function headline(entry: ResultEntry): string {
  return HEADLINE[entry.check]?.(entry.figures) ?? '';
}

export interface PathGroup {
  path: string[];
  client: string;
  entries: ResultEntry[];
  report: PathReport | undefined;
}

export interface ScenarioGroup {
  scenario: string;
  checks: string[];
  paths: PathGroup[];
}

/** Scenarios in results order, each with its paths (one per path and client) and their reports. */
export function groupResults(results: ResultsFile): ScenarioGroup[] {
  const groups = new Map<string, ScenarioGroup>();
  for (const entry of results.results) {
    let group = groups.get(entry.scenario);
    if (!group) groups.set(entry.scenario, (group = { scenario: entry.scenario, checks: [], paths: [] }));
    if (!group.checks.includes(entry.check)) group.checks.push(entry.check);
    const key = pathName(entry.path);
    let path = group.paths.find((p) => pathName(p.path) === key && p.client === entry.client);
    if (!path) {
      const report = (results.paths ?? []).find((r) => r.scenario === entry.scenario && pathName(r.path) === key);
      group.paths.push((path = { path: entry.path, client: entry.client, entries: [], report }));
    }
    path.entries.push(entry);
  }
  return [...groups.values()];
}

/** Sentences for a path's chain blame and heartbeat sweep, as the terminal table prints them. */
export function pathNotes(report: PathReport | undefined): string[] {
  if (!report) return [];
  const notes: string[] = [];
  if (report.chain) notes.push(report.chain.summary);
  if (report.sweep) {
    const safe = report.sweep.largestSafeHeartbeatSeconds;
    notes.push(
      `largest safe heartbeat interval ${safe === null ? `none survived${report.sweep.note ? `: ${report.sweep.note}` : ''}` : `${safe} s`}` +
        ` (tried ${report.sweep.tried.map((t) => `${t.heartbeatSeconds} s ${t.verdict}`).join(', ')})`,
    );
  }
  return notes;
}

/** Proxy versions, one line each: `nginx 1.22.1 (bookworm): nginx:1.22`. */
export function versionLines(results: ResultsFile): string[] {
  const seen = new Map<string, string>();
  for (const p of results.proxies) {
    const key = `${p.kind} ${p.version} (${p.matrixVersion})`;
    seen.set(key, `${key}: ${p.image}`);
  }
  return [...seen.values()];
}
