/**
 * The heartbeat interval sweep: a 120 s tool call through each profile and chain, once per
 * heartbeat interval, reports the largest interval that survives as a figure. Idle timeouts are
 * beaten by any interval below them; a deadline on the whole response (emulated GCP LB, API
 * Gateway REST, Envoy) is beaten by none: heartbeats do not help there, and the report says so.
 */
import { FAIL, PASS, scenario } from '../harness/index.ts';

scenario({
  name: 'heartbeat interval sweep over a 120 s tool call',
  llm: { script: { tokens: 16, toolCall: { afterTokens: 6, pauseSeconds: 120 }, heartbeatSeconds: 15 } },
  client: 'recorder',
  checks: ['heartbeat'],
  sweep: { heartbeatSeconds: [5, 15, 30, 45, 55, 90] },
  paths: [
    'nginx:default',
    'nginx:hardened',
    'haproxy:default',
    'haproxy:hardened',
    'haproxy:alb',
    'haproxy:cloudflare',
    'haproxy:gcp-lb',
    'haproxy:apigw-rest',
    'haproxy:envoy-ecs',
    'haproxy:alb > nginx:default',
    'haproxy:alb > nginx:hardened',
  ],
  expect: {
    'nginx:default': FAIL,
    'nginx:default@sid': PASS,
    'nginx:hardened': PASS,
    'haproxy:default': PASS,
    'haproxy:hardened': PASS,
    'haproxy:alb': PASS,
    'haproxy:cloudflare': PASS,
    'haproxy:gcp-lb': FAIL,
    'haproxy:apigw-rest': FAIL,
    'haproxy:envoy-ecs': FAIL,
    'haproxy:alb > nginx:default': FAIL,
    'haproxy:alb > nginx:default@sid': PASS,
    'haproxy:alb > nginx:hardened': PASS,
  },
});
