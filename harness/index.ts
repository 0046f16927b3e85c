/** The API scenario files use. Everything else in harness/ is internal to it. */
export { scenario, streamTest, PASS, FAIL, type ScenarioSpec } from './scenario.ts';
export { Stack, type HopSpec } from './stack.ts';
export type { CheckName, CheckResult, StreamEvidence, Verdict } from './model.ts';
