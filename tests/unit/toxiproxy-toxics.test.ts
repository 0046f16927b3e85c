/** The pure pieces of streamproof's Toxiproxy server: attribute parsing, slicing, toxic instances, flags, addresses. */
import { describe, expect, test } from 'vitest';
import { parseFlags, FlagError } from '../../harness/toxiproxy/main.ts';
import { splitHostPort } from '../../harness/toxiproxy/proxy.ts';
import { TOXIC_KINDS, parseAttributes, ToxicAttributeError } from '../../harness/toxiproxy/toxics/index.ts';
import type { ToxicOutput, ToxicState } from '../../harness/toxiproxy/toxics/index.ts';
import { sliceOffsets } from '../../harness/toxiproxy/toxics/slicer.ts';

/** An output that records what a toxic lets through, with a promise for its end. */
function collector() {
  const chunks: { atMs: number; data: Buffer }[] = [];
  let resolveEnd: (how: 'end' | 'reset') => void = () => {};
  const ended = new Promise<'end' | 'reset'>((resolve) => (resolveEnd = resolve));
  const out: ToxicOutput = {
    push: (data) => chunks.push({ atMs: performance.now(), data: Buffer.from(data) }),
    end: () => resolveEnd('end'),
    reset: () => resolveEnd('reset'),
  };
  return { out, chunks, ended, text: () => Buffer.concat(chunks.map((c) => c.data)).toString() };
}

function create(type: string, attributes: Record<string, number>, out: ToxicOutput, state: ToxicState = {}) {
  const kind = TOXIC_KINDS.get(type)!;
  return kind.create(parseAttributes(type, kind.defaults as Record<string, number>, attributes), out, state);
}

describe('attributes', () => {
  test('fill Go zero values, ignore unknown fields, merge into the previous ones on update', () => {
    expect(parseAttributes('latency', { latency: 0, jitter: 0 }, { latency: 5, colour: 'red' })).toEqual({ latency: 5, jitter: 0 });
    expect(parseAttributes('latency', { latency: 0, jitter: 0 }, { jitter: 2 }, { latency: 5, jitter: 0 })).toEqual({ latency: 5, jitter: 2 });
    expect(parseAttributes('latency', { latency: 0, jitter: 0 }, undefined)).toEqual({ latency: 0, jitter: 0 });
  });

  test('reject what Go cannot decode into an int64', () => {
    expect(() => parseAttributes('latency', { latency: 0 }, { latency: '5' })).toThrow(ToxicAttributeError);
    expect(() => parseAttributes('latency', { latency: 0 }, { latency: 1.5 })).toThrow(ToxicAttributeError);
    expect(() => parseAttributes('latency', { latency: 0 }, [1])).toThrow(ToxicAttributeError);
  });

  test('every Toxiproxy toxic type is registered with its attribute names', () => {
    expect(Object.fromEntries([...TOXIC_KINDS].map(([type, kind]) => [type, Object.keys(kind.defaults)]))).toEqual({
      latency: ['latency', 'jitter'],
      bandwidth: ['rate'],
      slow_close: ['delay'],
      timeout: ['timeout'],
      reset_peer: ['timeout'],
      slicer: ['average_size', 'size_variation', 'delay'],
      limit_data: ['bytes'],
    });
  });
});

describe('slicer offsets', () => {
  test('cover the chunk exactly, in pieces of about average ± variation', () => {
    for (let run = 0; run < 20; run++) {
      const offsets = sliceOffsets(0, 5000, 100, 20);
      expect(offsets[0]).toBe(0);
      expect(offsets.at(-1)).toBe(5000);
      for (let i = 1; i < offsets.length; i += 2) {
        const size = offsets[i]! - offsets[i - 1]!;
        expect(size).toBeGreaterThan(0);
        expect(size).toBeLessThanOrEqual(120);
        if (i + 1 < offsets.length) expect(offsets[i + 1]).toBe(offsets[i]);
      }
    }
  });

  test('an average of 0 or a variation of 0 still terminates (Toxiproxy loops or panics there)', () => {
    expect(sliceOffsets(0, 10, 0, 0).at(-1)).toBe(10);
    expect(sliceOffsets(0, 1000, 10, 0).length).toBeGreaterThan(2);
  });
});

describe('toxic instances', () => {
  test('latency keeps order and counts each delay from arrival, so delays overlap', async () => {
    const c = collector();
    const toxic = create('latency', { latency: 100, jitter: 50 }, c.out);
    const start = performance.now();
    for (let i = 0; i < 10; i++) toxic.write(Buffer.from(String(i)));
    toxic.end();
    await c.ended;
    expect(c.text()).toBe('0123456789');
    // Overlapping delays: ten chunks take about one latency, not ten.
    expect(performance.now() - start).toBeLessThan(150 + 500);
    expect(c.chunks[0]!.atMs - start).toBeGreaterThanOrEqual(45);
  });

  test('flush hands over held data and a pending end at once', async () => {
    const c = collector();
    const toxic = create('latency', { latency: 10_000 }, c.out);
    toxic.write(Buffer.from('held'));
    toxic.end();
    expect(toxic.heldBytes()).toBe(4);
    toxic.flush();
    expect(c.text()).toBe('held');
    expect(await c.ended).toBe('end');
  });

  test('bandwidth releases 100 ms pieces of rate × 100 bytes', async () => {
    const c = collector();
    const toxic = create('bandwidth', { rate: 10 }, c.out); // 10 KB/s: pieces of 1000 bytes
    const start = performance.now();
    toxic.write(Buffer.alloc(3000));
    toxic.end();
    await c.ended;
    expect(c.chunks.map((x) => x.data.length)).toEqual([1000, 1000, 1000]);
    expect(performance.now() - start).toBeGreaterThanOrEqual(295);
  });

  test('limit_data counts across an update (the state is per connection)', async () => {
    const state: ToxicState = {};
    const first = collector();
    create('limit_data', { bytes: 10 }, first.out, state).write(Buffer.from('123456'));
    const second = collector();
    const updated = create('limit_data', { bytes: 10 }, second.out, state);
    updated.write(Buffer.from('abcdef'));
    expect(second.text()).toBe('abcd');
    expect(await second.ended).toBe('end');
  });

  test('reset_peer resets after the first data and timeout', async () => {
    const c = collector();
    const toxic = create('reset_peer', { timeout: 50 }, c.out);
    const start = performance.now();
    toxic.write(Buffer.from('dropped'));
    expect(await c.ended).toBe('reset');
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
    expect(c.chunks).toHaveLength(0);
  });

  test('timeout drops data and closes after timeout; 0 never closes by itself', async () => {
    const c = collector();
    create('timeout', { timeout: 50 }, c.out).write(Buffer.from('dropped'));
    expect(await c.ended).toBe('end');
    expect(c.chunks).toHaveLength(0);
    expect(TOXIC_KINDS.get('timeout')!.closesOnRemove).toBe(true);
  });

  test('slow_close passes data at once and the end after the delay', async () => {
    const c = collector();
    const toxic = create('slow_close', { delay: 60 }, c.out);
    toxic.write(Buffer.from('now'));
    expect(c.text()).toBe('now');
    const start = performance.now();
    toxic.end();
    await c.ended;
    expect(performance.now() - start).toBeGreaterThanOrEqual(55);
  });
});

describe('addresses and flags', () => {
  test('splitHostPort reads host:port, [v6]:port and :port', () => {
    expect(splitHostPort('127.0.0.1:8474')).toEqual({ host: '127.0.0.1', port: 8474 });
    expect(splitHostPort('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(splitHostPort(':0')).toEqual({ host: '', port: 0 });
    expect(splitHostPort('localhost')).toBeUndefined();
    expect(splitHostPort('host:99999')).toBeUndefined();
  });

  test("Toxiproxy's server flags, single or double dash, with a space or =", () => {
    expect(parseFlags([])).toEqual({ host: '127.0.0.1', port: 8474 });
    expect(parseFlags(['-host', '0.0.0.0', '--port=9000', '-config', 'c.json'])).toEqual({ host: '0.0.0.0', port: 9000, config: 'c.json' });
    expect(() => parseFlags(['--port', 'x'])).toThrow(FlagError);
    expect(() => parseFlags(['--verbose'])).toThrow(FlagError);
    expect(() => parseFlags(['--host'])).toThrow(FlagError);
  });
});
