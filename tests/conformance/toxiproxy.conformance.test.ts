/**
 * Toxiproxy conformance: the same tests against every target in targets.ts. The API is driven
 * through toxiproxy-node-client only (its HttpClient for the routes it has no method for); raw
 * fetch is used solely to read error bodies, which the client discards. Toxics are measured on real
 * bytes through real sockets. Bounds are generous (a loaded 2-core machine): ratios and lower
 * bounds, never tight timings.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import type { ICreateToxicBody, Proxy, Toxic } from 'toxiproxy-node-client';
import { dial, UpstreamServer } from './net-kit.ts';
import type { Peer } from './net-kit.ts';
import { conformanceTargets, dialFor, listenFor } from './targets.ts';
import type { StartedTarget } from './targets.ts';

const targets = await conformanceTargets();

/** Figures measured on the first target, printed once at the end (for the report). */
const figures: Record<string, string> = {};
/**
 * An applied latency-like toxic delays by at least its full amount; one that does not apply leaves
 * about a millisecond. "Not applied" is judged as under half the toxic's amount, and the toxics in
 * those tests are 1-3 s, so a loaded CI host's event-loop stalls (515 ms measured once) cannot pass
 * for a toxic, and a toxic that wrongly applied still fails.
 */
const NOT_APPLIED_BELOW = 0.5;

/** The HTTP status of a rejected client call (the client only keeps it in the message). */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    const match = /status code (\d+)/.exec((error as Error).message);
    if (match) return Number(match[1]);
    throw error;
  }
  throw new Error('expected the request to fail');
}

for (const target of targets) {
  const suite = target.skipReason ? describe.skip : describe;
  suite(`${target.name}${target.skipReason ? ` (skipped: ${target.skipReason})` : ''}`, () => {
    let started: StartedTarget;
    let toxiproxy: Toxiproxy;
    let cleanups: (() => Promise<void> | void)[] = [];
    let counter = 0;

    beforeAll(async () => {
      started = await target.start();
      toxiproxy = new Toxiproxy(started.apiUrl);
    }, 120_000);

    afterAll(async () => {
      await started?.close();
    });

    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      for (const proxy of Object.values(await toxiproxy.getAll())) await proxy.remove();
    });

    /** Raw request, to read the error bodies the client throws away. */
    async function raw(method: string, path: string, body?: string): Promise<{ status: number; json: unknown }> {
      const response = await fetch(`${started.apiUrl}${path}`, { method, ...(body === undefined ? {} : { body }) });
      const text = await response.text();
      return { status: response.status, json: text.trim() ? JSON.parse(text) : undefined };
    }

    async function upstreamServer(): Promise<UpstreamServer> {
      const server = await UpstreamServer.listen(started.hostForUpstream);
      cleanups.push(() => server.close());
      return server;
    }

    async function createProxy(upstream: UpstreamServer, name = `conformance_${++counter}`): Promise<Proxy> {
      return toxiproxy.createProxy({ name, listen: listenFor(started), upstream: upstream.address });
    }

    async function connectThrough(proxy: Proxy): Promise<Peer> {
      const client = await dial(dialFor(started, proxy.listen));
      cleanups.push(() => client.destroy());
      return client;
    }

    /**
     * A proxy, a client through it and the upstream end of that connection, checked with one round
     * trip; `beforeConnect` puts toxics on the proxy before the connection opens.
     */
    async function openPair(
      beforeConnect: (proxy: Proxy) => Promise<unknown> = async () => {},
    ): Promise<{ proxy: Proxy; client: Peer; server: Peer; upstream: UpstreamServer }> {
      const upstream = await upstreamServer();
      const proxy = await createProxy(upstream);
      await beforeConnect(proxy);
      const client = await connectThrough(proxy);
      const server = await upstream.peer(0);
      client.write('hi');
      await server.bytes(2);
      server.write('yo');
      await client.bytes(2);
      return { proxy, client, server, upstream };
    }

    function addToxic<T>(proxy: Proxy, body: Partial<ICreateToxicBody<T>> & Pick<ICreateToxicBody<T>, 'type' | 'attributes'>): Promise<Toxic<T>> {
      return proxy.addToxic<T>(body as ICreateToxicBody<T>);
    }

    /** Toxiproxy reads only attributes (merged) and toxicity from an update; the client's type wants a whole toxic. */
    function updateToxic<T>(toxic: Toxic<T>, body: { attributes?: Partial<T>; toxicity?: number }): Promise<Toxic<T>> {
      return toxic.update(body as Parameters<Toxic<T>['update']>[0]);
    }

    /** Server→client one-way delay of a fresh write, in ms. */
    async function downstreamDelay(server: Peer, client: Peer, payload = 'x'): Promise<number> {
      const before = client.receivedBytes;
      const sentAt = server.write(payload);
      return (await client.bytes(before + Buffer.byteLength(payload))) - sentAt;
    }

    async function upstreamDelay(client: Peer, server: Peer, payload = 'x'): Promise<number> {
      const before = server.receivedBytes;
      const sentAt = client.write(payload);
      return (await server.bytes(before + Buffer.byteLength(payload))) - sentAt;
    }

    describe('API', () => {
      test('GET /version answers a 2.x version', async () => {
        expect(await toxiproxy.getVersion()).toMatch(/2\.\d+\.\d+/);
      });

      test('creating a proxy answers it with its bound listen address; GET and the index show it', async () => {
        const upstream = await upstreamServer();
        const requested = listenFor(started);
        const proxy = await toxiproxy.createProxy({ name: 'created', listen: requested, upstream: upstream.address });
        expect(proxy).toMatchObject({ name: 'created', upstream: upstream.address, enabled: true });
        expect(Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1))).toBeGreaterThan(0);
        if (requested.endsWith(':0')) expect(proxy.listen).not.toMatch(/:0$/);
        expect((await toxiproxy.get('created')).toJson()).toEqual(proxy.toJson());
        expect(Object.keys(await toxiproxy.getAll())).toContain('created');
        const shown = (await toxiproxy.getApi().get(`${started.apiUrl}/proxies/created`)).data as Record<string, unknown>;
        expect(shown).toEqual({ name: 'created', listen: proxy.listen, upstream: upstream.address, enabled: true, toxics: [] });
      });

      test('a duplicate proxy is 409 {"error":"proxy already exists","status":409}', async () => {
        const upstream = await upstreamServer();
        await createProxy(upstream, 'twice');
        expect(await statusOf(createProxy(upstream, 'twice'))).toBe(409);
        const body = JSON.stringify({ name: 'twice', listen: listenFor(started), upstream: upstream.address });
        expect(await raw('POST', '/proxies', body)).toEqual({ status: 409, json: { error: 'proxy already exists', status: 409 } });
      });

      test('an unknown proxy is 404 {"error":"proxy not found","status":404} on every route', async () => {
        expect(await statusOf(toxiproxy.get('missing'))).toBe(404);
        const notFound = { status: 404, json: { error: 'proxy not found', status: 404 } };
        expect(await raw('GET', '/proxies/missing')).toEqual(notFound);
        expect(await raw('POST', '/proxies/missing', '{"enabled":false}')).toEqual(notFound);
        expect(await raw('DELETE', '/proxies/missing')).toEqual(notFound);
        expect(await raw('GET', '/proxies/missing/toxics')).toEqual(notFound);
        expect(await raw('POST', '/proxies/missing/toxics', '{"type":"latency"}')).toEqual(notFound);
      });

      test('missing fields and a body that is not JSON are 400', async () => {
        expect(await raw('POST', '/proxies', JSON.stringify({ name: 'no_upstream', listen: listenFor(started) }))).toEqual({
          status: 400,
          json: { error: 'missing required field: upstream', status: 400 },
        });
        expect(await raw('POST', '/proxies', JSON.stringify({ upstream: '127.0.0.1:1' }))).toEqual({
          status: 400,
          json: { error: 'missing required field: name', status: 400 },
        });
        const notJson = await raw('POST', '/proxies', 'not json');
        expect(notJson.status).toBe(400);
        expect(notJson.json).toMatchObject({ status: 400, error: expect.stringMatching(/^bad request body: /) });
      });

      test('a listen address already in use is 500 and the proxy is not created', async () => {
        const upstream = await upstreamServer();
        const first = await createProxy(upstream);
        const taken = await raw('POST', '/proxies', JSON.stringify({ name: 'port_taken', listen: first.listen, upstream: upstream.address }));
        expect(taken.status).toBe(500);
        expect(taken.json).toMatchObject({ status: 500, error: expect.stringContaining('address already in use') });
        expect(await statusOf(toxiproxy.get('port_taken'))).toBe(404);
      });

      test('a toxic gets Toxiproxy defaults: name <type>_<stream>, downstream, toxicity 1, every attribute', async () => {
        const proxy = await createProxy(await upstreamServer());
        const toxic = await addToxic(proxy, { type: 'latency', attributes: { latency: 10 } });
        const expected = { name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 10, jitter: 0 } };
        expect(toxic.toJson()).toEqual(expected);
        expect((await proxy.getToxic('latency_downstream')).toJson()).toEqual(expected);
        expect((await toxiproxy.getApi().get(`${proxy.getPath()}/toxics`)).data).toEqual([expected]);
        const up = await addToxic(proxy, { type: 'limit_data', stream: 'upstream', attributes: { bytes: 5 } });
        expect(up.toJson()).toEqual({ name: 'limit_data_upstream', type: 'limit_data', stream: 'upstream', toxicity: 1, attributes: { bytes: 5 } });
        // Toxiproxy lists the upstream chain first.
        expect(((await toxiproxy.getApi().get(`${proxy.getPath()}/toxics`)).data as { name: string }[]).map((t) => t.name)).toEqual([
          'limit_data_upstream',
          'latency_downstream',
        ]);
      });

      test('toxic errors: 409 duplicate, 400 unknown type, 400 bad stream, 400 bad attribute, 404 unknown toxic', async () => {
        const proxy = await createProxy(await upstreamServer());
        await addToxic(proxy, { type: 'latency', attributes: { latency: 1 } });
        const path = `/proxies/${proxy.name}/toxics`;
        expect(await statusOf(addToxic(proxy, { type: 'latency', attributes: { latency: 1 } }))).toBe(409);
        expect(await raw('POST', path, JSON.stringify({ type: 'latency' }))).toEqual({ status: 409, json: { error: 'toxic already exists', status: 409 } });
        expect(await raw('POST', path, JSON.stringify({ type: 'no_such_toxic' }))).toEqual({ status: 400, json: { error: 'invalid toxic type', status: 400 } });
        expect(await raw('POST', path, JSON.stringify({ type: 'latency', name: 'sideways', stream: 'sideways' }))).toEqual({
          status: 400,
          json: { error: 'stream was invalid, can be either upstream or downstream', status: 400 },
        });
        const badAttribute = await raw('POST', path, JSON.stringify({ type: 'latency', name: 'bad', attributes: { latency: 'slow' } }));
        expect(badAttribute).toMatchObject({ status: 400, json: { status: 400, error: expect.stringMatching(/^bad request body: /) } });
        expect(await statusOf(proxy.getToxic('missing'))).toBe(404);
        const notFound = { status: 404, json: { error: 'toxic not found', status: 404 } };
        expect(await raw('GET', `${path}/missing`)).toEqual(notFound);
        expect(await raw('POST', `${path}/missing`, '{"attributes":{}}')).toEqual(notFound);
        expect(await raw('DELETE', `${path}/missing`)).toEqual(notFound);
      });

      test('updating a toxic merges attributes and sets toxicity; deleting it is 204 then 404', async () => {
        const proxy = await createProxy(await upstreamServer());
        const toxic = await addToxic(proxy, { type: 'latency', attributes: { latency: 10, jitter: 1 } });
        const updated = await updateToxic(toxic, { attributes: { jitter: 5 }, toxicity: 0.5 });
        expect(updated.toJson()).toEqual({ name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 0.5, attributes: { latency: 10, jitter: 5 } });
        expect(await raw('DELETE', `/proxies/${proxy.name}/toxics/latency_downstream`)).toEqual({ status: 204, json: undefined });
        expect(await statusOf(proxy.getToxic('latency_downstream'))).toBe(404);
      });

      test('populate creates proxies (201 {"proxies":[...]}) and keeps one whose addresses are unchanged', async () => {
        const upstream = await upstreamServer();
        const created = await toxiproxy.populate([
          { name: 'pop_a', listen: listenFor(started), upstream: upstream.address },
          { name: 'pop_b', listen: listenFor(started), upstream: upstream.address },
        ]);
        expect(Object.keys(created).sort()).toEqual(['pop_a', 'pop_b']);
        expect(created.pop_a).toMatchObject({ enabled: true, upstream: upstream.address });
        const a = created.pop_a!;
        const client = await connectThrough(a);
        await upstream.peer(0);
        const again = await raw('POST', '/populate', JSON.stringify([{ name: 'pop_a', listen: a.listen, upstream: upstream.address }]));
        expect(again.status).toBe(201);
        expect(again.json).toEqual({ proxies: [{ name: 'pop_a', listen: a.listen, upstream: upstream.address, enabled: true, toxics: [] }] });
        // Kept, not restarted: the open connection still works.
        client.write('still here');
        expect(await (await upstream.peer(0)).bytes(10)).toBeGreaterThan(0);
        expect(await raw('POST', '/populate', JSON.stringify([{ name: 'no_upstream' }]))).toMatchObject({ status: 400 });
      });

      test('a populate that fails part-way answers the error with the proxies it made, and they stay', async () => {
        const upstream = await upstreamServer();
        const first = await createProxy(upstream);
        const answer = await raw(
          'POST',
          '/populate',
          JSON.stringify([
            { name: 'pop_made', listen: listenFor(started), upstream: upstream.address },
            { name: 'pop_taken', listen: first.listen, upstream: upstream.address },
          ]),
        );
        expect(answer.status).toBe(500);
        expect(answer.json).toMatchObject({
          status: 500,
          error: expect.stringContaining('address already in use'),
          proxies: [{ name: 'pop_made', upstream: upstream.address, enabled: true, toxics: [] }],
        });
        expect((await toxiproxy.get('pop_made')).enabled).toBe(true);
        expect(await statusOf(toxiproxy.get('pop_taken'))).toBe(404);
      });

      test('reset removes every toxic and re-enables disabled proxies (204)', async () => {
        const upstream = await upstreamServer();
        const proxy = await createProxy(upstream);
        await addToxic(proxy, { type: 'latency', attributes: { latency: 1000 } });
        await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
        expect((await toxiproxy.get(proxy.name)).enabled).toBe(false);
        expect((await raw('POST', '/reset')).status).toBe(204);
        expect((await toxiproxy.get(proxy.name)).enabled).toBe(true);
        expect((await toxiproxy.getApi().get(`${proxy.getPath()}/toxics`)).data).toEqual([]);
      });

      test('enabled:false closes open connections and accepts no new ones; enabled:true restores the proxy', async () => {
        const { proxy, client, upstream } = await openPair();
        const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
        expect(disabled.enabled).toBe(false);
        await client.closeOf();
        const refused = await dial(dialFor(started, proxy.listen));
        cleanups.push(() => refused.destroy());
        await refused.closeOf(); // refused (or, behind Docker's port publishing, accepted and closed)
        expect(upstream.peers).toHaveLength(1);
        const enabled = await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
        expect(enabled.enabled).toBe(true);
        const again = await connectThrough(enabled);
        again.write('back');
        expect((await (await upstream.peer(1)).bytes(4)) > 0).toBe(true);
      });

      test('deleting a proxy (204) closes its connections', async () => {
        const { proxy, client } = await openPair();
        expect(await raw('DELETE', `/proxies/${proxy.name}`)).toEqual({ status: 204, json: undefined });
        await client.closeOf();
        expect(await statusOf(toxiproxy.get(proxy.name))).toBe(404);
      });
    });

    describe('toxics on real bytes', () => {
      test('latency delays every downstream chunk by about `latency`', async () => {
        const { proxy, client, server } = await openPair();
        const baseline = await downstreamDelay(server, client);
        await addToxic(proxy, { type: 'latency', attributes: { latency: 300, jitter: 0 } });
        const delays = [];
        for (let i = 0; i < 3; i++) delays.push(await downstreamDelay(server, client));
        for (const delay of delays) {
          expect(delay).toBeGreaterThanOrEqual(295);
          expect(delay).toBeLessThan(300 + 1500);
        }
        figures[`latency 300 ms (${target.name})`] = `added ${delays.map((d) => (d - baseline).toFixed(1)).join(', ')} ms (baseline ${baseline.toFixed(2)} ms)`;
      });

      test('jitter spreads delays within latency ± jitter', async () => {
        const { proxy, client, server } = await openPair();
        await addToxic(proxy, { type: 'latency', attributes: { latency: 200, jitter: 100 } });
        const delays = [];
        for (let i = 0; i < 8; i++) delays.push(await downstreamDelay(server, client));
        for (const delay of delays) {
          expect(delay).toBeGreaterThanOrEqual(95);
          expect(delay).toBeLessThan(300 + 1500);
        }
        expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(5);
        figures[`latency 200 ± 100 ms (${target.name})`] = `delays ${delays.map((d) => d.toFixed(0)).join(', ')} ms`;
      });

      test('an upstream toxic delays client→server only', async () => {
        const { proxy, client, server } = await openPair();
        await addToxic(proxy, { type: 'latency', stream: 'upstream', attributes: { latency: 1000 } });
        expect(await upstreamDelay(client, server)).toBeGreaterThanOrEqual(995);
        expect(await downstreamDelay(server, client)).toBeLessThan(NOT_APPLIED_BELOW * 1000);
      });

      test('a toxic added to an open connection applies to it, and stops applying when removed', async () => {
        const { proxy, client, server } = await openPair();
        const toxic = await addToxic(proxy, { type: 'latency', attributes: { latency: 1000 } });
        expect(await downstreamDelay(server, client)).toBeGreaterThanOrEqual(995);
        await toxic.remove();
        expect(await downstreamDelay(server, client)).toBeLessThan(NOT_APPLIED_BELOW * 1000);
      });

      test('updating a toxic changes it on an open connection', async () => {
        const { proxy, client, server } = await openPair();
        const toxic = await addToxic(proxy, { type: 'latency', attributes: { latency: 50 } });
        await updateToxic(toxic, { attributes: { latency: 400 } });
        expect(await downstreamDelay(server, client)).toBeGreaterThanOrEqual(395);
      });

      test('bandwidth limits throughput to about `rate` KB/s', async () => {
        const { proxy, client, server } = await openPair();
        const rate = 100; // KB/s, 1 KB = 1000 bytes
        await addToxic(proxy, { type: 'bandwidth', attributes: { rate } });
        const payload = Buffer.alloc(150_000, 7);
        const before = client.receivedBytes;
        const sentAt = server.write(payload);
        const doneAt = await client.bytes(before + payload.length, 20_000);
        const measured = payload.length / 1000 / ((doneAt - sentAt) / 1000);
        expect(measured).toBeLessThan(rate * 1.25);
        expect(measured).toBeGreaterThan(rate * 0.3);
        expect(client.received.subarray(before).equals(payload)).toBe(true);
        figures[`bandwidth rate ${rate} KB/s (${target.name})`] = `measured ${measured.toFixed(1)} KB/s over ${payload.length} bytes`;
      });

      test('bandwidth rate 0 holds everything until the toxic is removed, then delivers it all in order', async () => {
        const { proxy, client, server } = await openPair();
        const toxic = await addToxic(proxy, { type: 'bandwidth', attributes: { rate: 0 } });
        const before = client.receivedBytes;
        const payload = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
        server.write(payload.subarray(0, 1000));
        server.write(payload.subarray(1000));
        expect(await client.quietFor(1000)).toBe(true);
        await toxic.remove();
        await client.bytes(before + payload.length);
        expect(client.received.subarray(before).equals(payload)).toBe(true);
      });

      test('slicer splits one write into many smaller reads whose concatenation is exact', async () => {
        const { proxy, client, server } = await openPair();
        await addToxic(proxy, { type: 'slicer', attributes: { average_size: 100, size_variation: 20, delay: 5000 } });
        const payload = Buffer.from(Array.from({ length: 4000 }, (_, i) => i % 251));
        const before = client.chunks.length;
        const bytesBefore = client.receivedBytes;
        server.write(payload);
        await client.bytes(bytesBefore + payload.length);
        const reads = client.chunks.slice(before).map((c) => c.data.length);
        expect(Buffer.concat(client.chunks.slice(before).map((c) => c.data)).equals(payload)).toBe(true);
        // About 40 slices 5 ms apart; a busy event loop may merge a few into one read, never most.
        expect(reads.length).toBeGreaterThanOrEqual(8);
        expect(Math.min(...reads)).toBeLessThanOrEqual(120);
        const median = [...reads].sort((a, b) => a - b)[Math.floor(reads.length / 2)]!;
        figures[`slicer 100 ± 20 bytes (${target.name})`] = `${payload.length} bytes arrived in ${reads.length} reads, median ${median} bytes`;
      });

      test('limit_data passes exactly `bytes` bytes, then closes', async () => {
        const { proxy, client, server } = await openPair();
        await addToxic(proxy, { type: 'limit_data', attributes: { bytes: 1000 } });
        const before = client.receivedBytes;
        server.write(Buffer.alloc(5000, 1));
        const close = await client.closeOf();
        expect(close.how).toBe('end');
        expect(client.receivedBytes - before).toBe(1000);
      });

      test('reset_peer resets the connection (ECONNRESET) after `timeout` ms', async () => {
        // Added before connecting: Toxiproxy sets SO_LINGER 0 (what makes the close an RST) only on
        // connections opened while the toxic is present.
        const upstream = await upstreamServer();
        const proxy = await createProxy(upstream);
        await addToxic(proxy, { type: 'reset_peer', attributes: { timeout: 300 } });
        const client = await connectThrough(proxy);
        const server = await upstream.peer(0);
        const sentAt = server.write('doomed');
        const close = await client.closeOf();
        expect(close).toMatchObject({ how: 'reset', code: 'ECONNRESET' });
        expect(close.atMs - sentAt).toBeGreaterThanOrEqual(250);
        expect(client.receivedBytes).toBe(0);
        figures[`reset_peer timeout 300 ms (${target.name})`] = `ECONNRESET ${(close.atMs - sentAt).toFixed(0)} ms after the first data`;
      });

      test('a reset_peer added to an open connection closes it with FIN, dropping the data', async () => {
        const { proxy, client, server } = await openPair();
        await addToxic(proxy, { type: 'reset_peer', attributes: { timeout: 100 } });
        const before = client.receivedBytes;
        server.write('doomed');
        const close = await client.closeOf();
        expect(close.how).toBe('end');
        expect(client.receivedBytes).toBe(before);
      });

      test('a reset_peer on the proxy as a connection opens, even at toxicity 0, makes a later reset_peer reset it', async () => {
        // What streamproof relies on to reset a stream mid-way: the first arms SO_LINGER 0, never fires.
        const { proxy, client, server } = await openPair((p) => addToxic(p, { type: 'reset_peer', name: 'arm', toxicity: 0, attributes: { timeout: 0 } }));
        await addToxic(proxy, { type: 'reset_peer', name: 'cut', attributes: { timeout: 100 } });
        server.write('doomed');
        expect(await client.closeOf()).toMatchObject({ how: 'reset', code: 'ECONNRESET' });
        expect(client.receivedBytes).toBe(2);
      });

      test('timeout stops all data and closes after `timeout` ms', async () => {
        const { proxy, client, server } = await openPair();
        await addToxic(proxy, { type: 'timeout', attributes: { timeout: 400 } });
        const before = client.receivedBytes;
        const sentAt = server.write('never arrives');
        const close = await client.closeOf();
        expect(close.how).toBe('end');
        expect(close.atMs - sentAt).toBeGreaterThanOrEqual(350);
        expect(client.receivedBytes).toBe(before);
        figures[`timeout 400 ms (${target.name})`] = `closed ${(close.atMs - sentAt).toFixed(0)} ms after the last data`;
      });

      test('timeout 0 holds the connection: no data and no close; removing the toxic closes it', async () => {
        const { proxy, client, server } = await openPair();
        const toxic = await addToxic(proxy, { type: 'timeout', attributes: { timeout: 0 } });
        const before = client.receivedBytes;
        server.write('held');
        expect(await client.quietFor(1000)).toBe(true);
        expect(client.receivedBytes).toBe(before);
        await toxic.remove();
        await client.closeOf();
      });

      test('slow_close delays the close by `delay` ms, not the data', async () => {
        const { proxy, client, server } = await openPair();
        await addToxic(proxy, { type: 'slow_close', attributes: { delay: 1000 } });
        expect(await downstreamDelay(server, client)).toBeLessThan(NOT_APPLIED_BELOW * 1000);
        server.socket.end();
        const endedAt = performance.now();
        const close = await client.closeOf();
        expect(close.how).toBe('end');
        expect(close.atMs - endedAt).toBeGreaterThanOrEqual(950);
        figures[`slow_close 1000 ms (${target.name})`] = `client saw the close ${(close.atMs - endedAt).toFixed(0)} ms after the server's`;
      });

      test('toxicity 0 never applies the toxic', async () => {
        const { proxy, client, server, upstream } = await openPair();
        await addToxic(proxy, { type: 'latency', toxicity: 0, attributes: { latency: 3000 } });
        for (let i = 0; i < 3; i++) expect(await downstreamDelay(server, client)).toBeLessThan(NOT_APPLIED_BELOW * 3000);
        // A new connection rolls again, and still never gets it.
        const fresh = await connectThrough(proxy);
        expect(await downstreamDelay(await upstream.peer(1), fresh)).toBeLessThan(NOT_APPLIED_BELOW * 3000);
      });
    });
  });
}

afterAll(() => {
  if (Object.keys(figures).length === 0) return;
  process.stdout.write(`\nconformance figures:\n${Object.entries(figures).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`);
});
