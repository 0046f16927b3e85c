/**
 * Toxiproxy 2.x's HTTP API (github.com/Shopify/toxiproxy api.go): same routes, JSON shapes, status
 * codes and error bodies `{"error": "...", "status": N}`, plus the streamproof recording extension
 * under /streamproof/. Requests are handled one at a time, so API changes never interleave.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListenError, Proxy, toxicJson } from './proxy.ts';
import type { ProxyJson, ToxicSpec } from './proxy.ts';
import { DEFAULT_RECORDING_CAP_BYTES, ProxyRecording } from './recording.ts';
import { parseAttributes, TOXIC_KINDS, ToxicAttributeError } from './toxics/index.ts';

/** The Toxiproxy release whose API this server follows. */
export const TOXIPROXY_API_VERSION = '2.12.0';

export class ApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

/** A populate that failed part-way: the proxies made before the failure stay, and are listed. */
class PopulateError extends ApiError {
  readonly created: Proxy[];
  constructor(cause: ApiError, created: Proxy[]) {
    super(cause.message, cause.status);
    this.created = created;
  }
}

// Toxiproxy's own messages.
const badRequestBody = (detail: string) => new ApiError(`bad request body: ${detail}`, 400);
const missingField = (field: string) => new ApiError(`missing required field: ${field}`, 400);
const proxyNotFound = () => new ApiError('proxy not found', 404);
const proxyAlreadyExists = () => new ApiError('proxy already exists', 409);
const invalidStream = () => new ApiError('stream was invalid, can be either upstream or downstream', 400);
const invalidToxicType = () => new ApiError('invalid toxic type', 400);
const toxicAlreadyExists = () => new ApiError('toxic already exists', 409);
const toxicNotFound = () => new ApiError('toxic not found', 404);

export interface ToxiproxyServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8474; 0 picks a free port. */
  port?: number;
  /** Recording memory per proxy before chunks are dropped. Default 16 MiB. */
  recordingCapBytes?: number;
}

interface ProxyInput {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

type Handler = (body: unknown, params: string[]) => Promise<{ status: number; json?: unknown }>;

const MAX_BODY_BYTES = 1024 * 1024;

export class ToxiproxyServer {
  readonly proxies = new Map<string, Proxy>();
  private readonly recordings = new Map<string, ProxyRecording>();
  private readonly http: Server;
  private readonly recordingCapBytes: number;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly routes: { method: string[]; pattern: RegExp; handler: Handler }[];

  private constructor(http: Server, recordingCapBytes: number) {
    this.http = http;
    this.recordingCapBytes = recordingCapBytes;
    const name = '([^/]+)';
    this.routes = [
      { method: ['GET'], pattern: /^\/version$/, handler: async () => ({ status: 200, json: { version: TOXIPROXY_API_VERSION, server: 'streamproof' } }) },
      { method: ['POST'], pattern: /^\/reset$/, handler: () => this.reset() },
      { method: ['GET'], pattern: /^\/proxies$/, handler: async () => ({ status: 200, json: this.proxyIndex() }) },
      { method: ['POST'], pattern: /^\/proxies$/, handler: (body) => this.createProxy(body) },
      { method: ['POST'], pattern: /^\/populate$/, handler: (body) => this.populateRoute(body) },
      { method: ['GET'], pattern: new RegExp(`^/proxies/${name}$`), handler: async (_, [p]) => ({ status: 200, json: this.getProxy(p!).toJSON() }) },
      { method: ['POST', 'PATCH'], pattern: new RegExp(`^/proxies/${name}$`), handler: (body, [p]) => this.updateProxy(p!, body) },
      { method: ['DELETE'], pattern: new RegExp(`^/proxies/${name}$`), handler: (_, [p]) => this.deleteProxy(p!) },
      { method: ['GET'], pattern: new RegExp(`^/proxies/${name}/toxics$`), handler: async (_, [p]) => ({ status: 200, json: this.getProxy(p!).toJSON().toxics }) },
      { method: ['POST'], pattern: new RegExp(`^/proxies/${name}/toxics$`), handler: async (body, [p]) => this.createToxic(p!, body) },
      { method: ['GET'], pattern: new RegExp(`^/proxies/${name}/toxics/${name}$`), handler: async (_, [p, t]) => this.showToxic(p!, t!) },
      { method: ['POST', 'PATCH'], pattern: new RegExp(`^/proxies/${name}/toxics/${name}$`), handler: async (body, [p, t]) => this.updateToxic(p!, t!, body) },
      { method: ['DELETE'], pattern: new RegExp(`^/proxies/${name}/toxics/${name}$`), handler: async (_, [p, t]) => this.deleteToxic(p!, t!) },
      { method: ['GET'], pattern: new RegExp(`^/streamproof/recordings/${name}$`), handler: async (_, [p]) => ({ status: 200, json: this.recordingOf(p!).toJSON() }) },
      {
        method: ['DELETE'],
        pattern: new RegExp(`^/streamproof/recordings/${name}$`),
        handler: async (_, [p]) => {
          this.recordingOf(p!).clear();
          return { status: 204 };
        },
      },
    ];
  }

  static async start(options: ToxiproxyServerOptions = {}): Promise<ToxiproxyServer> {
    const http = createServer();
    const server = new ToxiproxyServer(http, options.recordingCapBytes ?? DEFAULT_RECORDING_CAP_BYTES);
    http.on('request', (request, response) => void server.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8474 }, () => {
        http.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  get address(): AddressInfo {
    return this.http.address() as AddressInfo;
  }

  /** http://host:port, with a wildcard bind shown as loopback. */
  get url(): string {
    const { address, family, port } = this.address;
    const host = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : family === 'IPv6' ? `[${address}]` : address;
    return `http://${host}:${port}`;
  }

  /** Create or replace proxies, as POST /populate and Toxiproxy's -config file. */
  async populate(input: unknown): Promise<Proxy[]> {
    return this.serialized(() => this.populateProxies(input));
  }

  async close(): Promise<void> {
    await this.serialized(async () => {
      await Promise.all([...this.proxies.values()].map((p) => p.stop('server closing')));
      this.proxies.clear();
    });
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => {});
    return result;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let status = 500;
    let json: unknown;
    try {
      // Toxiproxy refuses browsers, so a web page cannot drive it (CSRF).
      if (request.headers['user-agent']?.startsWith('Mozilla/')) throw new ApiError('User agent not allowed', 403);
      const path = (request.url ?? '/').split('?')[0]!;
      const route = this.routes.find((r) => r.pattern.test(path));
      if (!route) throw new ApiError('404 page not found', 404);
      const candidates = this.routes.filter((r) => r.pattern.test(path));
      const match = candidates.find((r) => r.method.includes(request.method ?? ''));
      if (!match) throw new ApiError('method not allowed', 405);
      const params = (match.pattern.exec(path) ?? []).slice(1).map((p) => decodeURIComponent(p));
      const text = await readBody(request);
      ({ status, json } = await this.serialized(() => match.handler(parseJson(text), params)));
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError((error as Error).message, 500);
      status = apiError.status;
      json = { error: apiError.message, status: apiError.status };
    }
    if (json === undefined) {
      response.writeHead(status).end();
    } else {
      const body = JSON.stringify(json);
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    }
  }

  private getProxy(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw proxyNotFound();
    return proxy;
  }

  private recordingOf(name: string): ProxyRecording {
    const recording = this.recordings.get(name);
    if (!recording) throw proxyNotFound();
    return recording;
  }

  private newProxy(input: ProxyInput): Proxy {
    let recording = this.recordings.get(input.name);
    if (!recording) {
      recording = new ProxyRecording(input.name, this.recordingCapBytes);
      this.recordings.set(input.name, recording);
    }
    return new Proxy(input.name, input.listen, input.upstream, recording);
  }

  private proxyIndex(): Record<string, ProxyJson> {
    return Object.fromEntries([...this.proxies].map(([name, proxy]) => [name, proxy.toJSON()]));
  }

  private async reset(): Promise<{ status: number }> {
    for (const proxy of this.proxies.values()) {
      await startOrApiError(proxy);
      proxy.resetToxics();
    }
    return { status: 204 };
  }

  private async createProxy(body: unknown): Promise<{ status: number; json: unknown }> {
    const input = proxyInput(body, { name: '', listen: '', upstream: '', enabled: true });
    if (!input.name) throw missingField('name');
    if (!input.upstream) throw missingField('upstream');
    if (this.proxies.has(input.name)) throw proxyAlreadyExists();
    const proxy = this.newProxy(input);
    if (input.enabled) await startOrApiError(proxy);
    this.proxies.set(proxy.name, proxy);
    return { status: 201, json: proxy.toJSON() };
  }

  private async populateRoute(body: unknown): Promise<{ status: number; json: unknown }> {
    try {
      const proxies = await this.populateProxies(body);
      return { status: 201, json: { proxies: proxies.map((p) => p.toJSON()) } };
    } catch (error) {
      if (!(error instanceof PopulateError)) throw error;
      // Toxiproxy 2.12 answers the error with the proxies it did make (null when none: a nil Go slice).
      const proxies = error.created.length > 0 ? error.created.map((p) => p.toJSON()) : null;
      return { status: error.status, json: { error: error.message, status: error.status, proxies } };
    }
  }

  /** Validate everything first, then apply (Toxiproxy's PopulateJson); a proxy with the same addresses is kept. */
  private async populateProxies(body: unknown): Promise<Proxy[]> {
    if (!Array.isArray(body)) throw badRequestBody('expected a JSON array of proxies');
    const inputs = body.map((item, i) => {
      const input = proxyInput(item, { name: '', listen: '', upstream: '', enabled: true });
      if (!input.name) throw missingField(`name at proxy ${i + 1}`);
      if (!input.upstream) throw missingField(`upstream at proxy ${i + 1}`);
      return input;
    });
    const names = inputs.map((i) => i.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) throw badRequestBody(`duplicate proxy name "${duplicate}"`);
    const result: Proxy[] = [];
    for (const input of inputs) {
      const existing = this.proxies.get(input.name);
      if (existing && existing.listen === input.listen && existing.upstream === input.upstream) {
        result.push(existing);
        continue;
      }
      if (existing) {
        await existing.stop('proxy replaced');
        this.proxies.delete(input.name);
      }
      const proxy = this.newProxy(input);
      if (input.enabled) {
        try {
          await startOrApiError(proxy);
        } catch (error) {
          throw error instanceof ApiError ? new PopulateError(error, result) : error;
        }
      }
      this.proxies.set(proxy.name, proxy);
      result.push(proxy);
    }
    return result;
  }

  private async updateProxy(name: string, body: unknown): Promise<{ status: number; json: unknown }> {
    const proxy = this.getProxy(name);
    const input = proxyInput(body, { name, listen: proxy.listen, upstream: proxy.upstream, enabled: proxy.enabled });
    try {
      await proxy.update(input);
    } catch (error) {
      throw asApiError(error);
    }
    return { status: 200, json: proxy.toJSON() };
  }

  private async deleteProxy(name: string): Promise<{ status: number }> {
    const proxy = this.getProxy(name);
    await proxy.stop('proxy deleted');
    this.proxies.delete(name);
    return { status: 204 };
  }

  private createToxic(proxyName: string, body: unknown): { status: number; json: unknown } {
    const proxy = this.getProxy(proxyName);
    const input = objectBody(body);
    const stream = optionalString(input, 'stream') ?? 'downstream';
    const direction = stream.toLowerCase();
    if (direction !== 'upstream' && direction !== 'downstream') throw invalidStream();
    const type = optionalString(input, 'type') ?? '';
    const name = optionalString(input, 'name') || `${type}_${stream}`;
    const kind = TOXIC_KINDS.get(type);
    if (!kind) throw invalidToxicType();
    if (proxy.findToxic(name)) throw toxicAlreadyExists();
    const spec: ToxicSpec = {
      name,
      type,
      stream,
      direction,
      toxicity: optionalNumber(input, 'toxicity') ?? 1,
      attributes: attributesOrBadRequest(() => parseAttributes(type, kind.defaults as Record<string, number>, input.attributes)),
      kind,
    };
    proxy.addToxic(spec);
    // Toxiproxy answers 200 here, not 201.
    return { status: 200, json: toxicJson(spec) };
  }

  private showToxic(proxyName: string, toxicName: string): { status: number; json: unknown } {
    const toxic = this.getProxy(proxyName).findToxic(toxicName);
    if (!toxic) throw toxicNotFound();
    return { status: 200, json: toxicJson(toxic) };
  }

  /** Only attributes (merged into the current ones) and toxicity change, as in Toxiproxy. */
  private updateToxic(proxyName: string, toxicName: string, body: unknown): { status: number; json: unknown } {
    const proxy = this.getProxy(proxyName);
    const toxic = proxy.findToxic(toxicName);
    if (!toxic) throw toxicNotFound();
    const input = objectBody(body);
    const updated: ToxicSpec = {
      ...toxic,
      toxicity: optionalNumber(input, 'toxicity') ?? toxic.toxicity,
      attributes: attributesOrBadRequest(() => parseAttributes(toxic.type, toxic.kind.defaults as Record<string, number>, input.attributes, toxic.attributes)),
    };
    proxy.updateToxic(updated);
    return { status: 200, json: toxicJson(updated) };
  }

  private deleteToxic(proxyName: string, toxicName: string): { status: number } {
    const proxy = this.getProxy(proxyName);
    if (!proxy.findToxic(toxicName)) throw toxicNotFound();
    proxy.removeToxic(toxicName);
    return { status: 204 };
  }
}

async function startOrApiError(proxy: Proxy): Promise<void> {
  try {
    await proxy.start();
  } catch (error) {
    throw asApiError(error);
  }
}

/** A listen failure is a 500 in Toxiproxy (its error carries no status). */
function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ListenError) return new ApiError(error.message, 500);
  return new ApiError((error as Error).message, 500);
}

function attributesOrBadRequest<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ToxicAttributeError) throw badRequestBody(error.message);
    throw error;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError('request body too large', 413);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** undefined for an empty body: handlers that need one answer "bad request body: EOF" as Go's decoder. */
function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequestBody((error as Error).message);
  }
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) throw badRequestBody('EOF');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequestBody('expected a JSON object');
  return body as Record<string, unknown>;
}

function optionalString(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequestBody(`field ${field} must be a string`);
  return value;
}

function optionalNumber(input: Record<string, unknown>, field: string): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw badRequestBody(`field ${field} must be a number`);
  return value;
}

/** Fields present in the body override `defaults` (Go decodes into a pre-filled struct). */
function proxyInput(body: unknown, defaults: ProxyInput): ProxyInput {
  const input = objectBody(body);
  const enabled = input.enabled;
  if (enabled !== undefined && enabled !== null && typeof enabled !== 'boolean') throw badRequestBody('field enabled must be a boolean');
  return {
    name: optionalString(input, 'name') ?? defaults.name,
    listen: optionalString(input, 'listen') ?? defaults.listen,
    upstream: optionalString(input, 'upstream') ?? defaults.upstream,
    enabled: typeof enabled === 'boolean' ? enabled : defaults.enabled,
  };
}
