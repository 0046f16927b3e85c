/**
 * The recording tap (streamproof's extension to the Toxiproxy API), through the in-process server
 * and real sockets: GET/DELETE /streamproof/recordings/{proxy}.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ToxiproxyServer } from '../../harness/toxiproxy/api-server.ts';
import type { RecordingJson } from '../../harness/toxiproxy/recording.ts';
import { dial, UpstreamServer } from '../conformance/net-kit.ts';
import type { Peer } from '../conformance/net-kit.ts';

const epochNow = () => performance.timeOrigin + performance.now();

let server: ToxiproxyServer;
let upstream: UpstreamServer;
const peers: Peer[] = [];

beforeEach(async () => {
  server = await ToxiproxyServer.start({ port: 0, recordingCapBytes: 64 * 1024 });
  upstream = await UpstreamServer.listen('127.0.0.1');
});

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.destroy();
  await upstream.close();
  await server.close();
});

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** A proxy (with `toxics` on it from the start) and a client connected through it to the origin. */
async function proxyAndPair(name = 'tap', toxics: object[] = []): Promise<{ client: Peer; origin: Peer }> {
  const created = await api('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: upstream.address });
  for (const toxic of toxics) await api('POST', `/proxies/${name}/toxics`, toxic);
  const [host, port] = [created.json.listen.split(':')[0], Number(created.json.listen.split(':')[1])];
  const client = await dial({ host, port });
  peers.push(client);
  return { client, origin: await upstream.peer(upstream.peers.length) };
}

const recording = async (name = 'tap') => (await api('GET', `/streamproof/recordings/${name}`)).json as RecordingJson;

describe('recording tap', () => {
  test('records chunks both ways with epoch timestamps and how each side closed', async () => {
    const before = epochNow();
    const { client, origin } = await proxyAndPair();
    client.write('request');
    await origin.bytes(7);
    origin.write('response');
    await client.bytes(8);
    origin.socket.end();
    await client.closeOf();
    await origin.closeOf();
    const after = epochNow();

    const json = await recording();
    expect(json).toMatchObject({ proxy: 'tap', truncated: false });
    expect(json.connections).toHaveLength(1);
    const [connection] = json.connections;
    expect(connection).toMatchObject({ id: 1, droppedChunks: 0 });
    expect(connection!.acceptedAtMs).toBeGreaterThanOrEqual(before);
    expect(connection!.upstreamConnectedAtMs).toBeGreaterThanOrEqual(connection!.acceptedAtMs);
    expect(connection!.chunks.map((c) => [c.direction, Buffer.from(c.base64, 'base64').toString()])).toEqual([
      ['upstream', 'request'],
      ['downstream', 'response'],
    ]);
    for (const chunk of connection!.chunks) {
      expect(chunk.atMs).toBeGreaterThanOrEqual(before);
      expect(chunk.atMs).toBeLessThanOrEqual(after);
    }
    // The origin hung up first; the proxy then closed the client side.
    expect(connection!.closes.map(({ side, how, by }) => ({ side, how, by }))).toEqual([
      { side: 'server', how: 'end', by: 'peer' },
      { side: 'client', how: 'end', by: 'proxy' },
    ]);
  });

  test('downstream chunks are stamped on arrival at the tap, before the toxics', async () => {
    const { client, origin } = await proxyAndPair();
    await api('POST', '/proxies/tap/toxics', { type: 'latency', attributes: { latency: 300 } });
    const sentAt = epochNow();
    origin.write('late');
    await client.bytes(4);
    const receivedAt = epochNow();
    const [chunk] = (await recording()).connections[0]!.chunks;
    expect(chunk!.atMs - sentAt).toBeLessThan(150);
    expect(receivedAt - chunk!.atMs).toBeGreaterThanOrEqual(250);
  });

  test('a reset_peer toxic is recorded as resets by the proxy on both sides', async () => {
    // On the proxy as the connection opens: only then is its close a reset (Toxiproxy's SO_LINGER 0).
    const { client, origin } = await proxyAndPair('tap', [{ type: 'reset_peer', attributes: { timeout: 0 } }]);
    origin.write('x');
    expect((await client.closeOf()).how).toBe('reset');
    await origin.closeOf();
    const closes = (await recording()).connections[0]!.closes;
    expect(closes.filter((c) => c.how === 'reset' && c.by === 'proxy').map((c) => c.side).sort()).toEqual(['client', 'server']);
  });

  test('memory is capped per proxy: later chunks are counted and the recording says truncated', async () => {
    const { client, origin } = await proxyAndPair();
    const payload = Buffer.alloc(100 * 1024, 1); // more than the 64 KiB cap of this server
    origin.write(payload);
    await client.bytes(payload.length);
    const json = await recording();
    expect(json.truncated).toBe(true);
    expect(json.connections[0]!.droppedChunks).toBeGreaterThan(0);
    const kept = json.connections[0]!.chunks.reduce((n, c) => n + c.base64.length, 0);
    expect(kept).toBeLessThanOrEqual(64 * 1024);
  });

  test('DELETE clears it (an open connection stays listed, emptied); it outlives the proxy; an unknown proxy is 404', async () => {
    const closed = await proxyAndPair();
    closed.client.destroy();
    await closed.origin.closeOf();
    const { client, origin } = await proxyAndPair('tap2');
    await api('DELETE', '/proxies/tap');
    expect((await recording()).connections).toHaveLength(1);
    expect((await api('DELETE', '/streamproof/recordings/tap')).status).toBe(204);
    expect((await recording()).connections).toEqual([]);
    client.write('a');
    await origin.bytes(1);
    expect((await api('DELETE', '/streamproof/recordings/tap2')).status).toBe(204);
    expect((await recording('tap2')).connections).toMatchObject([{ id: 1, chunks: [], closes: [] }]);
    client.write('b');
    await origin.bytes(2);
    expect((await api('DELETE', '/proxies/tap2')).status).toBe(204);
    expect((await recording('tap2')).connections[0]!.chunks).toHaveLength(1);
    expect(await api('GET', '/streamproof/recordings/nobody')).toEqual({ status: 404, json: { error: 'proxy not found', status: 404 } });
  });
});
