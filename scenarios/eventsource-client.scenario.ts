/**
 * The `eventsource` npm client (issue 8) on the mock LLM's EventSource-style endpoint
 * (`GET /v1/chat/completions/stream`, `id:` on every event), cut mid-stream. The package
 * reconnects on its own (3 s later, sending Last-Event-ID) and never gives up; the harness bounds
 * it at maxReconnects 2. Two servers behind the same cuts:
 * - resumable: honours Last-Event-ID (replays after it, the generation runs on): billed once;
 * - stateless: ignores it, so every reconnect is a new generation from the start: billed again.
 *
 * (a) nginx default's 60 s proxy_read_timeout during a 70 s tool pause with no heartbeats;
 * (b) a reset (Toxiproxy `reset_peer`) 2 s into the tool call, in front of nginx hardened.
 *
 * Measured on nginx 1.22.1 (bookworm) and 1.30.6 (sid), eventsource 5.1.5 (time scale 0.1).
 */
import { FAIL, PASS, scenario, type ScenarioSpec } from '../harness/index.ts';
import { TOOL_PAUSE } from './real-clients.ts';

type Expect = ScenarioSpec['expect'][string];
const IDLE = 'nginx:default';
const RESET = 'toxiproxy > nginx:hardened';

const idleCut: Record<'stateless' | 'resumable', Expect> = {
  // Every reconnect is a new generation that pauses again and is cut again: 3 billed, then the
  // harness's bound ends it (threw: 'gave up after 2 reconnects'). The package alone would go on
  // reconnecting, and paying, until the caller closes it.
  stateless: { billing: FAIL, completion: PASS },
  // The generation ran on; the reconnect 3 s later replays everything after Last-Event-ID:
  // completed on 2 connections, 1 billed.
  resumable: PASS,
};
const reset: Record<'stateless' | 'resumable', Expect> = {
  // The reconnect starts a new generation (the fault is off by then): completed, 2 billed, and the
  // caller's text repeats the 8 tokens before the tool call (the stream starts over).
  stateless: { billing: FAIL, completion: PASS },
  // Replayed after Last-Event-ID: completed on 2 connections, 1 billed.
  resumable: PASS,
};

for (const mode of ['resumable', 'stateless'] as const) {
  const honours = mode === 'resumable' ? 'server honours Last-Event-ID' : 'server ignores Last-Event-ID';
  scenario({
    name: `eventsource: tool pause 70 s, no heartbeats, nginx default's idle timeout (${honours})`,
    description: 'nginx ends the response at its 60 s read timeout; the package reconnects with Last-Event-ID.',
    llm: { mode, script: TOOL_PAUSE },
    client: 'eventsource',
    checks: ['billing', 'completion'],
    paths: [IDLE],
    expect: { [IDLE]: idleCut[mode] },
  });
  scenario({
    name: `eventsource: reset during a tool call in front of nginx hardened (${honours})`,
    description: '2 s (real) into the pause, the toxiproxy box resets both its connections; the package reconnects with Last-Event-ID.',
    llm: { mode, script: { ...TOOL_PAUSE, heartbeatSeconds: 15 } },
    client: 'eventsource',
    faults: [{ type: 'reset_peer', when: 'tool-call', attributes: { timeout: 2000 } }],
    checks: ['billing', 'completion'],
    paths: [RESET],
    expect: { [RESET]: reset[mode] },
  });
}
