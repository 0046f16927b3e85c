/**
 * Evaluating ACLs and conditions for a request, with three outcomes: true, false, or undefined
 * ("cannot evaluate": an unknown fetch, a pattern file, a missing client address). An undefined
 * ACL never stands in for a guess: callers report it.
 */
import { matchPattern, type Tristate } from './acl-match.ts';
import type { HaproxyAcl, HaproxyAclPattern } from './acl.ts';
import type { HaproxyCondition, HaproxyConditionTerm } from './condition.ts';
import type { HaproxyRequest } from './request.ts';
import { fetchSample, parseCriterion } from './sample-fetch.ts';

/** HAProxy's predefined ACLs (configuration.txt 7.4) that a request can decide. */
const PREDEFINED: Readonly<Record<string, (request: HaproxyRequest, ssl: boolean) => Tristate>> = {
  TRUE: () => true,
  FALSE: () => false,
  HTTP: () => true,
  'HTTP_1.0': (r) => (r.httpVersion ?? '1.1') === '1.0',
  'HTTP_1.1': (r) => (r.httpVersion ?? '1.1') === '1.1',
  'HTTP_2.0': (r) => r.httpVersion === '2.0',
  HTTP_URL_ABS: (r) => /^[a-z][a-z0-9+.-]*:\/\//i.test(r.path),
  HTTP_URL_SLASH: (r) => r.path.startsWith('/'),
  HTTP_URL_STAR: (r) => r.path === '*',
  METH_CONNECT: (r) => (r.method ?? 'GET') === 'CONNECT',
  METH_DELETE: (r) => (r.method ?? 'GET') === 'DELETE',
  METH_GET: (r) => ['GET', 'HEAD'].includes(r.method ?? 'GET'),
  METH_HEAD: (r) => (r.method ?? 'GET') === 'HEAD',
  METH_OPTIONS: (r) => (r.method ?? 'GET') === 'OPTIONS',
  METH_POST: (r) => (r.method ?? 'GET') === 'POST',
  METH_PUT: (r) => (r.method ?? 'GET') === 'PUT',
  METH_TRACE: (r) => (r.method ?? 'GET') === 'TRACE',
  LOCALHOST: (r) => (r.src === undefined ? undefined : r.src.startsWith('127.') || r.src === '::1'),
};

export interface EvaluationContext {
  request: HaproxyRequest;
  ssl: boolean;
  /** The ACLs declared in the proxy (and inherited from a named defaults section). */
  acls: readonly HaproxyAcl[];
  /** Reasons collected for every ACL that could not be evaluated. */
  undetermined: string[];
}

function evaluatePattern(pattern: HaproxyAclPattern, context: EvaluationContext, label: string): Tristate {
  const parsed = parseCriterion(pattern.criterion);
  const sample = fetchSample(parsed, context.request, context.ssl);
  const { result, reason } = matchPattern(pattern, sample, parsed.suffixMethod);
  if (result === undefined) context.undetermined.push(`${label}: cannot evaluate (${reason ?? 'unknown'})`);
  return result;
}

/** An ACL by name: the OR of every `acl` line with that name. */
export function evaluateAcl(name: string, context: EvaluationContext): Tristate {
  const lines = context.acls.filter((a) => a.name === name);
  if (lines.length === 0) {
    const predefined = PREDEFINED[name];
    if (predefined) return predefined(context.request, context.ssl);
    context.undetermined.push(`acl ${name}: not declared in this proxy`);
    return undefined;
  }
  let unknown = false;
  for (const acl of lines) {
    const result = evaluatePattern(acl, context, `${acl.file}:${acl.line} acl ${name}`);
    if (result === true) return true;
    if (result === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}

function evaluateTerm(term: HaproxyConditionTerm, context: EvaluationContext): Tristate {
  const value = 'acl' in term ? evaluateAcl(term.acl, context) : evaluatePattern(term.anonymous, context, term.text);
  return value === undefined ? undefined : term.negate ? !value : value;
}

/** AND of a group, stopping at the first false term as HAProxy does. */
function evaluateGroup(group: readonly HaproxyConditionTerm[], context: EvaluationContext): Tristate {
  let value: Tristate = true;
  for (const term of group) {
    const result = evaluateTerm(term, context);
    if (result === false) return false;
    if (result === undefined) value = undefined;
  }
  return value;
}

/** Whether a rule's condition holds; a rule without a condition always applies. */
export function evaluateCondition(condition: HaproxyCondition | undefined, context: EvaluationContext): Tristate {
  if (!condition) return true;
  let value: Tristate = false;
  for (const group of condition.groups) {
    const result = evaluateGroup(group, context);
    if (result === true) {
      value = true;
      break;
    }
    if (result === undefined) value = undefined;
  }
  if (value === undefined) return undefined;
  return condition.polarity === 'unless' ? !value : value;
}
