import { gzipSync, constants as zlib, createGzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readResponses } from '../../harness/chain/http-response-reader.ts';
import { observeTap, type TapConnection } from '../../harness/chain/observation.ts';
import { blameChain } from '../../harness/chain/blame.ts';
import type { EmittedItem, RecordedConnection, ServedRequest, StreamEvidence } from '../../harness/model.ts';

const b = (text: string) => Buffer.from(text, 'latin1');
const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
const event = (n: number) => `data: {"choices":[{"delta":{"content":"t${n}"}}]}\n\n`;
const HEAD_CHUNKED = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nx-request-id: r1\r\ntransfer-encoding: chunked\r\n\r\n';

describe('readResponses', () => {
  it('de-chunks a body split anywhere, keeping each piece’s arrival time', () => {
    const wire = HEAD_CHUNKED + chunk(event(1)) + chunk(event(2)) + '0\r\n\r\n';
    const cut = [10, 75, 80, wire.length];
    const pieces = cut.map((end, i) => ({ atMs: 100 + i, bytes: b(wire.slice(i === 0 ? 0 : cut[i - 1], end)) }));
    const [response, ...rest] = readResponses(pieces);
    expect(rest).toEqual([]);
    expect(response!.framing).toBe('chunked');
    expect(response!.framedEnd).toBe(true);
    expect(Buffer.concat(response!.body.map((p) => p.bytes)).toString()).toBe(event(1) + event(2));
    expect(response!.headers['x-request-id']).toBe('r1');
  });

  it('reads keep-alive responses one after another, and a close-delimited body to the end', () => {
    const first = 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello';
    const second = 'HTTP/1.0 200 OK\r\ncontent-type: text/event-stream\r\n\r\n' + event(1);
    const responses = readResponses([{ atMs: 1, bytes: b(first + second) }]);
    expect(responses.map((r) => [r.framing, r.framedEnd])).toEqual([
      ['length', true],
      ['close', false],
    ]);
    expect(responses[1]!.body.map((p) => p.bytes.toString()).join('')).toBe(event(1));
  });

  it('inflates gzip as far as each piece allows (a compressing hop)', async () => {
    const gzip = createGzip();
    const parts: Buffer[] = [];
    gzip.on('data', (d: Buffer) => parts.push(d));
    gzip.write(event(1));
    await new Promise<void>((resolve) => gzip.flush(zlib.Z_SYNC_FLUSH, () => resolve()));
    const firstFlush = Buffer.concat(parts.splice(0));
    gzip.end(event(2));
    await new Promise((resolve) => gzip.on('end', resolve));
    const rest = Buffer.concat(parts);
    const head = 'HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\n\r\n';
    const [response] = readResponses([
      { atMs: 1, bytes: Buffer.concat([b(head), firstFlush]) },
      { atMs: 2, bytes: rest },
    ]);
    expect(response!.body.map((p) => [p.atMs, p.bytes.toString()])).toEqual([
      [1, event(1)],
      [2, event(2)],
    ]);
    expect(gzipSync('x').length).toBeGreaterThan(0);
  });
});

function tapConnection(wire: string, closes: TapConnection['closes'], atMs = 100): TapConnection {
  return {
    id: 1,
    acceptedAtMs: atMs - 10,
    chunks: [
      { atMs: atMs - 9, direction: 'upstream', base64: b('POST / HTTP/1.1\r\n\r\n').toString('base64') },
      { atMs, direction: 'downstream', base64: b(wire).toString('base64') },
    ],
    closes,
  };
}

describe('observeTap', () => {
  it('a complete stream ends with its terminator', () => {
    const wire = HEAD_CHUNKED + chunk(event(1)) + chunk('data: [DONE]\n\n') + '0\r\n\r\n';
    const [seen] = observeTap({ connections: [tapConnection(wire, [{ atMs: 200, side: 'server', how: 'end' }])] }, 'openai');
    expect(seen!.end.kind).toBe('terminator');
    expect(seen!.events).toHaveLength(2);
    expect(seen!.requestId).toBe('r1');
    expect(seen!.cut).toBeUndefined();
  });

  it('says which side hung up first when the stream was cut', () => {
    const wire = HEAD_CHUNKED + chunk(event(1)) + chunk(': keep-alive\n\n');
    const fromServer = observeTap({ connections: [tapConnection(wire, [{ atMs: 300, side: 'server', how: 'reset' }])] }, 'openai')[0]!;
    expect([fromServer.end.kind, fromServer.cut, fromServer.comments.length]).toEqual(['reset', 'from-server-side', 1]);
    const fromClient = observeTap(
      { connections: [tapConnection(wire, [{ atMs: 300, side: 'client', how: 'end' }, { atMs: 301, side: 'server', how: 'end' }])] },
      'openai',
    )[0]!;
    expect([fromClient.end.kind, fromClient.cut]).toEqual(['aborted', 'from-client-side']);
  });
});

describe('blameChain', () => {
  const emitted: EmittedItem[] = [
    { kind: 'event', seq: 0, carriesToken: true, atMs: 1000, bytes: 10 },
    { kind: 'heartbeat', seq: 1, carriesToken: false, atMs: 2000, bytes: 10 },
    { kind: 'heartbeat', seq: 1, carriesToken: false, atMs: 3000, bytes: 10 },
  ];
  const served: ServedRequest[] = [
    { requestId: 'r1', generationId: 'g', role: 'start', httpVersion: '1.1', framing: 'chunked', receivedAtMs: 990, emitted },
  ];
  const point = (eventAt: number, beatsAt: number[], end: RecordedConnection['end']): RecordedConnection => ({
    requestId: 'r1',
    startedAtMs: 990,
    sent: {},
    events: [{ atMs: eventAt, data: '{"choices":[{"delta":{"content":"a"}}]}' }],
    comments: beatsAt.map((atMs) => ({ atMs, text: 'keep-alive' })),
    chunks: [eventAt, ...beatsAt].sort((a, c) => a - c).map((atMs) => ({ atMs, bytes: 10 })),
    end,
  });
  const evidence: StreamEvidence = {
    run: { client: 'recorder', logicalKey: 'k', connections: [], text: '', outcome: 'returned-partial' },
    served,
    generations: [],
    intent: { toolPauseMs: 5000, heartbeatIntervalMs: 1000 },
  };

  it('names the box that holds heartbeats and the box that cuts', () => {
    // client ← edge ← p1 ← buffer ← p2 ← origin: "buffer" holds everything; "edge" times out and cuts.
    const blame = blameChain(
      {
        boxes: ['haproxy:alb@2.6', 'nginx:default@1.22'],
        client: [point(1001, [], { kind: 'reset', atMs: 4000 })],
        taps: [
          [{ ...point(1001, [], { kind: 'aborted', atMs: 4000 }), cut: 'from-client-side' }],
          [{ ...point(1000.5, [2000.5, 3000.5], { kind: 'aborted', atMs: 4001 }), cut: 'from-client-side' }],
        ],
      },
      evidence,
    );
    expect(blame.heartbeatHeldBy).toBe('nginx:default@1.22');
    expect(blame.cutBy).toBe('haproxy:alb@2.6');
    expect(blame.points.map((p) => p.at)).toEqual(['client', 'behind haproxy:alb@2.6', 'behind nginx:default@1.22']);
  });

  it('blames the origin when every point saw the server side go first, and nobody when nothing was cut', () => {
    const cutEverywhere = blameChain(
      {
        boxes: ['nginx:hardened@1.22'],
        client: [point(1001, [2001, 3001], { kind: 'eof-without-terminator', atMs: 3500 })],
        taps: [[{ ...point(1000.5, [2000.5, 3000.5], { kind: 'eof-without-terminator', atMs: 3500 }), cut: 'from-server-side' }]],
      },
      evidence,
    );
    expect(cutEverywhere.cutBy).toBe('origin');
    expect(cutEverywhere.heartbeatHeldBy).toBeUndefined();
    const fine = blameChain(
      {
        boxes: ['nginx:hardened@1.22'],
        client: [point(1001, [2001, 3001], { kind: 'terminator', atMs: 3500 })],
        taps: [[point(1000.5, [2000.5, 3000.5], { kind: 'terminator', atMs: 3500 })]],
      },
      evidence,
    );
    expect(fine.cutBy).toBeUndefined();
    expect(fine.summary).toMatch(/No box/);
  });
});
