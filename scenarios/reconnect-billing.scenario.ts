/**
 * A tool pause longer than the idle timeout cuts the stream on the default profile. A naive client
 * re-POSTs the prompt and a stateless server bills it again; a resumable client (Idempotency-Key +
 * Last-Event-ID) against a resumable server picks the stream up where it was, billed once.
 */
import { FAIL, PASS, scenario } from '../harness/index.ts';

const paths = ['direct', 'nginx:default', 'nginx:hardened', 'haproxy:default', 'haproxy:hardened'];
const script = { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: 70 } };

scenario({
  name: 'cut during a tool pause, naive client re-POSTs',
  llm: { mode: 'stateless', script },
  client: 'naive',
  maxReconnects: 1,
  paths,
  checks: ['billing', 'completion'],
  expect: {
    direct: PASS,
    'nginx:default': { billing: FAIL, completion: PASS },
    'nginx:hardened': PASS,
    'haproxy:default': { billing: FAIL, completion: PASS },
    'haproxy:hardened': PASS,
  },
});

scenario({
  name: 'cut during a tool pause, resumable client resumes',
  llm: { mode: 'resumable', script },
  client: 'resumable',
  maxReconnects: 1,
  paths,
  checks: ['billing', 'completion'],
  expect: {
    direct: PASS,
    'nginx:default': PASS,
    'nginx:hardened': PASS,
    'haproxy:default': PASS,
    'haproxy:hardened': PASS,
  },
});
