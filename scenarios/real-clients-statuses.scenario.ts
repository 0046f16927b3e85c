/**
 * Real SDK clients against retryable statuses a proxy answers before any byte of the response
 * (502, 503, 504, 429), each SDK with its real defaults (maxRetries 2: up to 3 attempts, backoff
 * about 0.5 s then 1 s; both SDKs retry 408, 409, 429 and 5xx). Does it retry, and does each
 * attempt bill (the origin had started generating before the proxy gave up)?
 *
 * (a) 502: the proxy's upstream resets as the response head comes (Toxiproxy `reset_peer` on the
 *     first downstream chunk, behind nginx hardened or HAProxy default): the model had started.
 *     The fault comes off at that first cut, so a retry meets a healthy path.
 * (b) 504: the model holds the head for 70 s (`headDelaySeconds`: queued, billed from the
 *     request) behind nginx default's proxy_read_timeout (60 s) or HAProxy's timeout server (50 s).
 * (c) 503: HAProxy with no server available (`haproxy:no-server`: its health check marks the only
 *     server down); the model never sees a request.
 * (d) 429: (a) in front of a per-client rate limit (`nginx:rate-limited`, 1 request per minute):
 *     the retries of the 502 meet the limit.
 *
 * Measured on nginx 1.22.1 / 1.30.6 and HAProxy 2.6.12 / 3.2.26; openai 7.57.0, @anthropic-ai/sdk 1.12.0.
 */
import { FAIL, PASS, scenario, type ScenarioSpec } from '../harness/index.ts';
import { everySdk, SDK_CLIENTS } from './real-clients.ts';

type Expect = ScenarioSpec['expect'];

const RESET_NGINX = 'nginx:hardened > toxiproxy';
const RESET_HAPROXY = 'haproxy:default > toxiproxy';
const RATE_LIMITED = 'nginx:rate-limited > toxiproxy';

// The four SDK clients behaved alike on every path and version (three runs, bookworm and sid).
// (a) 502 then 200: the SDK retries after ~0.4-0.5 s and the stream completes, no error for the
// caller, but the model ran twice (billed 2): the first generation was started and cancelled.
// (d) 502, then 429 after ~0.4 s and 429 after another ~0.8-1 s: 3 attempts, billed once (the
// limit stops the retries before the model), and the caller gets RateLimitError 429, not the 502.
const resetBeforeHead: Record<string, Expect> = everySdk({
  [RESET_NGINX]: { billing: FAIL, completion: PASS },
  [RESET_HAPROXY]: { billing: FAIL, completion: PASS },
  [RATE_LIMITED]: PASS,
});

// 504, 504, 504: nginx at 6.0 s (proxy_read_timeout 60 s scaled), HAProxy at 5.0 s (timeout
// server 50 s), each attempt a new generation: billed 3 for one prompt, then the SDK throws
// (openai: InternalServerError 504; anthropic: GatewayTimeoutError 504) after ~16-19.5 s.
const headHeld: Record<string, Expect> = everySdk({
  'nginx:default': { billing: FAIL, completion: PASS },
  'haproxy:default': { billing: FAIL, completion: PASS },
});

// 503, 503, 503 within 1.2-1.7 s ("No server is available to handle this request."), the model never
// reached: billed 0; the SDK throws (openai: InternalServerError 503; anthropic: ServiceUnavailableError).
const noServer: Record<string, Expect> = everySdk({ 'haproxy:no-server': PASS });

// (a) and (b) with `maxRetries: 0`, the remedy's price: one attempt, billed once, and the caller
// gets the proxy's status as an error to handle (retry with an idempotency key, or tell the user):
// InternalServerError 502 from both SDKs; 504 as InternalServerError (openai) or
// GatewayTimeoutError (anthropic).
const noRetries: Record<string, Expect> = everySdk({ [RESET_NGINX]: PASS, 'nginx:default': PASS });

for (const { client, format, mode } of SDK_CLIENTS) {
  scenario({
    name: `${client}: the proxy's upstream resets before the response head (502), model started`,
    description: 'The toxiproxy box resets both its connections when the first byte of the response (the head) comes from the model.',
    format,
    llm: { mode, script: { tokens: 24 } },
    client,
    faults: [{ type: 'reset_peer', when: 'start', attributes: { timeout: 0 } }],
    checks: ['billing', 'completion'],
    paths: [RESET_NGINX, RESET_HAPROXY, RATE_LIMITED],
    expect: resetBeforeHead[client] ?? {},
  });
  scenario({
    name: `${client}: the model holds the head 70 s, past the proxy's idle timeout (504)`,
    format,
    llm: { mode, script: { tokens: 24, headDelaySeconds: 70 } },
    client,
    checks: ['billing', 'completion'],
    paths: ['nginx:default', 'haproxy:default'],
    expect: headHeld[client] ?? {},
  });
  scenario({
    name: `${client}: the proxy's upstream resets before the response head (502), model started, maxRetries 0`,
    format,
    llm: { mode, script: { tokens: 24 } },
    client,
    clientOptions: { maxRetries: 0 },
    faults: [{ type: 'reset_peer', when: 'start', attributes: { timeout: 0 } }],
    checks: ['billing', 'completion'],
    paths: [RESET_NGINX],
    expect: { [RESET_NGINX]: noRetries[client]![RESET_NGINX]! },
  });
  scenario({
    name: `${client}: the model holds the head 70 s, past the proxy's idle timeout (504), maxRetries 0`,
    format,
    llm: { mode, script: { tokens: 24, headDelaySeconds: 70 } },
    client,
    clientOptions: { maxRetries: 0 },
    checks: ['billing', 'completion'],
    paths: ['nginx:default'],
    expect: { 'nginx:default': noRetries[client]!['nginx:default']! },
  });
  scenario({
    name: `${client}: HAProxy has no server available (503)`,
    format,
    llm: { mode, script: { tokens: 24 } },
    client,
    checks: ['billing', 'completion'],
    paths: ['haproxy:no-server'],
    expect: noServer[client] ?? {},
  });
}
