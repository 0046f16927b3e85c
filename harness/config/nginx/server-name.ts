/**
 * `server_name` entries and how nginx matches a Host against them (ngx_http_find_virtual_server):
 * exact names first, then the longest leading wildcard (`*.example.com`), then the longest
 * trailing wildcard (`www.example.*`), then regexes (`~...`) in the order they appear.
 * `.example.com` is shorthand for both `example.com` and `*.example.com`.
 */
import type { SourceRef } from './ast.ts';
import { compilePcre } from './pcre.ts';

export type ServerNameKind = 'exact' | 'wildcard-head' | 'wildcard-tail' | 'regex';

export interface NginxServerName extends SourceRef {
  /** As written, e.g. `*.example.com`, `~^api\.`, `_`, `""`. */
  raw: string;
  kind: ServerNameKind;
  /** Lowercased name without wildcard parts: `example.com` for both `*.example.com` and `.example.com`. */
  name: string;
  regex?: RegExp;
  regexError?: string;
  /** `.example.com`: also matches `example.com` exactly. */
  alsoExact?: boolean;
}

export function parseServerName(raw: string, ref: SourceRef): NginxServerName {
  const base = { file: ref.file, line: ref.line, raw };
  if (raw.startsWith('~')) {
    const compiled = compilePcre(raw.slice(1), true);
    return { ...base, kind: 'regex', name: raw, regex: compiled.regex, regexError: compiled.error };
  }
  const lower = raw.toLowerCase();
  if (lower.startsWith('*.')) return { ...base, kind: 'wildcard-head', name: lower.slice(2) };
  if (lower.startsWith('.')) return { ...base, kind: 'wildcard-head', name: lower.slice(1), alsoExact: true };
  if (lower.endsWith('.*')) return { ...base, kind: 'wildcard-tail', name: lower.slice(0, -2) };
  return { ...base, kind: 'exact', name: lower };
}

/** The Host header as nginx compares it: lowercase, no port, no trailing dot. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) h = h.slice(0, h.indexOf(']') + 1);
  else if (h.includes(':')) h = h.slice(0, h.lastIndexOf(':'));
  return h.replace(/\.$/, '');
}

/** How well `name` matches `host`: 0 = no match; for wildcards, longer names rank higher. */
export function serverNameMatch(name: NginxServerName, host: string): { kind: ServerNameKind; length: number } | undefined {
  switch (name.kind) {
    case 'exact':
      return host === name.name ? { kind: 'exact', length: name.name.length } : undefined;
    case 'wildcard-head':
      if (name.alsoExact && host === name.name) return { kind: 'exact', length: name.name.length };
      return host.endsWith(`.${name.name}`) ? { kind: 'wildcard-head', length: name.name.length } : undefined;
    case 'wildcard-tail':
      return host.startsWith(`${name.name}.`) ? { kind: 'wildcard-tail', length: name.name.length } : undefined;
    case 'regex':
      return name.regex?.test(host) ? { kind: 'regex', length: 0 } : undefined;
  }
}
