/**
 * Real SDK clients through a tool pause: (c) no heartbeats, the proxy's idle timeout ends the
 * response (nginx default's proxy_read_timeout 60 s; HAProxy default's `timeout server` 50 s, and
 * HAProxy hardened's 3600s for contrast): does the SDK throw, or return normally with partial
 * text? (d) nginx hardened with heartbeats as SSE comments vs `event: ping` events
 * (`{"type": "ping"}`, in either format): which SDKs tolerate which? Measured on nginx 1.22.1 and
 * 1.30.6, HAProxy 2.6.12 and 3.2.26 (same verdicts); openai 7.57.0, @anthropic-ai/sdk 1.12.0,
 * each with its defaults (maxRetries 2, timeout 10 min).
 */
import { FAIL, PASS, scenario, type ScenarioSpec } from '../harness/index.ts';
import { REFERENCE_CLIENTS, SDK_CLIENTS, TOOL_PAUSE } from './real-clients.ts';

type Expect = ScenarioSpec['expect'][string];

// nginx ends the response at proxy_read_timeout (6.0 s at scale 0.1) without the final chunk, and
// HAProxy default at `timeout server` (cut at 5.3-5.9 s: 5 s after the last event), also closing
// without the final chunk (undici: `SocketError: other side closed`), not with a clean end: every
// SDK sees it as a reset and throws (TypeError / OpenAIError / AnthropicError: terminated), none
// retries (billed once). Through HAProxy hardened (timeout server 3600s) every client completes.
const idleCut: Record<string, Expect> = {
  openai: PASS,
  'openai-stream-helper': PASS,
  anthropic: PASS,
  'anthropic-stream-helper': PASS,
  // Re-POSTs twice (maxReconnects 2), cut each time: billed 3 times, then throws.
  naive: { billing: FAIL, completion: PASS },
  resumable: PASS,
};
// Comments are invisible to every SDK's iterator.
const commentBeats: Record<string, Expect> = {
  openai: PASS,
  'openai-stream-helper': PASS,
  anthropic: PASS,
  'anthropic-stream-helper': PASS,
};
const pingBeats: Record<string, Expect> = {
  // The OpenAI SDK yields the ping's data ({"type":"ping"}) as a chunk: the README's
  // `chunk.choices[0]?.delta` throws a TypeError in the caller's loop, and the helper throws
  // OpenAIError 'chunk.choices is not iterable'; either way the SDK aborts the stream at the
  // first ping (heartbeat fails: the stream did not survive), visibly (completion passes).
  openai: { heartbeat: FAIL, billing: PASS, completion: PASS },
  'openai-stream-helper': { heartbeat: FAIL, billing: PASS, completion: PASS },
  // Anthropic's own ping: both ignore it.
  anthropic: PASS,
  'anthropic-stream-helper': PASS,
};

for (const { client, format, mode } of [...SDK_CLIENTS, ...REFERENCE_CLIENTS]) {
  scenario({
    name: `${client}: tool pause 70 s, no heartbeats, the proxy's idle timeout`,
    format,
    llm: { mode, script: TOOL_PAUSE },
    client,
    checks: ['billing', 'completion'],
    paths: ['nginx:default', 'haproxy:default', 'haproxy:hardened'],
    expect: idleCut[client] ? { 'nginx:default': idleCut[client], 'haproxy:default': idleCut[client], 'haproxy:hardened': PASS } : {},
  });
}

for (const { client, format, mode } of SDK_CLIENTS) {
  scenario({
    name: `${client}: tool pause 70 s, comment heartbeats every 15 s, nginx hardened`,
    format,
    llm: { mode, script: { ...TOOL_PAUSE, heartbeatSeconds: 15, heartbeatFormat: 'comment' } },
    client,
    checks: ['heartbeat', 'billing', 'completion'],
    paths: ['nginx:hardened'],
    expect: commentBeats[client] ? { 'nginx:hardened': commentBeats[client] } : {},
  });
  scenario({
    name: `${client}: tool pause 70 s, event: ping heartbeats every 15 s, nginx hardened`,
    format,
    llm: { mode, script: { ...TOOL_PAUSE, heartbeatSeconds: 15, heartbeatFormat: 'anthropic-ping' } },
    client,
    checks: ['heartbeat', 'billing', 'completion'],
    paths: ['nginx:hardened'],
    expect: pingBeats[client] ? { 'nginx:hardened': pingBeats[client] } : {},
  });
}
