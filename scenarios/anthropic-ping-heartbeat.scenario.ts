/**
 * The Anthropic Messages format through the same proxies: a 70 s tool pause (a tool_use block,
 * then silence) with Anthropic's own `event: ping` every 15 s instead of SSE comments.
 */
import { FAIL, PASS, scenario } from '../harness/index.ts';

scenario({
  name: 'anthropic stream, tool pause 70 s, ping events every 15 s',
  format: 'anthropic',
  llm: { script: { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: 70 }, heartbeatSeconds: 15, heartbeatFormat: 'anthropic-ping' } },
  client: 'recorder',
  checks: ['heartbeat', 'buffering', 'completion'],
  expect: {
    direct: PASS,
    'nginx:default': { heartbeat: FAIL, buffering: FAIL, completion: PASS },
    'nginx:default@sid': PASS,
    'nginx:hardened': PASS,
  },
});
