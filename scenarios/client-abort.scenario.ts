/**
 * The user closes the tab while the model is in a tool call. Does the abort reach the origin
 * through the proxy, so generation (and billing) stops?
 */
import { PASS, scenario } from '../harness/index.ts';

scenario({
  name: 'client aborts during a tool pause',
  llm: { script: { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: 20 } } },
  client: 'recorder',
  abort: 'on-tool-call',
  checks: ['abort'],
  expect: {
    direct: PASS,
    'nginx:default': PASS,
    'nginx:hardened': PASS,
  },
});
