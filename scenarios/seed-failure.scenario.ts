/**
 * The seed failure: the LLM sends heartbeats through a 70 s tool call, but a buffering box holds
 * them while a box nearer the client, with a shorter idle timeout, closes the connection. Which box
 * holds the heartbeats, and which one cuts? The chain's taps name both; the hardened counterpart passes.
 */
import { FAIL, PASS, scenario } from '../harness/index.ts';

scenario({
  name: 'seed failure: heartbeats held behind a 60 s idle timeout',
  description: 'Emulated ALB (60 s idle) in front of nginx; 70 s tool call with heartbeats every 15 s.',
  llm: { script: { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: 70 }, heartbeatSeconds: 15 } },
  client: 'recorder',
  checks: ['heartbeat', 'completion'],
  paths: ['haproxy:alb > nginx:default', 'haproxy:alb > nginx:hardened'],
  expect: {
    'haproxy:alb > nginx:default': { heartbeat: FAIL, completion: PASS },
    'haproxy:alb > nginx:default@sid': PASS,
    'haproxy:alb > nginx:hardened': PASS,
  },
});
