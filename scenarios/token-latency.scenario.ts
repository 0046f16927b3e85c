/**
 * Tokens every 20 ms, no pause: does each event reach the client when it was sent, or in bursts?
 */
import { FAIL, PASS, scenario } from '../harness/index.ts';

scenario({
  name: 'token streaming latency',
  llm: { script: { tokens: 60, tokenIntervalMs: 20 } },
  client: 'recorder',
  paths: ['direct', 'nginx:default', 'nginx:hardened', 'haproxy:default', 'haproxy:hardened'],
  checks: ['buffering', 'completion'],
  expect: {
    direct: PASS,
    // nginx <= 1.28 speaks HTTP/1.0 upstream, the origin ends the body by closing, and nginx holds
    // it in 4 KB buffers; 1.30 speaks HTTP/1.1 (chunked) and passes each event on (decisions/0001, 0002).
    'nginx:default': { buffering: FAIL, completion: PASS },
    'nginx:default@sid': PASS,
    'nginx:hardened': PASS,
    // HAProxy does not buffer, but without http-no-delay the kernel holds each event up to 200 ms
    // (MSG_MORE): p95 120-190 ms, under the 250 ms threshold (decisions/0011).
    'haproxy:default': PASS,
    'haproxy:hardened': PASS,
  },
});
