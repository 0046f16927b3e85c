/**
 * Tokens every 20 ms, no pause: does each event reach the client when it was sent, or in bursts?
 */
import { PASS, scenario } from '../harness/index.ts';

scenario({
  name: 'token streaming latency',
  llm: { script: { tokens: 60, tokenIntervalMs: 20 } },
  client: 'recorder',
  checks: ['buffering', 'completion'],
  expect: {
    direct: PASS,
    'nginx:default': PASS,
    'nginx:hardened': PASS,
  },
});
