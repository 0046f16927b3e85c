/**
 * Where nginx allows the directives whose misplacement changes what this reader would report
 * (an `upstream` pulled into a server by an include, a `location` at http level). nginx refuses
 * such a file with `"upstream" directive is not allowed here`; the reader reports it and goes on.
 */
import type { NginxDirective } from './ast.ts';

export type NginxContext = 'main' | 'http' | 'server' | 'location' | 'upstream' | 'if' | 'other';

const ALLOWED: Readonly<Record<string, readonly NginxContext[]>> = {
  http: ['main'],
  events: ['main'],
  upstream: ['http'],
  map: ['http'],
  log_format: ['http'],
  proxy_cache_path: ['http'],
  limit_req_zone: ['http'],
  limit_conn_zone: ['http'],
  server: ['http', 'upstream'],
  location: ['server', 'location'],
  listen: ['server'],
  server_name: ['server'],
  proxy_pass: ['location', 'if'],
};

/** The context a block directive opens for its children. */
function contextOpenedBy(name: string): NginxContext {
  return name === 'http' || name === 'server' || name === 'location' || name === 'upstream' || name === 'if' ? name : 'other';
}

export interface NginxPlacementProblem {
  file: string;
  line: number;
  message: string;
}

/** Directives placed where nginx refuses them, starting from `context` for the top level. */
export function checkPlacement(directives: readonly NginxDirective[], context: NginxContext): NginxPlacementProblem[] {
  const problems: NginxPlacementProblem[] = [];
  for (const directive of directives) {
    const allowed = ALLOWED[directive.name];
    if (allowed && context !== 'other' && !allowed.includes(context)) {
      problems.push({ file: directive.file, line: directive.line, message: `"${directive.name}" directive is not allowed here (inside ${context})` });
    }
    if (directive.block) problems.push(...checkPlacement(directive.block, contextOpenedBy(directive.name)));
  }
  return problems;
}
