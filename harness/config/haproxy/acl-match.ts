/**
 * Matching a sample against an ACL's patterns (configuration.txt 7.1.x): `str` exact, `beg`,
 * `end`, `sub`, `reg` (regex), `dom` (whole dot/slash-delimited words), `dir` (whole
 * slash-delimited words), `len`, `found`, integers with ranges and operators, booleans and IPs
 * (CIDR). Any pattern matching means the ACL is true. Returns undefined when the outcome cannot
 * be known from the config and the request alone.
 */
import { BlockList, isIP } from 'node:net';
import type { HaproxyAclPattern } from './acl.ts';
import type { Sample } from './sample-fetch.ts';

export type Tristate = true | false | undefined;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function wordMatch(sample: string, pattern: string, delimiters: string): boolean {
  const d = `[${escapeRegExp(delimiters)}]`;
  return new RegExp(`(^|${d})${escapeRegExp(pattern)}($|${d})`).test(sample);
}

function stringMatch(method: string, sample: string, pattern: string, ignoreCase: boolean): boolean | undefined {
  const s = ignoreCase ? sample.toLowerCase() : sample;
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  switch (method) {
    case 'str':
      return s === p;
    case 'beg':
      return s.startsWith(p);
    case 'end':
      return s.endsWith(p);
    case 'sub':
      return s.includes(p);
    case 'dom':
      return wordMatch(s, p, '/?.:');
    case 'dir':
      return wordMatch(s, p, '/?');
    case 'reg':
      try {
        return new RegExp(pattern, ignoreCase ? 'i' : '').test(sample);
      } catch {
        return undefined;
      }
    default:
      return undefined;
  }
}

const INT_OPERATORS = new Set(['eq', 'ge', 'gt', 'le', 'lt']);

function intMatch(sample: number, values: readonly string[]): boolean | undefined {
  let operator = 'eq';
  let matched = false;
  for (const value of values) {
    if (INT_OPERATORS.has(value)) {
      operator = value;
      continue;
    }
    const range = /^(\d*):(\d*)$/.exec(value);
    if (range) {
      const low = range[1] === '' ? -Infinity : Number(range[1]);
      const high = range[2] === '' ? Infinity : Number(range[2]);
      matched ||= sample >= low && sample <= high;
      continue;
    }
    if (!/^-?\d+$/.test(value)) return undefined;
    const n = Number(value);
    matched ||= { eq: sample === n, ge: sample >= n, gt: sample > n, le: sample <= n, lt: sample < n }[operator] ?? false;
  }
  return matched;
}

function ipMatch(sample: string, values: readonly string[]): boolean {
  const family = isIP(sample) === 6 ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  for (const value of values) {
    const [address = '', bits] = value.split('/');
    const valueFamily = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(address) === 0) continue;
    if (bits !== undefined) list.addSubnet(address, Number(bits), valueFamily);
    else list.addAddress(address, valueFamily);
  }
  return list.check(sample, family);
}

/** Whether `sample` satisfies the ACL pattern; undefined when it cannot be told. */
export function matchPattern(pattern: HaproxyAclPattern, sample: Sample, suffixMethod: string | undefined): { result: Tristate; reason?: string } {
  if (pattern.files.length > 0) return { result: undefined, reason: `patterns are read from ${pattern.files.join(', ')}` };
  if (sample.type === 'unknown') return { result: undefined, reason: sample.reason };
  const method = pattern.matchMethod ?? suffixMethod ?? { str: 'str', int: 'int', bool: 'bool', ip: 'ip' }[sample.type];
  if (method === 'found') return { result: sample.type === 'str' ? sample.values.length > 0 : true };
  if (sample.type === 'bool') {
    // A boolean fetch without patterns is true when the sample is; with patterns it is read as an integer.
    if (pattern.values.length === 0) return { result: sample.value };
    return { result: intMatch(sample.value ? 1 : 0, pattern.values) ?? false };
  }
  if (sample.type === 'int') {
    const results = sample.values.map((v) => intMatch(v, pattern.values));
    return results.includes(undefined) ? { result: undefined, reason: 'integer pattern not understood' } : { result: results.some(Boolean) };
  }
  if (sample.type === 'ip') return { result: sample.value !== undefined && ipMatch(sample.value, pattern.values) };
  if (method === 'len') return { result: sample.values.some((v) => intMatch(v.length, pattern.values)) };
  let unknown = false;
  for (const value of sample.values) {
    for (const p of pattern.values) {
      const result = stringMatch(method ?? 'str', value, p, pattern.ignoreCase);
      if (result === true) return { result: true };
      if (result === undefined) unknown = true;
    }
  }
  return unknown ? { result: undefined, reason: `match method "${method}" or a pattern could not be evaluated` } : { result: false };
}
