import { describe, expect, test } from 'vitest';
import {
  abortCheck,
  billingCheck,
  bufferingCheck,
  CHECKS,
  completionCheck,
  DEFAULT_THRESHOLDS,
  evaluateChecks,
  heartbeatCheck,
} from '../../harness/checks/index.ts';
import { marginOf } from '../../harness/checks/thresholds.ts';
import type {
  ArrivedEvent,
  ClientRun,
  EmittedItem,
  Generation,
  RecordedConnection,
  ServedRequest,
  StreamEvidence,
} from '../../harness/model.ts';

// ─── Builders: times are offsets (ms) from T0 ──────────────────────────────────────────────────

const T0 = 1_000_000;
const at = (ms: number) => T0 + ms;

const tokenData = (text: string) => JSON.stringify({ choices: [{ index: 0, delta: { content: text } }] });
/** Arrived events at the given offsets; each carries one token unless `data` says otherwise. */
const arrived = (offsets: number[], extra: Partial<ArrivedEvent> = {}): ArrivedEvent[] =>
  offsets.map((ms, i) => ({ atMs: at(ms), data: tokenData(`t${i} `), ...extra }));
const emitted = (offsets: number[], extra: Partial<EmittedItem> = {}): EmittedItem[] =>
  offsets.map((ms, i) => ({ kind: 'event', seq: i, carriesToken: true, atMs: at(ms), bytes: 40, ...extra }));
const heartbeats = (offsets: number[], extra: Partial<EmittedItem> = {}): EmittedItem[] =>
  emitted(offsets, { kind: 'heartbeat', carriesToken: false, bytes: 14, ...extra });

function connection(over: Partial<RecordedConnection> & { endAt: number; kind?: RecordedConnection['end']['kind'] }): RecordedConnection {
  const { endAt, kind = 'terminator', ...rest } = over;
  const events = rest.events ?? [];
  return {
    requestId: 'req-1',
    startedAtMs: at(0),
    headersAtMs: at(1),
    status: 200,
    sent: {},
    events,
    comments: [],
    // one chunk per event unless given
    chunks: events.map((event) => ({ atMs: event.atMs, bytes: 40 })),
    ...rest,
    end: { kind, atMs: at(endAt) },
  };
}

function served(over: Partial<ServedRequest> = {}): ServedRequest {
  return {
    requestId: 'req-1',
    generationId: 'gen-1',
    role: 'start',
    httpVersion: '1.1',
    framing: 'chunked',
    receivedAtMs: at(0),
    emitted: [],
    ...over,
  };
}

function generation(over: Partial<Generation> = {}): Generation {
  return {
    generationId: 'gen-1',
    logicalKey: 'prompt:0123456789abcdef',
    format: 'openai',
    promptTokens: 12,
    completionTokens: 10,
    wastedTokens: 0,
    startedAtMs: at(0),
    state: 'completed',
    requestIds: ['req-1'],
    ...over,
  };
}

function evidence(over: { connections: RecordedConnection[]; outcome?: ClientRun['outcome']; error?: string } & Partial<Omit<StreamEvidence, 'run'>>): StreamEvidence {
  const { connections, outcome = 'completed', error, ...rest } = over;
  const run: ClientRun = { client: 'naive', logicalKey: 'prompt:0123456789abcdef', connections, text: '', outcome };
  if (error !== undefined) run.error = error;
  return { run, served: [served()], generations: [generation()], intent: {}, ...rest };
}

// ─── heartbeat ────────────────────────────────────────────────────────────────────────────────

describe('heartbeat', () => {
  const beatTimes = [200, 400, 600, 800];
  const survivedWithBeats = () =>
    evidence({
      connections: [
        connection({
          events: arrived([10, 1010]),
          comments: beatTimes.map((ms) => ({ atMs: at(ms + 1), text: 'keep-alive' })),
          chunks: [10, ...beatTimes.map((ms) => ms + 1), 1010].map((ms) => ({ atMs: at(ms), bytes: 20 })),
          endAt: 1011,
        }),
      ],
      served: [served({ emitted: [...emitted([9, 1009]), ...heartbeats(beatTimes)] })],
      intent: { toolPauseMs: 1000, heartbeatIntervalMs: 200 },
    });

  test('passes: one connection through the pause, heartbeats on time', () => {
    const result = heartbeatCheck().evaluate(survivedWithBeats());
    expect(result.verdict).toBe('pass');
    expect(result.figures).toMatchObject({
      pauseMs: 1000,
      heartbeatIntervalMs: 200,
      heartbeatsSent: 4,
      heartbeatsArrived: 4,
      maxGapMs: 209,
      survived: 1,
    });
    expect(result.expected).toBe('survives a 1000 ms pause on one connection; max gap ≤ 1.5 × 200 ms heartbeat interval + 250 ms');
    expect(result.thresholds).toEqual({ maxGapFactor: 1.5, gapSlackMs: 250 });
  });

  test('records whether the client accepted the heartbeat format: comments read on, a client that drops the stream at a ping did not', () => {
    expect(heartbeatCheck().evaluate(survivedWithBeats()).figures.heartbeatFormatAccepted).toBe(1);
    const dropped = heartbeatCheck().evaluate(
      evidence({
        connections: [
          connection({
            events: arrived([10]),
            chunks: [10, 201].map((ms) => ({ atMs: at(ms), bytes: 20 })),
            comments: [{ atMs: at(201), text: 'keep-alive' }],
            kind: 'aborted',
            endAt: 202,
          }),
        ],
        served: [served({ emitted: [...emitted([9]), ...heartbeats([200])] })],
        outcome: 'threw',
        error: "OpenAIError: chunk.choices is not iterable",
        intent: { toolPauseMs: 1000, heartbeatIntervalMs: 200, heartbeatFormat: 'anthropic-ping' },
      }),
    );
    expect(dropped.verdict).toBe('fail');
    expect(dropped.figures.heartbeatFormatAccepted).toBe(0);
    expect(dropped.detail).toContain('it does not accept `event: ping` heartbeats');
    expect(heartbeatCheck().evaluate(evidence({ connections: [connection({ events: arrived([10]), endAt: 20 })] })).figures.heartbeatFormatAccepted).toBeNull();
  });

  test('a client that sees no comments or reads (a browser page): gap and heartbeats not measurable, judged on survival alone', () => {
    const browser = (kind: RecordedConnection['end']['kind']) =>
      heartbeatCheck().evaluate(
        evidence({
          connections: [connection({ events: arrived([10, 1010]), chunks: [], unseenByClient: ['comments', 'chunks'], kind, endAt: 1011 })],
          served: [served({ emitted: [...emitted([9, 1009]), ...heartbeats(beatTimes)] })],
          intent: { toolPauseMs: 1000, heartbeatIntervalMs: 200 },
        }),
      );
    const survived = browser('terminator');
    expect(survived.verdict).toBe('pass');
    expect(survived.figures).toMatchObject({ maxGapMs: null, heartbeatsArrived: null, heartbeatsSent: 4, survived: 1 });
    expect(survived.measured).toContain('max gap not measurable');
    expect(browser('reset').verdict).toBe('fail');
  });

  test('fails: cut by an idle timeout during the pause, client reconnected', () => {
    const result = heartbeatCheck().evaluate(
      evidence({
        connections: [
          connection({ events: arrived([10, 20]), kind: 'eof-without-terminator', endAt: 6032 }),
          connection({ requestId: 'req-2', startedAtMs: at(6040), headersAtMs: at(6041), events: arrived([6050]), endAt: 6060 }),
        ],
        intent: { toolPauseMs: 7000, idleTimeoutMs: 6000 },
      }),
    );
    expect(result.verdict).toBe('fail');
    expect(result.figures).toMatchObject({ survived: 0, maxGapMs: 6012, silenceBeforeEndMs: 6012, heartbeatIntervalMs: null, idleTimeoutMs: 6000 });
    expect(result.measured).toMatch(/^cut after 6012 ms of silence \(eof-without-terminator\); max gap 6012 ms/);
    expect(result.detail).toMatch(/idle timeout 6000 ms.*2 connections/);
  });

  // The CI case: Chromium's first EventSource request failed before its head and reached nothing;
  // its own reconnect 3 s later was served and survived the pause.
  const afterUnservedAttempt = (servedRequests: ServedRequest[]) =>
    evidence({
      connections: [
        { ...connection({ kind: 'connect-error', endAt: 40 }), requestId: undefined, headersAtMs: undefined, status: undefined, end: { kind: 'connect-error', atMs: at(40), message: 'net::ERR_EMPTY_RESPONSE' } },
        connection({ requestId: 'req-2', startedAtMs: at(3040), headersAtMs: at(3041), events: arrived([3050, 4050]), unseenByClient: ['comments', 'chunks'], chunks: [], endAt: 4051 }),
      ],
      served: servedRequests,
      intent: { toolPauseMs: 1000, heartbeatIntervalMs: 200 },
    });

  test('an attempt that never reached the origin is named, not judged: the first served connection is', () => {
    const ev = afterUnservedAttempt([served({ requestId: 'req-2', emitted: [...emitted([3049, 4049]), ...heartbeats(beatTimes.map((ms) => ms + 3040))] })]);
    const heartbeat = heartbeatCheck().evaluate(ev);
    expect(heartbeat.verdict).toBe('pass');
    expect(heartbeat.figures).toMatchObject({ survived: 1, heartbeatsSent: 4 });
    expect(heartbeat.measured).toContain('1 earlier attempt never reached the model (net::ERR_EMPTY_RESPONSE), not judged');
    const buffering = bufferingCheck().evaluate(ev);
    expect(buffering.verdict).toBe('pass');
    expect(buffering.measured).toMatch(/^delay p95 1.0 ms.*1 earlier attempt never reached the model/);
  });

  test('an attempt the origin did serve (a request no connection claims) stays judged: it was the stream', () => {
    const ev = afterUnservedAttempt([
      served({ requestId: 'req-1', emitted: emitted([30]) }),
      served({ requestId: 'req-2', emitted: [...emitted([3049, 4049])] }),
    ]);
    const heartbeat = heartbeatCheck().evaluate(ev);
    expect(heartbeat.verdict).toBe('fail');
    expect(heartbeat.measured).toMatch(/^cut after 40 ms of silence \(connect-error: net::ERR_EMPTY_RESPONSE\)/);
  });

  test('a client whose only connection failed before its head keeps that failure judged', () => {
    const only = afterUnservedAttempt([]);
    only.run.connections.pop();
    expect(heartbeatCheck().evaluate(only).verdict).toBe('fail');
  });

  test('fails: survived, but heartbeats arrived late (held back on the way)', () => {
    const ev = survivedWithBeats();
    // the proxy released all heartbeats together with the next token
    const first = ev.run.connections[0]!;
    first.comments = beatTimes.map(() => ({ atMs: at(1009), text: 'keep-alive' }));
    first.chunks = [{ atMs: at(10), bytes: 20 }, { atMs: at(1010), bytes: 200 }];
    const result = heartbeatCheck().evaluate(ev);
    expect(result.verdict).toBe('fail');
    expect(result.figures.maxGapMs).toBe(1000);
    expect(result.detail).toMatch(/held back/);
  });

  test('thresholds are overridable', () => {
    const ev = survivedWithBeats();
    expect(heartbeatCheck({ maxGapFactor: 0.5, gapSlackMs: 0 }).evaluate(ev).verdict).toBe('fail');
  });

  test('no heartbeats scripted: survival alone decides', () => {
    const result = heartbeatCheck().evaluate(
      evidence({ connections: [connection({ events: arrived([10, 3010]), endAt: 3011 })], intent: { toolPauseMs: 3000 } }),
    );
    expect(result.verdict).toBe('pass');
    expect(result.figures).toMatchObject({ heartbeatIntervalMs: null, heartbeatsSent: 0, maxGapMs: 3000 });
  });
});

// ─── buffering ────────────────────────────────────────────────────────────────────────────────

describe('buffering', () => {
  const emitTimes = [0, 20, 40, 60, 80];

  test('passes: every event a couple of ms behind its emission', () => {
    const result = bufferingCheck().evaluate(
      evidence({
        connections: [connection({ events: arrived(emitTimes.map((ms) => ms + 2)), endAt: 90 })],
        served: [served({ emitted: emitted(emitTimes) })],
      }),
    );
    expect(result.verdict).toBe('pass');
    expect(result.figures).toEqual({
      delayP50Ms: 2,
      delayP95Ms: 2,
      delayMaxMs: 2,
      ttftMs: 2,
      eventsMatched: 5,
      burstEvents: 0,
      heartbeatDelayMaxMs: null,
      injectedDelayMs: 0,
    });
    expect(result.detail).toMatch(/matched 5 of 5 emitted events/);
    // p95 2 of 250 ms and max 2 of 1000 ms: the smaller headroom, 248 / 250.
    expect(result.margin).toBe(0.992);
  });

  test('fails: a buffering proxy releases everything at the end, in one burst', () => {
    const result = bufferingCheck().evaluate(
      evidence({
        connections: [connection({ events: arrived(emitTimes.map(() => 1500)), endAt: 1501 })],
        served: [served({ emitted: emitted(emitTimes) })],
      }),
    );
    expect(result.verdict).toBe('fail');
    expect(result.figures).toMatchObject({ delayP50Ms: 1460, delayP95Ms: 1500, delayMaxMs: 1500, ttftMs: 1500, burstEvents: 4 });
    // the same evidence passes looser thresholds: they are data
    expect(bufferingCheck({ delayP95Ms: 2000, delayMaxMs: 2000 }).evaluate(evidence({
      connections: [connection({ events: arrived(emitTimes.map(() => 1500)), endAt: 1501 })],
      served: [served({ emitted: emitted(emitTimes) })],
    })).verdict).toBe('pass');
  });

  test('a cut stream matches the prefix that arrived, and says so', () => {
    const result = bufferingCheck().evaluate(
      evidence({
        connections: [connection({ events: arrived([3, 23, 43]), kind: 'reset', endAt: 50 })],
        served: [served({ emitted: emitted(emitTimes) })],
      }),
    );
    expect(result.figures.eventsMatched).toBe(3);
    expect(result.detail).toMatch(/matched 3 of 5 emitted events \(3 SSE events arrived/);
  });

  test('Anthropic ping heartbeats arrive as events: matched as heartbeats, not tokens', () => {
    const ping = { atMs: at(0), event: 'ping', data: '{"type":"ping"}' };
    const result = bufferingCheck().evaluate(
      evidence({
        connections: [
          connection({ events: [...arrived([1]), { ...ping, atMs: at(108) }, ...arrived([202])], endAt: 210 }),
        ],
        served: [served({ emitted: [...emitted([0]), ...heartbeats([100], { event: 'ping' }), ...emitted([200], { seq: 1 })] })],
      }),
    );
    expect(result.figures).toMatchObject({ eventsMatched: 2, delayMaxMs: 2, heartbeatDelayMaxMs: 8 });
  });

  test('fails with null figures when nothing can be matched', () => {
    const result = bufferingCheck().evaluate(evidence({ connections: [connection({ kind: 'connect-error', endAt: 5 })], served: [] }));
    expect(result.verdict).toBe('fail');
    expect(result.figures).toMatchObject({ delayP95Ms: null, delayMaxMs: null, ttftMs: null, eventsMatched: 0 });
    expect(result.measured).toBe('no events to match');
  });
});

// ─── billing ──────────────────────────────────────────────────────────────────────────────────

describe('billing', () => {
  test('passes: one generation for the logical request', () => {
    const result = billingCheck().evaluate(evidence({ connections: [connection({ endAt: 10 }), connection({ endAt: 20 })] }));
    expect(result.verdict).toBe('pass');
    expect(result.figures).toMatchObject({ billedGenerations: 1, connections: 2, duplicatedTokens: 0, promptTokensBilled: 12 });
  });

  test('fails: a re-POST billed a second generation', () => {
    const ev = evidence({
      connections: [connection({ kind: 'reset', endAt: 10 }), connection({ requestId: 'req-2', endAt: 20 })],
      generations: [
        generation({ completionTokens: 4, state: 'stopped' }),
        generation({ generationId: 'gen-2', startedAtMs: at(11), completionTokens: 10, requestIds: ['req-2'] }),
      ],
    });
    const result = billingCheck().evaluate(ev);
    expect(result.verdict).toBe('fail');
    expect(result.figures).toMatchObject({ billedGenerations: 2, duplicatedTokens: 10, promptTokensBilled: 24, completionTokensBilled: 14 });
    expect(result.measured).toBe('billedGenerations = 2 over 2 connection(s)');
    expect(billingCheck({ maxBilledGenerations: 2 }).evaluate(ev).verdict).toBe('pass');
  });
});

// ─── completion ───────────────────────────────────────────────────────────────────────────────

describe('completion', () => {
  test('passes: terminator', () => {
    const result = completionCheck().evaluate(evidence({ connections: [connection({ events: arrived([1, 2, 3]), endAt: 4 })] }));
    expect(result.verdict).toBe('pass');
    expect(result.figures).toEqual({ tokensReceived: 3, tokensGenerated: 10, silentTruncation: 0, repeatedTokens: 0 });
  });

  test('passes: the client threw, the failure is visible', () => {
    const result = completionCheck().evaluate(
      evidence({ connections: [connection({ kind: 'reset', endAt: 4 })], outcome: 'threw', error: 'reset: other side closed' }),
    );
    expect(result.verdict).toBe('pass');
    expect(result.detail).toMatch(/other side closed/);
  });

  test('fails: partial text returned as complete after a clean EOF', () => {
    const result = completionCheck().evaluate(
      evidence({ connections: [connection({ events: arrived([1, 2, 3, 4]), kind: 'eof-without-terminator', endAt: 5 })], outcome: 'returned-partial' }),
    );
    expect(result.verdict).toBe('fail');
    expect(result.figures).toEqual({ tokensReceived: 4, tokensGenerated: 10, silentTruncation: 1, repeatedTokens: 0 });
    expect(result.detail).toBe('The naive client returned partial text as complete: the stream ended eof-without-terminator, 6 of 10 generated tokens missing.');
  });

  test('a replayed event (same id) counts once', () => {
    const result = completionCheck().evaluate(
      evidence({
        connections: [
          connection({ events: arrived([1, 2]).map((e, i) => ({ ...e, id: `g.${i}` })), kind: 'reset', endAt: 3 }),
          connection({ events: arrived([4, 5]).map((e, i) => ({ ...e, id: `g.${i + 1}` })), endAt: 6 }),
        ],
        generations: [],
      }),
    );
    expect(result.figures).toEqual({ tokensReceived: 3, tokensGenerated: null, silentTruncation: 0, repeatedTokens: 0 });
  });
});

// ─── abort ────────────────────────────────────────────────────────────────────────────────────

describe('abort', () => {
  const abortedRun = (over: { peerGoneAt?: number; state?: Generation['state'] }) =>
    evidence({
      connections: [connection({ events: arrived([10, 20]), kind: 'aborted', endAt: 25 })],
      outcome: 'aborted',
      served: [served({ emitted: emitted([9, 19, 29, 39]), ...(over.peerGoneAt !== undefined && { peerGoneAtMs: at(over.peerGoneAt) }) })],
      generations: [generation({ state: over.state ?? 'stopped', wastedTokens: 1 })],
      intent: { clientAbortAtMs: at(25) },
    });

  test('passes: the origin noticed quickly and stopped', () => {
    const result = abortCheck().evaluate(abortedRun({ peerGoneAt: 30 }));
    expect(result.verdict).toBe('pass');
    expect(result.figures).toEqual({ abortNoticeMs: 5, wastedTokens: 2, wastedTokensBilled: 1, generationStopped: 1 });
  });

  test('fails: never noticed', () => {
    const result = abortCheck().evaluate(abortedRun({ state: 'completed' }));
    expect(result.verdict).toBe('fail');
    expect(result.figures).toMatchObject({ abortNoticeMs: null, generationStopped: 0 });
    expect(result.measured).toBe('never noticed');
  });

  test('fails: noticed too late, or noticed but the generation ran on', () => {
    expect(abortCheck().evaluate(abortedRun({ peerGoneAt: 1525 })).figures.abortNoticeMs).toBe(1500);
    expect(abortCheck().evaluate(abortedRun({ peerGoneAt: 1525 })).verdict).toBe('fail');
    expect(abortCheck({ abortNoticeMaxMs: 2000 }).evaluate(abortedRun({ peerGoneAt: 1525 })).verdict).toBe('pass');
    expect(abortCheck().evaluate(abortedRun({ peerGoneAt: 30, state: 'running' })).verdict).toBe('fail');
  });

  test('without intent, the abort time is when the connection was aborted', () => {
    const ev = abortedRun({ peerGoneAt: 45 });
    ev.intent = {};
    expect(abortCheck().evaluate(ev).figures.abortNoticeMs).toBe(20);
  });
});

// ─── registry ─────────────────────────────────────────────────────────────────────────────────

describe('evaluateChecks', () => {
  test('runs the named checks in order, with thresholds passed to each', () => {
    const ev = evidence({ connections: [connection({ events: arrived([1, 2]), endAt: 3 })] });
    const results = evaluateChecks(['completion', 'billing'], ev, { maxBilledGenerations: 0 });
    expect(results.map((r) => [r.check, r.verdict])).toEqual([
      ['completion', 'pass'],
      ['billing', 'fail'],
    ]);
    expect(Object.keys(CHECKS).sort()).toEqual(['abort', 'billing', 'buffering', 'completion', 'heartbeat', 'integrity']);
    expect(DEFAULT_THRESHOLDS.delayP95Ms).toBe(250);
  });
});

describe('buffering with injected delay', () => {
  test('judges only the delay beyond what a latency toxic injected', () => {
    const ev = evidence({
      connections: [connection({ events: arrived([302, 322]), endAt: 330 })],
      served: [served({ emitted: emitted([0, 20]) })],
    });
    const base = bufferingCheck().evaluate(ev);
    expect(base.verdict).toBe('fail');
    const injected = bufferingCheck().evaluate({ ...ev, intent: { ...ev.intent, injectedDelayMs: 300 } });
    expect([injected.verdict, injected.figures.delayP95Ms]).toEqual(['pass', 2]);
    expect(injected.expected).toMatch(/beyond 300 ms injected/);
  });
});

describe('marginOf', () => {
  test('a pass: the smallest headroom as a fraction of its limit', () => {
    expect(marginOf([[200, 250], [100, 1000]])).toBe(0.2);
  });
  test('a fail: what the furthest exceeded figure must lose to pass', () => {
    expect(marginOf([[300, 250], [1500, 1000]])).toBe(0.5);
    expect(marginOf([[260, 250], [900, 1000]])).toBe(0.04);
  });
  test('a figure not measured: null', () => {
    expect(marginOf([[null, 250], [10, 1000]])).toBeNull();
  });
});
