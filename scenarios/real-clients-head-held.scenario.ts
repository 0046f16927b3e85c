/**
 * Real SDK clients when the response head is held longer than the SDK waits for it. Both SDKs time
 * a request until its head arrives (their `timeout`, 10 min by default; a streamed body is not
 * timed by them) and retry a timeout like a connection error, re-sending the prompt:
 *
 * (a) the `haproxy:apigw-rest` emulation holds the whole response (API Gateway REST's default
 *     BUFFERED integration) during a 70 s tool call, then answers 504 at its 29 s deadline
 *     (decisions/0015): with the SDK's real defaults the box's 504 answers first; with
 *     `timeoutMs: 2000` (2 s real = 20 s of scenario time at scale 0.1, below the 29 s deadline)
 *     the SDK gives up first.
 * (b) the model itself holds the head for 70 s (`headDelaySeconds`: queued, billed from the
 *     request) behind nginx hardened (proxy_read_timeout 3600s lets it wait), with `timeoutMs:
 *     3000` (below the 7 s real hold) and with the real defaults.
 *
 * The SDK's timeout is real milliseconds (not scaled by the time scale). Measured on HAProxy
 * 2.6.12 / 3.2.26 and nginx 1.22.1 / 1.30.6; openai 7.57.0, @anthropic-ai/sdk 1.12.0.
 */
import { FAIL, PASS, scenario, type ScenarioSpec } from '../harness/index.ts';
import { everySdk, SDK_CLIENTS, TOOL_PAUSE } from './real-clients.ts';

type Expect = ScenarioSpec['expect'][string];

const APIGW = 'haproxy:apigw-rest';
const HARDENED = 'nginx:hardened';
const HEAD_HELD = { tokens: 24, headDelaySeconds: 70 } as const;

// The four SDK clients behaved alike on every path and version (two runs, bookworm and sid).
const REBILLED = { billing: FAIL, completion: PASS } as const;

// 504 at 2.9-3.4 s (the 29 s deadline, scaled), retried after ~0.4-0.5 s and ~0.8-1 s: 504, 504,
// 504 in ~10-10.7 s, each attempt a new generation: billed 3, then the SDK throws
// (openai: InternalServerError 504; anthropic: GatewayTimeoutError 504). The box's deadline
// answers long before the SDK's 10 min (and undici's 300 s headersTimeout).
const apigwDefaults: Record<string, Expect> = everySdk(REBILLED);
// The SDK aborts each attempt at 2.0 s, no status (APIConnectionTimeoutError: Request timed out.),
// and retries it like a connection error: 3 attempts in ~7.3 s, billed 3.
const apigwShortTimeout: Record<string, Expect> = everySdk(REBILLED);
// The same at 3.0 s per attempt (3 attempts in ~10.2 s), billed 3.
const modelShortTimeout: Record<string, Expect> = everySdk(REBILLED);
// The head after 7.0 s, the stream complete at 7.5-8.1 s: one attempt, billed 1.
const modelDefaults: Record<string, Expect> = everySdk(PASS);

for (const { client, format, mode } of SDK_CLIENTS) {
  scenario({
    name: `${client}: whole response held by haproxy:apigw-rest through a 70 s tool call, SDK defaults`,
    format,
    llm: { mode, script: TOOL_PAUSE },
    client,
    checks: ['billing', 'completion'],
    paths: [APIGW],
    expect: { [APIGW]: apigwDefaults[client]! },
  });
  scenario({
    name: `${client}: whole response held by haproxy:apigw-rest through a 70 s tool call, SDK timeout 2 s`,
    format,
    llm: { mode, script: TOOL_PAUSE },
    client,
    clientOptions: { timeoutMs: 2000 },
    checks: ['billing', 'completion'],
    paths: [APIGW],
    expect: { [APIGW]: apigwShortTimeout[client]! },
  });
  scenario({
    name: `${client}: the model holds the head 70 s behind nginx hardened, SDK timeout 3 s`,
    format,
    llm: { mode, script: HEAD_HELD },
    client,
    clientOptions: { timeoutMs: 3000 },
    checks: ['billing', 'completion'],
    paths: [HARDENED],
    expect: { [HARDENED]: modelShortTimeout[client]! },
  });
  scenario({
    name: `${client}: the model holds the head 70 s behind nginx hardened, SDK defaults`,
    format,
    llm: { mode, script: HEAD_HELD },
    client,
    checks: ['billing', 'completion'],
    paths: [HARDENED],
    expect: { [HARDENED]: modelDefaults[client]! },
  });
}
