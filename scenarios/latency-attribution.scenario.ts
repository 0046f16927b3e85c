/**
 * Latency and bandwidth injected on purpose must not read as buffering. The buffering check judges
 * the delay beyond what the toxics inject, and the chain's taps put each box's share where it belongs:
 * the toxiproxy box adds the latency, a buffering nginx adds the bursts.
 */
import { FAIL, PASS, scenario } from '../harness/index.ts';

// Events 100 ms apart: a buffering nginx 1.22 then holds each about 1.4 s (p95), far from what a
// loaded machine adds to a path that passes events on. The thresholds sit between the two, as
// measured (decision 0030): passing paths p95 0-160 ms idle, up to 480 ms in a whole-matrix run on
// 2 cores; buffering paths p95 1388-1680 ms, max 1568-1801 ms.
const script = { tokens: 40, tokenIntervalMs: 100 };
const paths = ['toxiproxy > nginx:hardened', 'toxiproxy > nginx:default'];
const thresholds = { delayP95Ms: 750, delayMaxMs: 1200 };

scenario({
  name: 'latency 300 ± 50 ms injected in front of nginx',
  llm: { script },
  client: 'recorder',
  faults: [{ type: 'latency', attributes: { latency: 300, jitter: 50 } }],
  checks: ['buffering'],
  thresholds,
  paths,
  expect: {
    'toxiproxy > nginx:hardened': PASS,
    'toxiproxy > nginx:default': FAIL,
    'toxiproxy > nginx:default@sid': PASS,
  },
});

scenario({
  name: 'bandwidth limited to 16 KB/s in front of nginx',
  llm: { script },
  client: 'recorder',
  faults: [{ type: 'bandwidth', attributes: { rate: 16 } }],
  checks: ['buffering'],
  thresholds,
  paths,
  expect: {
    'toxiproxy > nginx:hardened': PASS,
    'toxiproxy > nginx:default': FAIL,
    'toxiproxy > nginx:default@sid': PASS,
  },
});
