/**
 * Toxiproxy's `slicer` cuts the stream into segments of a few bytes: SSE events straddle TCP
 * reads everywhere. Every event must still parse exactly, none lost or merged, on every hop.
 */
import { PASS, scenario } from '../harness/index.ts';

scenario({
  name: 'events sliced into 1–15 byte segments',
  llm: { script: { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: 20 }, heartbeatSeconds: 5 } },
  client: 'recorder',
  faults: [{ type: 'slicer', attributes: { average_size: 8, size_variation: 7, delay: 100 } }],
  checks: ['integrity', 'completion'],
  paths: ['toxiproxy', 'toxiproxy > nginx:hardened', 'toxiproxy > haproxy:default'],
  expect: {
    toxiproxy: PASS,
    'toxiproxy > nginx:hardened': PASS,
    'toxiproxy > haproxy:default': PASS,
  },
});
