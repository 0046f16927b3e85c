/**
 * A connection reset in the middle of a tool call (Toxiproxy `reset_peer`), on either side of
 * nginx: the naive client re-POSTs and is billed twice, the resumable client resumes and is billed
 * once, and neither hands back a silently truncated answer. `limit_data` ends the connection
 * cleanly instead (a FIN, not a reset): whether the client can still tell depends on the hop behind it.
 */
import { FAIL, PASS, scenario } from '../harness/index.ts';

const script = { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: 70 }, heartbeatSeconds: 15 };
// 2 s (real) into the pause, the toxiproxy box resets both its connections.
const resetDuringPause = { type: 'reset_peer', when: 'tool-call', attributes: { timeout: 2000 } } as const;
const paths = ['toxiproxy > nginx:hardened', 'nginx:default > toxiproxy'];

scenario({
  name: 'reset during a tool call, naive client re-POSTs',
  llm: { mode: 'stateless', script },
  client: 'naive',
  maxReconnects: 1,
  faults: [resetDuringPause],
  checks: ['billing', 'completion'],
  paths,
  expect: {
    'toxiproxy > nginx:hardened': { billing: FAIL, completion: PASS },
    'nginx:default > toxiproxy': { billing: FAIL, completion: PASS },
  },
});

scenario({
  name: 'reset during a tool call, resumable client resumes',
  llm: { mode: 'resumable', script },
  client: 'resumable',
  maxReconnects: 1,
  faults: [resetDuringPause],
  checks: ['billing', 'completion'],
  paths,
  expect: {
    'toxiproxy > nginx:hardened': PASS,
    'nginx:default > toxiproxy': PASS,
  },
});

scenario({
  name: 'connection closed cleanly during a tool call (limit_data)',
  description: 'The first heartbeat of the pause crosses a 1-byte data limit: the toxiproxy box closes both sides with a FIN.',
  llm: { mode: 'stateless', script },
  client: 'recorder',
  faults: [{ type: 'limit_data', when: 'tool-call', attributes: { bytes: 1 } }],
  checks: ['completion', 'integrity'],
  paths,
  expect: {
    'toxiproxy > nginx:hardened': PASS,
    // nginx <= 1.28 speaks HTTP/1.0 upstream: a clean close there is a clean end to the client,
    // which gets 8 tokens and no terminator, and no error (decisions/0005).
    'nginx:default > toxiproxy': { completion: FAIL, integrity: PASS },
    // nginx 1.30 speaks HTTP/1.1 upstream: the body was chunked, so a close mid-body is an error it passes on.
    'nginx:default > toxiproxy@sid': PASS,
  },
});
