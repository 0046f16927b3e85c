/**
 * Which backend serves a request, in the order HAProxy processes a frontend
 * (configuration.txt 4): `tcp-request connection` then `tcp-request content` accept/reject
 * rules, `http-request` rules with a final action (deny, redirect, return, ...), then
 * `use_backend` rules in order (first true condition wins), then `default_backend`; a `listen`
 * section with none of them serves the request itself. A condition that cannot be evaluated is
 * treated as false and reported in `undetermined`, never guessed.
 */
import { evaluateCondition, type EvaluationContext } from './acl-eval.ts';
import { addressAccepts } from './address.ts';
import type { HaproxyBind } from './bind.ts';
import type { HaproxyProxy, HaproxyRule } from './proxy.ts';
import type { HaproxyRequest } from './request.ts';

/** http-request actions after which no backend is chosen. */
const FINAL_HTTP_ACTIONS = new Set(['deny', 'reject', 'tarpit', 'silent-drop', 'redirect', 'return', 'auth', 'use-service']);

export type HaproxyRouteOutcome =
  | { kind: 'backend'; name: string; backend?: HaproxyProxy; by: HaproxyRule | 'default_backend' | 'listen' }
  | { kind: 'rejected'; rule: HaproxyRule }
  | { kind: 'answered'; action: string; rule: HaproxyRule }
  | { kind: 'no-backend' }
  | { kind: 'no-frontend' };

export interface HaproxyRoute {
  frontend?: HaproxyProxy;
  bind?: HaproxyBind;
  /** TLS on the client side (the request's own flag, else the bind's `ssl`). */
  ssl: boolean;
  outcome: HaproxyRouteOutcome;
  /** Conditions that could not be evaluated (taken as false), so the outcome may differ. */
  undetermined: string[];
}

function frontendFor(proxies: readonly HaproxyProxy[], request: HaproxyRequest): { frontend: HaproxyProxy; bind: HaproxyBind } | undefined {
  const candidates = proxies
    .filter((p) => p.kind === 'frontend' || p.kind === 'listen')
    .flatMap((frontend) => frontend.binds.map((bind) => ({ frontend, bind })))
    .filter(({ bind }) => bind.addresses.some((a) => addressAccepts(a, request.port, request.address)));
  // An address-specific bind beats a wildcard one for a request to that address.
  return candidates.find(({ bind }) => bind.addresses.some((a) => !a.wildcard && a.host === request.address)) ?? candidates[0];
}

function matches(rule: HaproxyRule, context: EvaluationContext): boolean {
  const result = evaluateCondition(rule.condition, context);
  if (result === undefined) context.undetermined.push(`${rule.file}:${rule.line} ${rule.keyword} ${rule.action.join(' ')} ${rule.condition?.text ?? ''}: condition cannot be evaluated, taken as false`);
  return result === true;
}

function tcpOutcome(frontend: HaproxyProxy, stage: 'connection' | 'content', context: EvaluationContext): HaproxyRouteOutcome | undefined {
  for (const rule of frontend.tcpRequestRules.filter((r) => r.action[0] === stage)) {
    const action = rule.action[1];
    if (action !== 'accept' && action !== 'reject') continue;
    if (!matches(rule, context)) continue;
    // accept ends this stage's evaluation; reject closes the connection.
    return action === 'reject' ? { kind: 'rejected', rule } : undefined;
  }
  return undefined;
}

function httpOutcome(frontend: HaproxyProxy, context: EvaluationContext): HaproxyRouteOutcome | undefined {
  const rules = [...frontend.httpRequestRules, ...frontend.legacyRules];
  for (const rule of rules) {
    const action = rule.keyword === 'block' ? 'deny' : rule.keyword === 'redirect' ? 'redirect' : rule.action[0] ?? '';
    if (!FINAL_HTTP_ACTIONS.has(action) || !matches(rule, context)) continue;
    return action === 'deny' || action === 'reject' || action === 'tarpit' || action === 'silent-drop'
      ? { kind: 'rejected', rule }
      : { kind: 'answered', action, rule };
  }
  return undefined;
}

export function routeHaproxyRequest(proxies: readonly HaproxyProxy[], request: HaproxyRequest): HaproxyRoute {
  const found = frontendFor(proxies, request);
  if (!found) return { ssl: request.ssl ?? false, outcome: { kind: 'no-frontend' }, undetermined: [] };
  const { frontend, bind } = found;
  const ssl = request.ssl ?? bind.ssl;
  const context: EvaluationContext = { request, ssl, acls: frontend.acls, undetermined: [] };
  const route = (outcome: HaproxyRouteOutcome): HaproxyRoute => ({ frontend, bind, ssl, outcome, undetermined: context.undetermined });
  const backendNamed = (name: string) => proxies.find((p) => (p.kind === 'backend' || p.kind === 'listen') && p.name === name);

  const early = tcpOutcome(frontend, 'connection', context) ?? tcpOutcome(frontend, 'content', context);
  if (early) return route(early);
  if (frontend.mode.value === 'http') {
    const answered = httpOutcome(frontend, context);
    if (answered) return route(answered);
    const statsPrefix = frontend.statsUri?.action[1];
    if (frontend.statsUri && statsPrefix !== undefined && request.path.startsWith(statsPrefix)) {
      return route({ kind: 'answered', action: 'stats', rule: frontend.statsUri });
    }
  }
  for (const rule of frontend.useBackends) {
    const name = rule.action[0] ?? '';
    if (name.includes('%[')) {
      context.undetermined.push(`${rule.file}:${rule.line} use_backend ${name}: the backend name is computed at run time`);
      continue;
    }
    if (matches(rule, context)) return route({ kind: 'backend', name, backend: backendNamed(name), by: rule });
  }
  if (frontend.defaultBackend) {
    const name = frontend.defaultBackend.value;
    return route({ kind: 'backend', name, backend: backendNamed(name), by: 'default_backend' });
  }
  if (frontend.kind === 'listen') return route({ kind: 'backend', name: frontend.name, backend: frontend, by: 'listen' });
  return route({ kind: 'no-backend' });
}
