/**
 * The API scenario files use (`import { scenario, PASS, FAIL } from 'streamproof'`). Everything
 * else in harness/ is internal to it.
 */
export { scenario, streamTest, PASS, FAIL, type ScenarioSpec } from './scenario.ts';
export { DEFAULT_THRESHOLDS, type Thresholds } from './checks/thresholds.ts';
export { CLIENT_NAMES } from './clients/real/registry.ts';
export { Stack, type HopSpec } from './stack.ts';
export type { CheckName, CheckResult, StreamEvidence, Verdict } from './model.ts';
