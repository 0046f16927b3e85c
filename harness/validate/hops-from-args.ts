/**
 * validate's command line: the hops, client side first, each `--upstream` with the file before it;
 * and the request under test (`--path`, `--host`).
 */
import { StreamproofError } from '../errors.ts';
import type { RequestChoice, UserHopSpec } from '../user-hops.ts';

/** One `--nginx`, `--haproxy` or `--upstream` of the command line, in order. */
export interface HopArg {
  option: 'nginx' | 'haproxy' | 'upstream';
  value: string;
}

function usage(problem: string, fix: string): StreamproofError {
  return new StreamproofError('STREAMPROOF_USAGE', problem, fix);
}

const CHAIN_EXAMPLE = 'e.g. streamproof validate --haproxy ./edge.cfg --upstream app-nginx:8080 --nginx ./site.conf --upstream llm-backend:8000';

/**
 * The hops, client side first, in command-line order; an `--upstream` belongs to the file just
 * before it. With one file, `--upstream` may stand anywhere, as it always could.
 */
export function hopsFromArgs(args: readonly HopArg[]): UserHopSpec[] {
  const hops: UserHopSpec[] = [];
  const before: string[] = [];
  for (const { option, value } of args) {
    if (option !== 'upstream') {
      hops.push({ kind: option, file: value });
      continue;
    }
    const last = hops.at(-1);
    if (!last) before.push(value);
    else if (last.upstream !== undefined) throw usage(`two --upstream after ${last.file} (${last.upstream}, ${value})`, `give each file one --upstream, right after it; ${CHAIN_EXAMPLE}`);
    else last.upstream = value;
  }
  if (hops.length === 0) throw usage('validate needs a config: --nginx <file> or --haproxy <file> (several, in order, for a chain)', 'e.g. streamproof validate --nginx ./site.conf --upstream llm-backend:8000');
  if (before.length > 0) {
    const only = hops[0]!;
    if (hops.length > 1 || before.length > 1 || only.upstream !== undefined) {
      throw usage(`--upstream ${before[0]} comes before any --nginx or --haproxy, so it belongs to no file of the chain`, `put each file's --upstream right after it; ${CHAIN_EXAMPLE}`);
    }
    only.upstream = before[0]!;
  }
  return hops;
}

/** `--path` and `--host` checked: a path nginx and HAProxy would route, a Host they would compare. */
export function requestFromArgs(args: { path?: string; host?: string }): RequestChoice {
  const problems: string[] = [];
  if (args.path !== undefined && !/^\/[\x21-\x7e]*$/.test(args.path)) problems.push(`--path must be an absolute request path with no spaces (e.g. /v1/chat/completions), got '${args.path}'`);
  if (args.host !== undefined && !/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(args.host)) {
    problems.push(`--host must be a host name or address as a Host header carries it (e.g. api.example.com), got '${args.host}'`);
  }
  if (problems.length > 0) throw usage(problems.join('; '), 'e.g. streamproof validate --nginx ./site.conf --path /api/chat --host chat.example.com');
  return { ...(args.path !== undefined ? { path: args.path } : {}), ...(args.host !== undefined ? { host: args.host } : {}) };
}
