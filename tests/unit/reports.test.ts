import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { ClientRun, ServedRequest } from '../../harness/model.ts';
import type { ResultEntry, ResultsFile, Timeline } from '../../harness/results.ts';
import { renderHtml } from '../../harness/report/html.ts';
import { renderJunit, xmlEscape } from '../../harness/report/junit.ts';
import { renderMarkdown } from '../../harness/report/markdown.ts';
import { writeReports } from '../../harness/report/write.ts';
import { buildTimeline } from '../../harness/timeline.ts';

const entry = (over: Partial<ResultEntry>): ResultEntry => ({
  scenario: 'tool pause <70 s> & "heartbeats"',
  path: ['nginx:default@1.22.1'],
  client: 'recorder',
  check: 'heartbeat',
  expected: 'pass',
  verdict: 'pass',
  asExpected: true,
  requirement: 'maxGapMs ≤ 2500',
  measured: 'maxGapMs = 1501',
  figures: { maxGapMs: 1501, survived: 1 },
  thresholds: { maxGapFactor: 1.5 },
  detail: 'heartbeats arrived',
  ...over,
});

const timeline: Timeline = {
  origin: [
    { requestId: 'r1', generationId: 'g1', role: 'start', receivedMs: 1, endedMs: 6100, peerGoneMs: 6100, events: [5, 25, 45], heartbeats: [1545, 3045] },
    { requestId: 'r2', generationId: 'g2', role: 'start', receivedMs: 6200, endedMs: 6400, peerGoneMs: null, events: [6210, 6230, 6250], heartbeats: [] },
  ],
  client: [
    { requestId: 'r1', startMs: 0, endMs: 6101, end: 'reset', events: [400, 401, 402], heartbeats: [] },
    { requestId: 'r2', startMs: 6150, endMs: 6401, end: 'terminator', events: [6211, 6231, 6251], heartbeats: [] },
  ],
  toolPauses: [{ requestId: 'r1', startMs: 45, endMs: 7045 }, { requestId: 'r2', startMs: 6250, endMs: 13250 }],
  generations: [
    { generationId: 'g1', startMs: 1, endMs: 6100, state: 'stopped', completionTokens: 3 },
    { generationId: 'g2', startMs: 6200, endMs: 6400, state: 'completed', completionTokens: 3 },
  ],
  thinned: false,
};

const fixture: ResultsFile = {
  schemaVersion: 1,
  streamproof: '0.1.0',
  generatedAt: '2026-11-23T12:00:00.000Z',
  timeScale: 0.1,
  durationMs: 30_000,
  proxies: [{ kind: 'nginx', profile: 'default', image: 'nginx:1.22', version: '1.22.1', matrixVersion: 'bookworm' }],
  results: [
    entry({ path: [] }),
    entry({ verdict: 'fail', asExpected: false, measured: 'maxGapMs = 7210', figures: { maxGapMs: 7210, survived: 1 }, detail: 'held <in> the buffer' }),
    entry({ scenario: 'naive re-POST', check: 'billing', client: 'naive', expected: 'fail', verdict: 'fail', figures: { billedGenerations: 2 } }),
  ],
  paths: [{ scenario: 'naive re-POST', pathLabel: 'nginx:default@bookworm', path: ['nginx:default@1.22.1'], timeline }],
  clients: [],
  errors: [{ scenario: 'broken', test: 'direct', message: 'container did not start\nstack' }],
  summary: { checks: 3, asExpected: 2, unexpected: 1, errors: 1 },
};

describe('JUnit XML', () => {
  const xml = renderJunit(fixture);

  it('is well-formed XML (fast-xml-parser) with one testsuite per scenario and one testcase per check', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) }).parse(xml);
    const suites = doc.testsuites.testsuite as Array<Record<string, any>>;
    expect(suites.map((s) => s.name)).toEqual(['tool pause <70 s> & "heartbeats"', 'naive re-POST', 'broken']);
    expect(doc.testsuites).toMatchObject({ tests: '4', failures: '1', errors: '1' });
    const [first] = suites;
    expect(first!.testcase.map((c: any) => [c.classname, c.name])).toEqual([
      ['tool pause <70 s> & "heartbeats"', 'direct / heartbeat'],
      ['tool pause <70 s> & "heartbeats"', 'nginx:default@1.22.1 / heartbeat'],
    ]);
    const failure = first!.testcase[1].failure;
    expect(failure.message).toBe('expected pass, measured fail: max gap 7210 ms');
    expect(failure['#text']).toContain('held <in> the buffer');
    const properties = Object.fromEntries(first!.properties.property.map((p: any) => [p.name, p.value]));
    expect(properties).toMatchObject({ streamproof: '0.1.0', timeScale: '0.1', 'proxy nginx:default@1.22.1': 'nginx:1.22 (bookworm)' });
    expect(suites[2]!.testcase[0].error.message).toBe('container did not start');
  });

  it('escapes the five entities and replaces characters XML 1.0 forbids', () => {
    expect(xmlEscape(`<a href="x">&'\u0001`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;\uFFFD');
  });
});

describe('Markdown summary', () => {
  const md = renderMarkdown(fixture);

  it('lists unexpected verdicts and errors before the matrix, one line per path', () => {
    const order = ['differ from the measured expectation', 'Scenario errors', '### Verdicts\n', '### Versions'].map((s) => md.indexOf(s));
    expect(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!))).toBe(true);
    expect(md).toContain('| `direct` | recorder | ✅ PASS max gap 1501 ms |');
    expect(md).toContain('❌ FAIL max gap 7210 ms ⚠️ **unexpected** (expected pass)');
    expect(md).toContain('nginx 1.22.1 (bookworm): nginx:1.22');
    expect(md).toContain('time scale 0.1');
    expect(md).not.toMatch(/<in>/); // raw HTML is escaped
  });

  it('is appended to $GITHUB_STEP_SUMMARY when set, and all three files are written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamproof-reports-'));
    const summary = join(dir, 'step-summary.md');
    writeFileSync(summary, '# before\n');
    const written = writeReports(fixture, dir, { GITHUB_STEP_SUMMARY: summary });
    expect(written.map((p) => p.slice(dir.length + 1))).toEqual(['junit.xml', 'summary.md', 'report.html', 'step-summary.md']);
    expect(readFileSync(summary, 'utf8')).toBe(`# before\n${md}`);
  });
});

describe('HTML report', () => {
  const html = renderHtml(fixture);

  it('is self-contained: no external scripts, styles, images or fonts', () => {
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('shows the matrix, versions, time scale, and a timeline with the cut, reconnect and second bill', () => {
    expect(html).toContain('<table class="matrix">');
    expect(html).toContain('streamproof 0.1.0 · time scale 0.1');
    expect(html).toContain('nginx 1.22.1 (bookworm): nginx:1.22');
    expect(html.match(/<svg class="tl"/g)).toHaveLength(1);
    expect(html).toContain('cut: reset');
    expect(html).toContain('reconnect 1');
    expect(html).toContain('generation 2 (billed again)');
    expect(html).toContain('class="pause"');
    expect(html).toContain('tool pause &lt;70 s&gt; &amp; &quot;heartbeats&quot;');
  });
});

describe('buildTimeline', () => {
  const emitted = (times: number[], kind: 'event' | 'heartbeat' = 'event') => times.map((atMs, seq) => ({ kind, seq, carriesToken: true, atMs, bytes: 10 }));
  const served: ServedRequest = {
    requestId: 'r1',
    generationId: 'g1',
    role: 'start',
    httpVersion: '1.0',
    framing: 'close',
    receivedAtMs: 1000.04,
    endedAtMs: 9000,
    emitted: [...emitted([1001, 1021, 1041]), ...emitted([2541], 'heartbeat'), ...emitted([8041, 8061])],
  };
  const run: ClientRun = {
    client: 'recorder',
    logicalKey: 'k',
    text: '',
    outcome: 'completed',
    connections: [
      {
        requestId: 'r1',
        startedAtMs: 999.96,
        sent: {},
        events: [1400, 1401, 1402, 8400, 8401].map((atMs) => ({ atMs, data: '{}' })),
        comments: [{ atMs: 8399, text: 'hb' }],
        chunks: [],
        end: { kind: 'terminator', atMs: 8402 },
      },
    ],
  };

  it('puts both ends on one clock from the first request, at 0.1 ms, and places the tool pause after the last event before the silence', () => {
    const t = buildTimeline({ run, served: [served], generations: [], toolPauseMs: 7000 });
    expect(t.client[0]).toMatchObject({ startMs: 0, endMs: 7402, end: 'terminator', events: [400, 401, 402, 7400, 7401], heartbeats: [7399] });
    expect(t.origin[0]).toMatchObject({ receivedMs: 0.1, events: [1, 21, 41, 7041, 7061], heartbeats: [1541], peerGoneMs: null });
    expect(t.toolPauses).toEqual([{ requestId: 'r1', startMs: 41, endMs: 7041 }]);
    expect(t.thinned).toBe(false);
  });

  it('ends a pause cut short at the request end (the client end, before the origin notices), and places none before the pause began', () => {
    const cut = { ...served, endedAtMs: undefined, emitted: emitted([1001, 1021, 1041]) };
    const cutRun = { ...run, connections: [{ ...run.connections[0]!, events: [], comments: [], end: { kind: 'reset' as const, atMs: 5000 } }] };
    expect(buildTimeline({ run: cutRun, served: [cut], generations: [], toolPauseMs: 7000 }).toolPauses).toEqual([{ requestId: 'r1', startMs: 41, endMs: 4000 }]);
    const aborted = { ...cut, endedAtMs: 1050 };
    expect(buildTimeline({ run, served: [aborted], generations: [], toolPauseMs: 7000 }).toolPauses).toEqual([]);
  });

  it('thins a long series evenly, keeping the first and last point', () => {
    const long = { ...served, emitted: emitted(Array.from({ length: 2000 }, (_, i) => 1000 + i)) };
    const t = buildTimeline({ run, served: [long], generations: [] }, 500);
    expect(t.origin[0]!.events).toHaveLength(500);
    expect(t.origin[0]!.events[0]).toBe(0);
    expect(t.origin[0]!.events.at(-1)).toBe(1999);
    expect(t.thinned).toBe(true);
    expect(t.toolPauses).toEqual([]);
  });
});

describe('results.json formatting', () => {
  it('keeps number lists on one line and stays the same JSON', async () => {
    const { formatResults } = await import('../../harness/report/reporter.ts');
    const { readFileSync } = await import('node:fs');
    const fixture = JSON.parse(readFileSync(new URL('../fixtures/results.json', import.meta.url), 'utf8'));
    const text = formatResults(fixture);
    expect(JSON.parse(text)).toEqual(fixture);
    expect(text.length).toBeLessThan(JSON.stringify(fixture, null, 2).length);
    expect(text).toMatch(/"events": \[[\d.]+, [\d.]+/);
  });
});
