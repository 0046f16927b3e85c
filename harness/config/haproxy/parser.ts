/**
 * haproxy.cfg → sections of lines. A line whose first word is a section keyword starts a new
 * section (global, defaults, frontend, backend, listen, and the others HAProxy knows, kept
 * opaque); every other line belongs to the current section. `.if`/`.elif`/`.else`/`.endif`
 * blocks (configuration.txt 2.4) are kept and their lines marked conditional: their predicates
 * depend on the HAProxy build and environment.
 */
import { tokenizeHaproxyLine, type TokenizeOptions } from './line-tokenizer.ts';
import { HaproxyConfigSyntaxError } from './syntax-error.ts';

/** Where a line was written: the user's file and its 1-based line. */
export interface SourceRef {
  file: string;
  line: number;
}

/** Proxy sections: the ones a request goes through. */
export type HaproxyProxyKind = 'frontend' | 'backend' | 'listen';

/** Every section keyword HAProxy 2.x/3.x knows; the ones not modelled here are kept opaque. */
export const SECTION_KEYWORDS = [
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'resolvers',
  'peers',
  'userlist',
  'mailers',
  'program',
  'http-errors',
  'ring',
  'log-forward',
  'cache',
  'fcgi-app',
  'crt-store',
  'traces',
  'acme',
] as const;

export type HaproxySectionKind = (typeof SECTION_KEYWORDS)[number];

export interface HaproxyLine extends SourceRef {
  /** The first word, e.g. `timeout`, `option`, `no`, `use_backend`. */
  keyword: string;
  /** The remaining words, quotes removed and escapes resolved. */
  args: string[];
  /** Inside a `.if` block: applies only if its predicate holds. */
  conditional?: true;
  /** Environment variables the line references (values unknown here). */
  envRefs?: string[];
}

export interface HaproxySection extends SourceRef {
  kind: HaproxySectionKind;
  /** Optional for `defaults`; absent for `global`. */
  name?: string;
  /** `from <defaults>`: the named defaults section this one takes its settings from. */
  from?: string;
  /** Further words on the section line (HAProxy 1.x: `frontend name 0.0.0.0:8888`). */
  extraArgs: string[];
  lines: HaproxyLine[];
}

const SECTION_SET = new Set<string>(SECTION_KEYWORDS);

export interface HaproxyParseResult {
  sections: HaproxySection[];
  /** Lines before any section, which HAProxy rejects. */
  orphans: HaproxyLine[];
}

function sectionFrom(keyword: HaproxySectionKind, args: string[], ref: SourceRef): HaproxySection {
  const section: HaproxySection = { ...ref, kind: keyword, extraArgs: [], lines: [] };
  const rest = [...args];
  if (keyword !== 'global' && rest.length > 0 && rest[0] !== 'from') section.name = rest.shift();
  if (rest[0] === 'from' && rest[1] !== undefined) {
    section.from = rest[1];
    rest.splice(0, 2);
  }
  section.extraArgs = rest;
  return section;
}

export function parseHaproxyConfig(text: string, file: string, options: TokenizeOptions = {}): HaproxyParseResult {
  const sections: HaproxySection[] = [];
  const orphans: HaproxyLine[] = [];
  let current: HaproxySection | undefined;
  let conditionalDepth = 0;
  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split('\n');
  for (const [index, raw] of lines.entries()) {
    const lineNumber = index + 1;
    const { words, envRefs } = tokenizeHaproxyLine(raw, file, lineNumber, options);
    const [keyword, ...args] = words;
    if (keyword === undefined) continue;
    if (keyword === '.if') conditionalDepth++;
    else if (keyword === '.endif') {
      if (conditionalDepth === 0) throw new HaproxyConfigSyntaxError(file, lineNumber, "'.endif' without matching '.if'");
      conditionalDepth--;
    }
    if (SECTION_SET.has(keyword)) {
      current = sectionFrom(keyword as HaproxySectionKind, args, { file, line: lineNumber });
      sections.push(current);
      continue;
    }
    const line: HaproxyLine = { file, line: lineNumber, keyword, args };
    if (conditionalDepth > 0 && !keyword.startsWith('.')) line.conditional = true;
    if (envRefs.length > 0) line.envRefs = envRefs;
    if (current) current.lines.push(line);
    else orphans.push(line);
  }
  if (conditionalDepth > 0) throw new HaproxyConfigSyntaxError(file, lines.length, "missing '.endif' for a '.if'");
  return { sections, orphans };
}
