/**
 * Reading HAProxy settings from a proxy's lines (its defaults chain's first, then its own): the
 * last line wins for single values, `no option` / `default option` switch options, unset
 * timeouts fall back as setting-tables.ts says.
 */
import type { HaproxyLine, SourceRef } from './parser.ts';
import { LEGACY_TIMEOUTS, OPTION_DEFAULTS, TIMEOUT_FALLBACKS, TIMEOUT_NAMES, type HaproxyTimeoutName } from './setting-tables.ts';
import { haproxyTimeMs } from './time-value.ts';

/** A config line and the section it is in, e.g. `defaults http` or `backend app1`. */
export interface HaproxyLineRef extends SourceRef {
  section: string;
}

export interface HaproxySetting<T> {
  value: T;
  source: HaproxyLineRef | 'default';
}

export interface HaproxyTimeout {
  name: HaproxyTimeoutName;
  /** The value written for this timeout, in ms; undefined when unset or not literal. */
  ms?: number;
  raw?: string;
  source: HaproxyLineRef | 'default';
  /** What actually applies: this timeout, else its fallbacks; null = no timeout (infinite). */
  appliedMs: number | null;
  /** The timeout whose value applies (itself or a fallback); undefined when none applies. */
  appliedFrom?: HaproxyTimeoutName;
}

export interface HaproxyOption {
  name: string;
  enabled: boolean;
  /** Words after the option name (`option httpchk GET /` → ['GET', '/']). */
  args: string[];
  source: HaproxyLineRef | 'default';
}

export interface HaproxyCompression {
  algorithms: string[];
  types: string[];
  offload: boolean;
  source?: HaproxyLineRef;
}

/** A line with the section it came from. */
export interface TaggedLine {
  line: HaproxyLine;
  ref: HaproxyLineRef;
}

export function timeoutsOf(lines: readonly TaggedLine[]): Record<HaproxyTimeoutName, HaproxyTimeout> {
  const written = new Map<HaproxyTimeoutName, { raw: string; ref: HaproxyLineRef }>();
  for (const { line, ref } of lines) {
    const name = line.keyword === 'timeout' ? line.args[0] : LEGACY_TIMEOUTS[line.keyword];
    const raw = line.keyword === 'timeout' ? line.args[1] : line.args[0];
    if (name && raw !== undefined && (TIMEOUT_NAMES as readonly string[]).includes(name)) written.set(name as HaproxyTimeoutName, { raw, ref });
  }
  const entries = TIMEOUT_NAMES.map((name): [HaproxyTimeoutName, HaproxyTimeout] => {
    const own = written.get(name);
    const timeout: HaproxyTimeout = { name, source: own?.ref ?? 'default', appliedMs: null };
    if (own) {
      timeout.raw = own.raw;
      const ms = haproxyTimeMs(own.raw);
      if (ms !== undefined) timeout.ms = ms;
    }
    for (const candidate of [name, ...TIMEOUT_FALLBACKS[name]]) {
      const value = written.get(candidate);
      const ms = value ? haproxyTimeMs(value.raw) : undefined;
      if (ms !== undefined) {
        timeout.appliedMs = ms;
        timeout.appliedFrom = candidate;
        break;
      }
    }
    return [name, timeout];
  });
  return Object.fromEntries(entries) as Record<HaproxyTimeoutName, HaproxyTimeout>;
}

export function optionsOf(lines: readonly TaggedLine[]): Record<string, HaproxyOption> {
  const options: Record<string, HaproxyOption> = Object.fromEntries(
    Object.entries(OPTION_DEFAULTS).map(([name, enabled]) => [name, { name, enabled, args: [], source: 'default' as const }]),
  );
  for (const { line, ref } of lines) {
    // `option x`, `no option x` (turn off what defaults turned on), `default option x` (built-in state).
    const prefix = line.keyword === 'no' || line.keyword === 'default' ? line.keyword : undefined;
    const words = prefix ? line.args : [line.keyword, ...line.args];
    if (words[0] !== 'option' || words[1] === undefined) continue;
    const name = words[1];
    if (prefix === 'default') {
      options[name] = { name, enabled: OPTION_DEFAULTS[name] ?? false, args: [], source: 'default' };
      continue;
    }
    options[name] = { name, enabled: prefix !== 'no', args: words.slice(2), source: ref };
    // The HTTP connection modes exclude each other: the last one written wins.
    const modes = ['http-keep-alive', 'http-server-close', 'httpclose'];
    if (prefix !== 'no' && modes.includes(name)) {
      for (const other of modes) if (other !== name && options[other]) options[other] = { ...options[other], enabled: false };
    }
  }
  return options;
}

export function lastSetting(lines: readonly TaggedLine[], keyword: string, fallback: string): HaproxySetting<string> {
  const last = lines.filter((t) => t.line.keyword === keyword && t.line.args.length > 0).at(-1);
  return last ? { value: last.line.args.join(' '), source: last.ref } : { value: fallback, source: 'default' };
}

export function compressionOf(lines: readonly TaggedLine[]): HaproxyCompression {
  const compression: HaproxyCompression = { algorithms: [], types: [], offload: false };
  for (const { line, ref } of lines) {
    if (line.keyword !== 'compression') continue;
    const [what, ...values] = line.args;
    // A later section's line replaces the defaults' value for the same sub-keyword.
    if (what === 'algo') compression.algorithms = values;
    else if (what === 'type') compression.types = values;
    else if (what === 'offload') compression.offload = true;
    compression.source = ref;
  }
  return compression;
}
