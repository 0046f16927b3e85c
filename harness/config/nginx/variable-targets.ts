/**
 * A proxy_pass with variables (`set $api backend:8080; proxy_pass http://$api;`) makes nginx
 * resolve the host at request time. A name that is not an upstream block then needs a
 * `resolver`; without one nginx answers 502 ("no resolver defined to resolve ..."). This
 * substitutes the `set` values in scope to find the names such a target can reach.
 */
import type { NginxDirective, SourceRef } from './ast.ts';
import { resolveDirective, type NginxLevel } from './inheritance.ts';
import { parseProxyTarget, type NginxProxyTarget } from './proxy-pass.ts';
import type { NginxUpstream } from './upstreams.ts';

export interface NginxVariableTarget {
  /** The target with every known variable substituted; undefined when some stay unknown. */
  resolved?: NginxProxyTarget;
  /** Variables no `set` in scope gives a literal value (request variables, map results, ...). */
  unknownVariables: string[];
  /** The `resolver` in effect, if any. */
  resolver?: SourceRef;
  /** The resolved host is a DNS name outside any upstream block and no resolver is in effect. */
  needsResolver: boolean;
}

/** `set $name value` assignments in scope, inner levels overriding outer ones. */
function setValues(levels: readonly NginxLevel[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const level of levels) {
    for (const d of level.directives) {
      const [variable, value] = d.args;
      if (d.name === 'set' && variable?.startsWith('$') && value !== undefined) values.set(variable.slice(1), value);
    }
  }
  return values;
}

export function resolveVariableTarget(directive: NginxDirective, levels: readonly NginxLevel[], upstreams: readonly NginxUpstream[]): NginxVariableTarget {
  const values = setValues(levels);
  const unknownVariables: string[] = [];
  const raw = (directive.args[0] ?? '').replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => {
    const value = values.get(name);
    if (value === undefined || value.includes('$')) {
      unknownVariables.push(name);
      return whole;
    }
    return value;
  });
  const resolverDirective = resolveDirective(levels, 'resolver').directives[0];
  const result: NginxVariableTarget = { unknownVariables, needsResolver: false };
  if (resolverDirective) result.resolver = { file: resolverDirective.file, line: resolverDirective.line };
  if (unknownVariables.length === 0) {
    const resolved = parseProxyTarget(raw, directive, upstreams);
    result.resolved = resolved;
    result.needsResolver = !resolverDirective && !resolved.upstream && resolved.hostClass === 'name' && resolved.host.toLowerCase() !== 'localhost';
  }
  return result;
}
