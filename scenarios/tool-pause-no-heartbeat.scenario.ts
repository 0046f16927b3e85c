/**
 * A tool call pauses the stream for 70 s (scaled), longer than nginx's 60 s proxy_read_timeout,
 * and the server sends nothing meanwhile. Does the stream survive, and if it is cut, does the
 * client know?
 */
import { FAIL, PASS, scenario } from '../harness/index.ts';

scenario({
  name: 'tool pause 70 s, no heartbeats',
  llm: { script: { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: 70 } } },
  client: 'recorder',
  paths: ['direct', 'nginx:default', 'nginx:hardened', 'haproxy:default', 'haproxy:hardened'],
  checks: ['heartbeat', 'completion'],
  expect: {
    direct: PASS,
    // proxy_read_timeout (60 s) cuts the stream; nginx closes without the final chunk, so the
    // client sees the cut (reset), not a clean end: a visible failure (decisions/0003).
    'nginx:default': { heartbeat: FAIL, completion: PASS },
    'nginx:hardened': PASS,
    'haproxy:default': { heartbeat: FAIL, completion: PASS },
    'haproxy:hardened': PASS,
  },
});
