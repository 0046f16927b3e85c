/**
 * The checks by name. Each is a small strategy object: evidence in, verdict with figures out.
 */
import type { Check, CheckName, CheckResult, StreamEvidence } from '../model.ts';
import { abortCheck } from './abort.ts';
import { billingCheck } from './billing.ts';
import { bufferingCheck } from './buffering.ts';
import { completionCheck } from './completion.ts';
import { heartbeatCheck } from './heartbeat.ts';
import { integrityCheck } from './integrity.ts';
import type { Thresholds } from './thresholds.ts';

export { abortCheck, billingCheck, bufferingCheck, completionCheck, heartbeatCheck, integrityCheck };
export { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds.ts';

export const CHECKS: Record<CheckName, (overrides?: Partial<Thresholds>) => Check<StreamEvidence>> = {
  heartbeat: heartbeatCheck,
  buffering: bufferingCheck,
  billing: billingCheck,
  completion: completionCheck,
  abort: abortCheck,
  integrity: integrityCheck,
};

export function evaluateChecks(names: readonly CheckName[], evidence: StreamEvidence, thresholds?: Partial<Thresholds>): CheckResult[] {
  return names.map((name) => CHECKS[name](thresholds).evaluate(evidence));
}
