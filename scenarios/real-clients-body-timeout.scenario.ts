/**
 * Real SDK clients through a silent tool pause longer than their HTTP stack's own idle timeout on
 * the body: Node 24's global fetch (undici 7.29.1) gives every request `bodyTimeout` and
 * `headersTimeout` of 300 s (3e5 in node's bundled undici Client), below the SDKs' own 10 min
 * timeout, which stops at the response head anyway. A 3200 s pause is 320 s REAL at time scale
 * 0.1 (the client's timeouts are real time, not scaled; 20 s over 300 s because undici's coarse
 * timers fired up to 4.4 s late), through nginx hardened, whose proxy_read_timeout 3600s (360 s at
 * 0.1) lets it through; no heartbeats. Does the SDK throw, and does it retry (re-bill)?
 *
 * Measured (nginx 1.22.1 and 1.30.6, openai 7.57.0, @anthropic-ai/sdk 1.12.0, two runs: 310 s and
 * 320 s pauses): every SDK throws about 300 s after the last event (the connection ends
 * 303.6-304.4 s after the request; the tool call came at 0.3 s): `TypeError: terminated` (cause
 * `BodyTimeoutError: Body Timeout Error`) from the plain iterators, the same wrapped in
 * OpenAIError / AnthropicError from the helpers. None retries (the response was returned at its
 * head): billed once, no silent truncation; the stream did not survive the pause (heartbeat
 * fails, gap ~303.5 s).
 *
 * Cost: every test of this file waits the whole 320 s. The timeout is the client's own, the same
 * behind either nginx (measured on both, above), so the file runs on bookworm's only: 4 tests, one
 * wave (the scenarios' maxConcurrency is 6), holding one of the two scenario workers about 330 s
 * (on both versions: 8 tests, two waves, 614-619 s).
 */
import { FAIL, PASS, scenario, type ScenarioSpec } from '../harness/index.ts';
import { everySdk, SDK_CLIENTS } from './real-clients.ts';

type Expect = ScenarioSpec['expect'][string];

const BODY_TIMEOUT_PAUSE = { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: 3200 } } as const;

// Alike for the four SDKs on both versions.
const bodyTimeout: Record<string, Expect> = everySdk({ heartbeat: FAIL, billing: PASS, completion: PASS });

for (const { client, format, mode } of SDK_CLIENTS) {
  scenario({
    name: `${client}: tool pause 320 s real, no heartbeats, past undici's 300 s body timeout, nginx hardened`,
    format,
    llm: { mode, script: BODY_TIMEOUT_PAUSE },
    client,
    checks: ['heartbeat', 'billing', 'completion'],
    paths: ['nginx:hardened'],
    versions: ['bookworm'],
    expect: { 'nginx:hardened': bodyTimeout[client]! },
  });
}
