/**
 * Reads HTTP/1.x responses back out of the raw bytes a tap recorded between two hops, keeping the
 * arrival time of every body byte. A tap sees the wire, not a parsed stream: chunked framing,
 * close-delimited bodies (HTTP/1.0 upstreams), keep-alive connections carrying several responses,
 * and gzip from a compressing hop all have to be undone before SSE events can be timed.
 */
import { gunzipSync, constants as zlib } from 'node:zlib';
import type { ClockMs } from '../clock.ts';

export interface TimedBytes {
  atMs: ClockMs;
  bytes: Buffer;
}

export interface ReadResponse {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  headAtMs: ClockMs;
  /** Decoded body (de-chunked, decompressed), piece by piece as it arrived. */
  body: TimedBytes[];
  /** The body's own framing said it ended (last chunk, Content-Length reached). Close-delimited bodies never say so. */
  framedEnd: boolean;
  framing: 'chunked' | 'length' | 'close';
}

type State =
  | { kind: 'head' }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; left: number }
  | { kind: 'chunk-data-crlf' }
  | { kind: 'trailers' }
  | { kind: 'length'; left: number }
  | { kind: 'close' };

/** Every response in one direction of one connection, in order. */
export function readResponses(pieces: readonly TimedBytes[]): ReadResponse[] {
  const responses: ReadResponse[] = [];
  let buffer = Buffer.alloc(0);
  let state: State = { kind: 'head' };
  let current: ReadResponse | undefined;
  let gzip: GzipStream | undefined;

  const emit = (atMs: ClockMs, bytes: Buffer) => {
    if (!current || bytes.length === 0) return;
    const decoded = gzip ? gzip.push(bytes) : bytes;
    if (decoded.length > 0) current.body.push({ atMs, bytes: decoded });
  };
  const finishResponse = () => {
    if (current) current.framedEnd = true;
    current = undefined;
    gzip = undefined;
    state = { kind: 'head' };
  };

  for (const piece of pieces) {
    buffer = Buffer.concat([buffer, piece.bytes]);
    let progressed = true;
    while (progressed) {
      progressed = false;
      switch (state.kind) {
        case 'head': {
          const end = buffer.indexOf('\r\n\r\n');
          if (end < 0) break;
          const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
          buffer = buffer.subarray(end + 4);
          const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
          const headers: Record<string, string> = {};
          for (const line of lines.slice(1)) {
            const colon = line.indexOf(':');
            if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
          }
          current = { status, headers, headAtMs: piece.atMs, body: [], framedEnd: false, framing: 'close' };
          responses.push(current);
          gzip = headers['content-encoding']?.includes('gzip') ? new GzipStream() : undefined;
          if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
            finishResponse();
          } else if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
            current.framing = 'chunked';
            state = { kind: 'chunk-size' };
          } else if (headers['content-length'] !== undefined) {
            current.framing = 'length';
            state = { kind: 'length', left: Number(headers['content-length']) };
            if (state.left === 0) finishResponse();
          } else {
            state = { kind: 'close' };
          }
          progressed = true;
          break;
        }
        case 'chunk-size': {
          const end = buffer.indexOf('\r\n');
          if (end < 0) break;
          const size = Number.parseInt(buffer.subarray(0, end).toString('latin1').split(';')[0]!.trim(), 16);
          buffer = buffer.subarray(end + 2);
          state = size === 0 ? { kind: 'trailers' } : { kind: 'chunk-data', left: size };
          progressed = true;
          break;
        }
        case 'chunk-data': {
          if (buffer.length === 0) break;
          const take = Math.min(state.left, buffer.length);
          emit(piece.atMs, buffer.subarray(0, take));
          buffer = buffer.subarray(take);
          state = take === state.left ? { kind: 'chunk-data-crlf' } : { kind: 'chunk-data', left: state.left - take };
          progressed = true;
          break;
        }
        case 'chunk-data-crlf': {
          if (buffer.length < 2) break;
          buffer = buffer.subarray(2);
          state = { kind: 'chunk-size' };
          progressed = true;
          break;
        }
        case 'trailers': {
          const end = buffer.indexOf('\r\n');
          if (end < 0) break;
          buffer = buffer.subarray(end + 2);
          if (end === 0) finishResponse();
          progressed = true;
          break;
        }
        case 'length': {
          if (buffer.length === 0) break;
          const take = Math.min(state.left, buffer.length);
          emit(piece.atMs, buffer.subarray(0, take));
          buffer = buffer.subarray(take);
          if (take === state.left) finishResponse();
          else state = { kind: 'length', left: state.left - take };
          progressed = true;
          break;
        }
        case 'close': {
          if (buffer.length === 0) break;
          emit(piece.atMs, buffer);
          buffer = Buffer.alloc(0);
          break;
        }
      }
    }
  }
  return responses;
}

/**
 * gzip undone as bytes arrive: a compressing proxy flushes (or not) at its own pace, and what
 * matters is when the client could have read each event, so every piece is inflated as far as it goes.
 */
class GzipStream {
  private compressed = Buffer.alloc(0);
  private produced = 0;

  push(bytes: Buffer): Buffer {
    this.compressed = Buffer.concat([this.compressed, bytes]);
    let all: Buffer;
    try {
      all = gunzipSync(this.compressed, { finishFlush: zlib.Z_SYNC_FLUSH });
    } catch {
      return Buffer.alloc(0);
    }
    const fresh = all.subarray(this.produced);
    this.produced = all.length;
    return fresh;
  }
}
