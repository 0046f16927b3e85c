/**
 * The sample fetches ACLs commonly route on, computed from a request (configuration.txt 7.3):
 * path, url, base, query, hdr()/req.hdr()/req.fhdr(), hdr_cnt(), method, ssl_fc, ssl_fc_sni /
 * req.ssl_sni, dst_port, src, req.ver. Any other fetch is "cannot evaluate".
 */
import type { HaproxyRequest } from './request.ts';

export type Sample =
  | { type: 'str'; values: string[] }
  | { type: 'int'; values: number[] }
  | { type: 'bool'; value: boolean }
  | { type: 'ip'; value?: string }
  | { type: 'unknown'; reason: string };

/** `hdr_beg(host)` → fetch `hdr`, argument `host`, match suffix `beg`. */
export interface ParsedCriterion {
  fetch: string;
  arg?: string;
  /** The match method implied by a suffix (`path_beg` → beg), if any. */
  suffixMethod?: string;
}

const SUFFIXES = ['beg', 'end', 'sub', 'reg', 'dom', 'dir', 'len', 'str', 'found', 'cnt', 'val', 'ip'];
/** Fetches that exist as is with an underscore in their name. */
const BASE_FETCHES = new Set(['ssl_fc', 'ssl_fc_sni', 'dst_port', 'src_port', 'req_ver', 'http_first_req', 'ssl_fc_alpn']);

export function parseCriterion(criterion: string): ParsedCriterion {
  const match = /^([^()]+)(?:\((.*)\))?$/.exec(criterion);
  const name = match?.[1] ?? criterion;
  const arg = match?.[2]?.split(',')[0]?.trim();
  if (BASE_FETCHES.has(name)) return { fetch: name, arg };
  const underscore = name.lastIndexOf('_');
  const suffix = underscore > 0 ? name.slice(underscore + 1) : '';
  if (SUFFIXES.includes(suffix)) {
    const fetch = name.slice(0, underscore);
    if (suffix === 'cnt' || suffix === 'val') return { fetch: `${fetch}_${suffix}`, arg };
    return { fetch, arg, suffixMethod: suffix };
  }
  return { fetch: name, arg };
}

function headerValues(request: HaproxyRequest, name: string): string[] {
  const lower = name.toLowerCase();
  if (lower === 'host') return request.host === undefined ? [] : [request.host];
  const entry = Object.entries(request.headers ?? {}).find(([key]) => key.toLowerCase() === lower);
  if (!entry) return [];
  // hdr() splits on commas; fhdr() does not (the caller decides by fetch name).
  return [entry[1]];
}

function pathOf(request: HaproxyRequest): string {
  return request.path.split('?', 1)[0] ?? '';
}

export function fetchSample(parsed: ParsedCriterion, request: HaproxyRequest, ssl: boolean): Sample {
  const { fetch, arg } = parsed;
  switch (fetch) {
    case 'path':
      return { type: 'str', values: [pathOf(request)] };
    case 'url':
      return { type: 'str', values: [request.path] };
    case 'query': {
      const q = request.path.indexOf('?');
      return { type: 'str', values: q < 0 ? [] : [request.path.slice(q + 1)] };
    }
    case 'base':
      return { type: 'str', values: request.host === undefined ? [pathOf(request)] : [request.host + pathOf(request)] };
    case 'hdr':
    case 'req.hdr':
      if (!arg) return { type: 'unknown', reason: `${fetch}() without a header name` };
      return { type: 'str', values: headerValues(request, arg).flatMap((v) => v.split(',').map((s) => s.trim())) };
    case 'req.fhdr':
      if (!arg) return { type: 'unknown', reason: 'req.fhdr() without a header name' };
      return { type: 'str', values: headerValues(request, arg) };
    case 'hdr_cnt':
    case 'req.hdr_cnt':
      return { type: 'int', values: [arg ? headerValues(request, arg).length : 0] };
    case 'method':
      return { type: 'str', values: [request.method ?? 'GET'] };
    case 'ssl_fc':
      return { type: 'bool', value: ssl };
    case 'ssl_fc_sni':
    case 'req.ssl_sni':
      return { type: 'str', values: ssl && request.host !== undefined ? [request.host.replace(/:\d+$/, '')] : [] };
    case 'dst_port':
      return { type: 'int', values: [request.port] };
    case 'src':
      return request.src === undefined ? { type: 'unknown', reason: 'the client address (src) is not known' } : { type: 'ip', value: request.src };
    case 'req.ver':
    case 'req_ver':
      return { type: 'str', values: [request.httpVersion ?? '1.1'] };
    default:
      return { type: 'unknown', reason: `sample fetch "${fetch}" is not evaluated` };
  }
}
