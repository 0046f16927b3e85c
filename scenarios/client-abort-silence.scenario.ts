/**
 * The user closes the tab right as a silent tool pause begins (after the 8 content tokens and the
 * 5 tool-argument tokens). Nothing is written to the client afterwards, so a proxy that only learns
 * of a closed client when it next writes to it keeps the origin generating (and billing) until the
 * pause ends. (client-abort.scenario.ts aborts on the tool-call event, while arguments still
 * stream: for HAProxy that verdict depends on how fast the client reacts; decisions/0012.)
 */
import { FAIL, PASS, scenario } from '../harness/index.ts';

scenario({
  name: 'client aborts at the start of a silent tool pause',
  llm: { script: { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: 20 } } },
  client: 'recorder',
  abort: { afterTokens: 13 },
  paths: ['direct', 'haproxy:default', 'haproxy:hardened'],
  checks: ['abort'],
  expect: {
    direct: PASS,
    // The origin hears of the abort only when the pause ends (2 s at scale 0.1), or never.
    'haproxy:default': FAIL,
    // `option abortonclose`: ~20-30 ms on 3.0/3.2; HAProxy 2.6 ignores it once the response started.
    'haproxy:hardened@bookworm': FAIL,
    'haproxy:hardened': PASS,
  },
});
