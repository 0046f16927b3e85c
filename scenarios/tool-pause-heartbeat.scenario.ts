/**
 * The same 70 s tool pause, but the server writes an SSE comment heartbeat every 15 s of silence.
 * Heartbeats should keep the connection alive and reach the client when sent.
 */
import { FAIL, PASS, scenario } from '../harness/index.ts';

scenario({
  name: 'tool pause 70 s, heartbeats every 15 s',
  llm: { script: { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: 70 }, heartbeatSeconds: 15 } },
  client: 'recorder',
  paths: ['direct', 'nginx:default', 'nginx:hardened', 'haproxy:default', 'haproxy:hardened', 'haproxy:compressed'],
  checks: ['heartbeat', 'completion'],
  expect: {
    direct: PASS,
    // Heartbeats keep the connection open on every version, but nginx <= 1.28 holds them in its
    // buffer with everything else: the client hears nothing for the whole pause (decisions/0004).
    'nginx:default': { heartbeat: FAIL, completion: PASS },
    'nginx:default@sid': PASS,
    'nginx:hardened': PASS,
    'haproxy:default': PASS,
    'haproxy:hardened': PASS,
    'haproxy:compressed': PASS,
  },
});
