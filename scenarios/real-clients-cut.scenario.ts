/**
 * Real SDK clients (and the harness's naive/resumable, for reference) when the stream is cut
 * mid-stream, each with its real defaults (maxRetries 2, timeout 10 min):
 *
 * (a) a clean close (FIN: Toxiproxy `limit_data`) during a tool call, behind nginx default. nginx
 *     1.22 speaks HTTP/1.0 upstream and passes the close on as a clean end of the body: does the
 *     SDK throw, or return the partial answer as whole?
 * (a') a clean close after 1100 bytes from the start, for the SDKs: an Anthropic stream
 *     (about 4 KB in all) sits whole in nginx 1.22's buffers, so its client sees the tool call only
 *     after the end and (a) never cuts it; a byte limit cuts it in the token phase instead.
 * (b) a reset (Toxiproxy `reset_peer`) during a tool call, in front of nginx hardened: does the
 *     SDK retry, re-POSTing the prompt (billed twice)?
 * (a) and (b) with HAProxy in nginx's place: `haproxy:default > toxiproxy` for the clean close
 *     (HAProxy speaks HTTP/1.1 to the origin, like nginx 1.30), `toxiproxy > haproxy:hardened`
 *     for the reset.
 *
 * Measured on nginx 1.22.1 (bookworm) and 1.30.6 (sid), HAProxy 2.6.12 and 3.2.26; openai 7.57.0,
 * @anthropic-ai/sdk 1.12.0.
 */
import { FAIL, PASS, scenario, type ScenarioSpec } from '../harness/index.ts';
import { REFERENCE_CLIENTS, SDK_CLIENTS, TOOL_PAUSE } from './real-clients.ts';

type Expect = ScenarioSpec['expect'];
const script = { ...TOOL_PAUSE, heartbeatSeconds: 15 };

const CLEAN_CLOSE = 'nginx:default > toxiproxy';
const HAPROXY_CLEAN_CLOSE = 'haproxy:default > toxiproxy';
const cleanClose: Record<string, Expect> = {
  // 1.22: the iterator ends without [DONE] and the SDK returns normally: 8 tokens as the answer.
  // 1.30: the body was chunked, so the close is an error nginx passes on: TypeError: terminated.
  openai: { [CLEAN_CLOSE]: { billing: PASS, completion: FAIL }, [`${CLEAN_CLOSE}@sid`]: PASS },
  // 1.22: OpenAIError 'missing finish_reason for choice 0' (the helper assembles a final result).
  'openai-stream-helper': { [CLEAN_CLOSE]: PASS },
  // 1.22: the whole stream is in nginx's buffers when the client sees the tool call: the fault
  // comes too late and the stream completes (see (a') for a cut that bites). 1.30: threw.
  anthropic: { [CLEAN_CLOSE]: PASS },
  'anthropic-stream-helper': { [CLEAN_CLOSE]: PASS },
  // Re-POSTs after the clean end: completes, billed twice.
  naive: { [CLEAN_CLOSE]: { billing: FAIL, completion: PASS } },
  resumable: { [CLEAN_CLOSE]: PASS },
};
// HAProxy (2.6.12 and 3.2.26) does not pass the origin's FIN on as a clean end: it closes the
// client's connection without the final chunk (undici: `SocketError: other side closed`), so every
// SDK throws (`terminated`), billed once, as behind nginx 1.30. naive: the drop makes it re-POST,
// billed twice; resumable: resumes, billed once.
const haproxyCleanClose: Record<string, Expect> = {
  naive: { [HAPROXY_CLEAN_CLOSE]: { billing: FAIL, completion: PASS } },
};

// 1100 bytes (head included) end the body about 125 bytes into an OpenAI chunk (events are 253
// bytes) and inside an Anthropic event: a clean end that splits an event, unlike (a).
const cleanCloseEarly: Record<string, Expect> = {
  // 1.22: the SDK's decoder flushes the split event at EOF and fails on it: SyntaxError
  // 'malformed server-sent event JSON' (so the OpenAI SDK notices a truncation only when the
  // cut splits an event; at an event boundary it returns partial text, as in (a)). 1.30: threw.
  openai: { [CLEAN_CLOSE]: PASS },
  'openai-stream-helper': { [CLEAN_CLOSE]: PASS },
  // 1.22: the SDK drops the split event and its iterator ends normally: partial text, no error.
  anthropic: { [CLEAN_CLOSE]: { billing: PASS, completion: FAIL }, [`${CLEAN_CLOSE}@sid`]: PASS },
  // 1.22: AnthropicError 'stream ended without producing a Message with role=assistant'.
  'anthropic-stream-helper': { [CLEAN_CLOSE]: PASS },
};

const RESET = 'toxiproxy > nginx:hardened';
const HAPROXY_RESET = 'toxiproxy > haproxy:hardened';
const reset: Record<string, Expect> = {
  // Every SDK throws (TypeError / OpenAIError / AnthropicError: terminated) and none retries:
  // an SDK retries only before it has returned the response, and a stream is returned at its head.
  openai: { [RESET]: PASS },
  'openai-stream-helper': { [RESET]: PASS },
  anthropic: { [RESET]: PASS },
  'anthropic-stream-helper': { [RESET]: PASS },
  naive: { [RESET]: { billing: FAIL, completion: PASS } },
  resumable: { [RESET]: PASS },
};
// In front of HAProxy hardened, the same: every SDK throws (`terminated`), billed once; naive:
// billed 2; resumable: billed once, completed. (HAProxy 2.6 tells the origin of the cut only at its
// next write, 0012; before the fault came off as the client came back (harness/scenario.ts
// beforeReconnect), the naive re-POST and the resumable reconnect met it again on 2.6: billed 3,
// and a resumable client that threw.)
const haproxyReset: Record<string, Expect> = {
  naive: { [HAPROXY_RESET]: { billing: FAIL, completion: PASS } },
};

for (const { client, format, mode } of [...SDK_CLIENTS, ...REFERENCE_CLIENTS]) {
  scenario({
    name: `${client}: clean close during a tool call behind the proxy`,
    description: 'The first heartbeat of the pause crosses a 1-byte data limit: the toxiproxy box closes both sides with a FIN.',
    format,
    llm: { mode, script },
    client,
    faults: [{ type: 'limit_data', when: 'tool-call', attributes: { bytes: 1 } }],
    checks: ['billing', 'completion'],
    paths: [CLEAN_CLOSE, HAPROXY_CLEAN_CLOSE],
    expect: { [HAPROXY_CLEAN_CLOSE]: PASS, ...cleanClose[client], ...haproxyCleanClose[client] },
  });
  scenario({
    name: `${client}: reset during a tool call in front of the proxy`,
    description: '2 s (real) into the pause, the toxiproxy box resets both its connections.',
    format,
    llm: { mode, script },
    client,
    faults: [{ type: 'reset_peer', when: 'tool-call', attributes: { timeout: 2000 } }],
    checks: ['billing', 'completion'],
    paths: [RESET, HAPROXY_RESET],
    expect: { [HAPROXY_RESET]: PASS, ...reset[client], ...haproxyReset[client] },
  });
}

for (const { client, format, mode } of SDK_CLIENTS) {
  scenario({
    name: `${client}: clean close after 1100 bytes behind nginx default`,
    description: 'The toxiproxy box closes both sides with a FIN once 1100 bytes of the response have passed (in the token phase).',
    format,
    llm: { mode, script },
    client,
    faults: [{ type: 'limit_data', when: 'start', attributes: { bytes: 1100 } }],
    checks: ['billing', 'completion'],
    paths: [CLEAN_CLOSE],
    expect: cleanCloseEarly[client] ?? {},
  });
}
