/**
 * The client matrix: how a logical request ended for its caller (ok / threw / silent truncation /
 * duplicated tokens), the advice rules' order, and the three report formats showing it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adviceFor, faultOf, isFailingCell, summarizeClientRun, type ClientCell, type ClientRunContext } from '../../harness/client-outcome.ts';
import { repeatedContentTokens } from '../../harness/mock-llm/script.ts';
import type { ClientRun, Generation, RecordedConnection } from '../../harness/model.ts';
import { clientMatrix } from '../../harness/report/client-matrix.ts';
import { renderHtml } from '../../harness/report/html.ts';
import { renderMarkdown } from '../../harness/report/markdown.ts';
import { renderVerdictTable } from '../../harness/report/verdict-table.ts';
import type { ResultsFile } from '../../harness/results.ts';

const connection = (over: Partial<RecordedConnection> = {}): RecordedConnection => ({
  startedAtMs: 0,
  status: 200,
  sent: {},
  events: [],
  comments: [],
  chunks: [],
  end: { kind: 'terminator', atMs: 100 },
  ...over,
});
const run = (over: Partial<ClientRun>): ClientRun => ({ client: 'openai', logicalKey: 'k', connections: [connection()], text: 'w0 w1 w2 ', outcome: 'completed', ...over });
const generation = (id: string): Generation => ({
  generationId: id,
  logicalKey: 'k',
  format: 'openai',
  promptTokens: 10,
  completionTokens: 3,
  wastedTokens: 0,
  startedAtMs: 0,
  state: 'completed',
  requestIds: [id],
});
const context: ClientRunContext = { format: 'openai', llmMode: 'stateless', faults: [] };
const cell = (over: Partial<ClientCell>): ClientCell => ({
  ...summarizeClientRun(run({}), [generation('g1')], context),
  client: 'openai',
  failedChecks: [],
  ...over,
});

describe('repeated content tokens', () => {
  it('counts words the caller holds twice (a generation started over), not distinct ones', () => {
    expect(repeatedContentTokens('w0 w1 w2 ')).toBe(0);
    expect(repeatedContentTokens('w0 w1 w2 w0 w1 w2 w3 ')).toBe(3);
    expect(repeatedContentTokens('{"query": "status')).toBe(0);
  });
});

describe('client outcome', () => {
  it('classifies what the caller got: partial text first, then repeated words, then an error', () => {
    expect(summarizeClientRun(run({}), [generation('g1')], context).outcome).toBe('ok');
    expect(summarizeClientRun(run({ outcome: 'threw', error: 'TypeError: terminated' }), [generation('g1')], context).outcome).toBe('threw');
    expect(summarizeClientRun(run({ outcome: 'returned-partial', text: 'w0 ' }), [generation('g1')], context).outcome).toBe('silent truncation');
    const restarted = summarizeClientRun(run({ text: 'w0 w1 w0 w1 w2 ', connections: [connection({ end: { kind: 'reset', atMs: 50 } }), connection()] }), [generation('g1'), generation('g2')], context);
    expect(restarted).toMatchObject({ outcome: 'duplicated tokens', billedGenerations: 2, repeatedTokens: 2, ends: ['reset', 'terminator'], statuses: [200, 200] });
  });

  it('is failing when the answer was not whole, once, billed once; an abort on purpose is not', () => {
    expect(isFailingCell(cell({}))).toBe(false);
    expect(isFailingCell(cell({ outcome: 'aborted' }))).toBe(false);
    expect(isFailingCell(cell({ billedGenerations: 2 }))).toBe(true);
    expect(isFailingCell(cell({ outcome: 'threw' }))).toBe(true);
    expect(isFailingCell(cell({ failedChecks: ['heartbeat'] }))).toBe(true);
    expect(adviceFor(cell({}))).toBeUndefined();
  });

  it('gives the most specific advice first', () => {
    const ping = { ...context, heartbeatSeconds: 15, heartbeatFormat: 'anthropic-ping' as const };
    expect(adviceFor(cell({ outcome: 'threw', context: ping }))).toMatch(/comment heartbeats .*not `event: ping`/);
    // The same ping is harmless to Anthropic's SDK: no advice for an ok cell.
    expect(adviceFor(cell({ client: 'anthropic', context: { ...ping, format: 'anthropic' } }))).toBeUndefined();
    expect(adviceFor(cell({ outcome: 'silent truncation', context: { ...context, format: 'anthropic' } }))).toMatch(/without `message_stop`.*stream helper/);
    expect(adviceFor(cell({ client: 'eventsource', billedGenerations: 3, outcome: 'duplicated tokens' }))).toMatch(/^Honour Last-Event-ID.*starts over/);
    // A resumable server and an EventSource billed again: not the Last-Event-ID advice.
    expect(adviceFor(cell({ client: 'eventsource', billedGenerations: 2, context: { ...context, llmMode: 'resumable' } }))).toMatch(/re-sent the prompt/);
    expect(adviceFor(cell({ billedGenerations: 3, statuses: [502, 502, 200] }))).toMatch(/retried after HTTP 502 .*Idempotency-Key.*maxRetries: 0/);
    expect(adviceFor(cell({ client: 'naive', billedGenerations: 2 }))).toMatch(/^naive re-sent the prompt/);
    expect(adviceFor(cell({ outcome: 'threw', context: { ...context, toolPauseSeconds: 70, idleTimeoutSeconds: 60 } }))).toMatch(/60 s idle timeout ended the 70 s silent tool pause/);
    expect(adviceFor(cell({ outcome: 'threw', statuses: [504] }))).toMatch(/HTTP 504 before any byte/);
    const bodyTimeout = 'OpenAIError: terminated (cause: TypeError: terminated; cause: BodyTimeoutError: Body Timeout Error)';
    expect(adviceFor(cell({ outcome: 'threw', error: bodyTimeout, context: { ...context, toolPauseSeconds: 3200, idleTimeoutSeconds: 3600 } }))).toMatch(/own HTTP stack cut the silence/);
    expect(adviceFor(cell({ outcome: 'threw' }))).toMatch(/saw the cut as an error/);
  });

  it('takes the column from a scenario named `<client>: <situation>`', () => {
    expect(faultOf('openai: reset during a tool call', 'openai')).toBe('reset during a tool call');
    expect(faultOf('tool pause 70 s', 'recorder')).toBe('tool pause 70 s');
  });
});

describe('client matrix in the reports (fixture from a measured run)', () => {
  const results = JSON.parse(readFileSync(new URL('../fixtures/results.json', import.meta.url), 'utf8')) as ResultsFile;
  const matrix = clientMatrix(results);

  it('has one table per fault, clients as rows and paths as columns, each advice once', () => {
    expect(matrix.tables.map((t) => t.fault)).toEqual(['clean close during a tool call behind nginx default', 'tool pause 70 s, event: ping heartbeats every 15 s, nginx hardened']);
    const [cleanClose] = matrix.tables;
    expect(cleanClose!.rows.map((r) => r.client)).toContain('openai@7.57.0');
    expect(cleanClose!.paths).toHaveLength(2);
    expect(new Set(matrix.advice).size).toBe(matrix.advice.length);
  });

  it('prints the matrix with numbered advice in the terminal, Markdown and HTML', () => {
    const terminal = renderVerdictTable(results, false);
    expect(terminal).toMatch(/openai@7\.57\.0 +SILENT TRUNCATION, 1 billed \[1\]/);
    expect(terminal).toContain('[1] openai returned the partial answer');
    const markdown = renderMarkdown(results);
    expect(markdown).toContain('### Client matrix');
    expect(markdown).toMatch(/\| openai@7\.57\.0 \| ❌ SILENT TRUNCATION, 1 billed \[1\] \|/);
    const html = renderHtml(results);
    expect(html).toContain('<section id="clients">');
    expect(html).toMatch(/<td class="co bad"[^>]*>SILENT TRUNCATION, 1 billed \[1\]<\/td>/);
  });
});
