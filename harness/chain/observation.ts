/**
 * A tap's recording, read as if a client had stood there: the same RecordedConnection the client
 * recorder produces, so the same checks (buffering, heartbeat) measure every point of a chain.
 *
 * At a tap, "client" is the hop on the client side and "server" the hop on the origin side. Who
 * closed first tells which way a cut travelled: a box that cuts closes both of its connections,
 * so taps between it and the client see the server side go first, and taps behind it the client side.
 */
import { createParser } from 'eventsource-parser';
import { interpretEvent, type StreamFormat } from '../clients/sse-connection.ts';
import type { ClockMs } from '../clock.ts';
import type { ArrivedEvent, ConnectionEndKind, RecordedConnection } from '../model.ts';
import { readResponses, type TimedBytes } from './http-response-reader.ts';

/** JSON of `GET /streamproof/recordings/{proxy}` (harness/toxiproxy/recording.ts). */
export interface TapRecording {
  connections: TapConnection[];
}

export interface TapConnection {
  id: string | number;
  acceptedAtMs: ClockMs;
  chunks: Array<{ atMs: ClockMs; direction: 'upstream' | 'downstream'; base64: string }>;
  closes: Array<{ atMs: ClockMs; side: 'client' | 'server'; how: 'end' | 'reset' | 'error'; message?: string }>;
}

/** Which way the first close went on a tap connection whose response did not complete. */
export type CutDirection = 'from-server-side' | 'from-client-side';

export interface TapObservation extends RecordedConnection {
  /** For an incomplete response: which side hung up first. */
  cut?: CutDirection;
}

/** Every response the tap saw, as RecordedConnections, in the order the connections were accepted. */
export function observeTap(recording: TapRecording, format: StreamFormat): TapObservation[] {
  return [...recording.connections]
    .sort((a, b) => a.acceptedAtMs - b.acceptedAtMs)
    .flatMap((connection) => observeConnection(connection, format));
}

function observeConnection(connection: TapConnection, format: StreamFormat): TapObservation[] {
  const downstream: TimedBytes[] = [];
  const upstreamTimes: ClockMs[] = [];
  for (const chunk of connection.chunks) {
    if (chunk.direction === 'downstream') downstream.push({ atMs: chunk.atMs, bytes: Buffer.from(chunk.base64, 'base64') });
    else upstreamTimes.push(chunk.atMs);
  }
  const firstClose = [...connection.closes].sort((a, b) => a.atMs - b.atMs)[0];
  const responses = readResponses(downstream);

  if (responses.length === 0) {
    const atMs = firstClose?.atMs ?? connection.acceptedAtMs;
    const kind: ConnectionEndKind = firstClose?.side === 'client' ? 'aborted' : 'connect-error';
    return [emptyObservation(connection.acceptedAtMs, kind, atMs, firstClose?.message)];
  }

  let previousEndMs = connection.acceptedAtMs;
  return responses.map((response, index) => {
    // A keep-alive connection's later request starts with the first client bytes after the previous response.
    const startedAtMs = index === 0 ? connection.acceptedAtMs : (upstreamTimes.find((t) => t >= previousEndMs) ?? previousEndMs);
    const observation: TapObservation = {
      startedAtMs,
      headersAtMs: response.headAtMs,
      status: response.status,
      headers: response.headers,
      sent: {},
      events: [],
      comments: [],
      chunks: response.body.map((piece) => ({ atMs: piece.atMs, bytes: piece.bytes.length })),
      end: { kind: 'eof-without-terminator', atMs: response.body.at(-1)?.atMs ?? response.headAtMs },
    };
    const requestId = response.headers['x-request-id'];
    if (requestId !== undefined) observation.requestId = requestId;

    let streamEnd: { kind: 'terminator' | 'error-event'; message?: string } | undefined;
    let atMs = response.headAtMs;
    const parser = createParser({
      onEvent: (message) => {
        const event: ArrivedEvent = { atMs, data: message.data };
        if (message.event !== undefined) event.event = message.event;
        if (message.id !== undefined) event.id = message.id;
        observation.events.push(event);
        const meaning = interpretEvent(format, event);
        if (!streamEnd && meaning.error !== undefined) streamEnd = { kind: 'error-event', message: meaning.error };
        else if (!streamEnd && meaning.terminator) streamEnd = { kind: 'terminator' };
      },
      onComment: (text) => observation.comments.push({ atMs, text }),
    });
    const decoder = new TextDecoder();
    for (const piece of response.body) {
      atMs = piece.atMs;
      parser.feed(decoder.decode(piece.bytes, { stream: true }));
    }

    const lastMs = response.body.at(-1)?.atMs ?? response.headAtMs;
    const isLast = index === responses.length - 1;
    if (response.status < 200 || response.status >= 300) {
      observation.end = { kind: 'http-error', atMs: lastMs };
    } else if (streamEnd) {
      observation.end = streamEnd.message === undefined ? { kind: streamEnd.kind, atMs: lastMs } : { kind: streamEnd.kind, atMs: lastMs, message: streamEnd.message };
    } else if (!isLast || !firstClose) {
      // Ended by its framing with no terminator (a hop that ends the body cleanly mid-stream), or still open.
      observation.end = { kind: 'eof-without-terminator', atMs: lastMs, message: firstClose ? 'framing ended the body' : 'open when recorded' };
    } else if (firstClose.side === 'client') {
      observation.end = { kind: 'aborted', atMs: firstClose.atMs, message: 'the client-side hop closed first' };
      observation.cut = 'from-client-side';
    } else {
      const kind: ConnectionEndKind = firstClose.how === 'end' ? 'eof-without-terminator' : 'reset';
      observation.end = { kind, atMs: firstClose.atMs, message: `the server-side hop closed first (${firstClose.how})` };
      observation.cut = 'from-server-side';
    }
    previousEndMs = observation.end.atMs;
    return observation;
  });
}

function emptyObservation(startedAtMs: ClockMs, kind: ConnectionEndKind, atMs: ClockMs, message?: string): TapObservation {
  return {
    startedAtMs,
    sent: {},
    events: [],
    comments: [],
    chunks: [],
    end: message === undefined ? { kind, atMs } : { kind, atMs, message },
    ...(kind === 'aborted' ? { cut: 'from-client-side' as const } : {}),
  };
}
