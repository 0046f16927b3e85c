/**
 * Latency and bandwidth injected on purpose must not read as buffering. The buffering check judges
 * the delay beyond what the toxics inject, and the chain's taps put each box's share where it belongs:
 * the toxiproxy box adds the latency, a buffering nginx adds the bursts.
 */
import { FAIL, PASS, scenario } from '../harness/index.ts';

const script = { tokens: 40, tokenIntervalMs: 50 };
const paths = ['toxiproxy > nginx:hardened', 'toxiproxy > nginx:default'];

scenario({
  name: 'latency 300 ± 50 ms injected in front of nginx',
  llm: { script },
  client: 'recorder',
  faults: [{ type: 'latency', attributes: { latency: 300, jitter: 50 } }],
  checks: ['buffering'],
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
  paths,
  expect: {
    'toxiproxy > nginx:hardened': PASS,
    'toxiproxy > nginx:default': FAIL,
    'toxiproxy > nginx:default@sid': PASS,
  },
});
