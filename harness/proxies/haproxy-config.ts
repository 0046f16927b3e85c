/**
 * HAProxy profiles are complete haproxy.cfg files: proxies/haproxy/<name>.cfg, else
 * proxies/haproxy/emulation/<name>.cfg (managed-proxy emulations), or a path of the user's.
 * Conventions every profile follows:
 * - the frontend listens on `bind :8080`;
 * - the backend's server line is `server llm "${STREAMPROOF_UPSTREAM}"`: HAProxy expands
 *   environment variables inside double quotes, and the harness sets STREAMPROOF_UPSTREAM
 *   (host:port) in the container, so the file's logic is never edited;
 * - `*.lua` files beside the profile are copied to /etc/haproxy/ (load them with
 *   `lua-load /etc/haproxy/<file>.lua`); the container also gets STREAMPROOF_TIME_SCALE, which
 *   Lua deadline emulations read;
 * - an emulation may declare the timeout it models in a header line:
 *   `# streamproof-timeout: deadline 30s` or `# streamproof-timeout: idle 60s`.
 *
 * The harness only scales every `timeout <name> <value>` line by the time scale (0.1: 50000 →
 * 5000ms); at scale 1 the file is byte for byte what the profile says. Unlike nginx, HAProxy has
 * no finite built-in idle timeout (an unset `timeout client`/`server` is infinite, an unset
 * `timeout tunnel` falls back to them), so there is no default to state at a scale below 1.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StreamproofError } from '../errors.ts';
import { packageFile } from '../package-files.ts';

export const HAPROXY_PROFILE_DIR = packageFile('proxies', 'haproxy');
export const HAPROXY_EMULATION_DIR = join(HAPROXY_PROFILE_DIR, 'emulation');
export const HAPROXY_LISTEN_PORT = 8080;
export const HAPROXY_CONFIG_PATH = '/etc/haproxy/haproxy.cfg';
/** Environment variables the harness sets in the container. */
export const HAPROXY_UPSTREAM_ENV = 'STREAMPROOF_UPSTREAM';
export const HAPROXY_TIME_SCALE_ENV = 'STREAMPROOF_TIME_SCALE';

export interface HaproxyProfile {
  name: string;
  text: string;
  /** The profile file on this host. */
  file: string;
  /** Lua files of the profile's folder: file name → content, placed in /etc/haproxy/. */
  luaFiles: Record<string, string>;
}

function cfgNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cfg'))
    .map((f) => f.slice(0, -'.cfg'.length));
}

/** Built-in profile names: proxies/haproxy/*.cfg, then proxies/haproxy/emulation/*.cfg. */
export function haproxyProfiles(): string[] {
  return [...new Set([...cfgNames(HAPROXY_PROFILE_DIR), ...cfgNames(HAPROXY_EMULATION_DIR)])].sort();
}

function luaFilesOf(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.lua'))
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
}

/** A built-in profile name, or a path to a haproxy.cfg of the user's. */
export function loadHaproxyProfile(nameOrPath: string): HaproxyProfile {
  const isPath = nameOrPath.includes('/');
  const candidates = isPath
    ? [nameOrPath]
    : [join(HAPROXY_PROFILE_DIR, `${nameOrPath}.cfg`), join(HAPROXY_EMULATION_DIR, `${nameOrPath}.cfg`)];
  const file = candidates.find((candidate) => existsSync(candidate));
  if (!file) {
    throw new StreamproofError(
      'STREAMPROOF_UNKNOWN_PROFILE',
      `no haproxy profile '${nameOrPath}' (looked for ${candidates.join(', ')})`,
      `use one of: ${haproxyProfiles().join(', ')}; or give a path to your own haproxy.cfg`,
    );
  }
  const name = isPath ? basename(file).replace(/\.cfg$/, '') : nameOrPath;
  return { name, text: readFileSync(file, 'utf8'), file, luaFiles: luaFilesOf(dirname(file)) };
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** HAProxy time value → milliseconds (`50000` = ms, `500us`, `5s`, `1m`, `1h`, `1d`). */
export function haproxyTimeMs(value: string): number {
  const match = /^(\d+)(us|ms|s|m|h|d)?$/.exec(value);
  if (!match) throw new Error(`not an HAProxy time value: ${value}`);
  return Number(match[1]) * UNIT_MS[match[2] ?? 'ms']!;
}

/**
 * `timeout <name> <value>` at the start of a line (after indentation), not `stats timeout`; and
 * `http-response wait-for-body time <value>`, a hold on the response that is a timeout too
 * (the API Gateway REST emulation's 29 s).
 */
const TIMEOUT_LINE = /^([ \t]*(?:timeout[ \t]+[a-z-]+|http-response[ \t]+wait-for-body[ \t]+time)[ \t]+)(\d+(?:us|ms|s|m|h|d)?)(?=[ \t]|#|$)/gm;

/** Scale every timeout value; everything else (and the whole file at scale 1) stays byte for byte. */
export function scaleHaproxyTimeouts(text: string, timeScale: number): string {
  if (timeScale === 1) return text;
  return text.replace(TIMEOUT_LINE, (_, head: string, value: string) => `${head}${Math.max(1, Math.round(haproxyTimeMs(value) * timeScale))}ms`);
}

export interface RenderedHaproxyConfig {
  /** Files to place in the container, path → content. */
  files: Record<string, string>;
  /** Environment of the container. */
  environment: Record<string, string>;
}

export function renderHaproxyConfig(
  profile: Pick<HaproxyProfile, 'text' | 'luaFiles'>,
  upstream: { host: string; port: number },
  timeScale: number,
): RenderedHaproxyConfig {
  const files: Record<string, string> = { [HAPROXY_CONFIG_PATH]: scaleHaproxyTimeouts(profile.text, timeScale) };
  for (const [name, content] of Object.entries(profile.luaFiles)) files[`/etc/haproxy/${name}`] = content;
  return {
    files,
    environment: { [HAPROXY_UPSTREAM_ENV]: `${upstream.host}:${upstream.port}`, [HAPROXY_TIME_SCALE_ENV]: String(timeScale) },
  };
}

// ─── What the config says about idle streams ────────────────────────────────────────────────────

interface SectionTimeouts {
  kind: string;
  name: string;
  timeouts: Record<string, number>;
  defaultBackend?: string;
}

const SECTION = /^(global|defaults|frontend|backend|listen|peers|resolvers|userlist|mailers|program|http-errors|ring|cache|crt-store|traces|log-forward)\b[ \t]*(\S*)/;

/**
 * Timeouts of the proxy a request goes through: the first frontend (or listen) section, and the
 * backend it names with `default_backend` (else the first backend), each with the timeouts of the
 * `defaults` section before it (a new `defaults` section starts from nothing, as in HAProxy).
 */
export function effectiveTimeouts(cfg: string): { client: Record<string, number>; server: Record<string, number> } {
  const sections: SectionTimeouts[] = [];
  let defaults: Record<string, number> = {};
  let current: SectionTimeouts | undefined;
  for (const raw of cfg.split('\n')) {
    const line = raw.replace(/#.*$/, '');
    const section = SECTION.exec(line);
    if (section) {
      if (current?.kind === 'defaults') defaults = current.timeouts;
      const kind = section[1]!;
      current = { kind, name: section[2] ?? '', timeouts: kind === 'defaults' ? {} : { ...defaults } };
      sections.push(current);
      continue;
    }
    if (!current) continue;
    const timeout = /^\s+timeout\s+([a-z-]+)\s+(\d+(?:us|ms|s|m|h|d)?)\b/.exec(line);
    if (timeout) current.timeouts[timeout[1]!] = haproxyTimeMs(timeout[2]!);
    const backend = /^\s+(?:default_backend|use_backend)\s+(\S+)/.exec(line);
    if (backend && current.defaultBackend === undefined) current.defaultBackend = backend[1]!;
  }
  const front = sections.find((s) => s.kind === 'frontend' || s.kind === 'listen');
  const back =
    front?.kind === 'listen' ? front
    : sections.find((s) => s.kind === 'backend' && s.name === front?.defaultBackend) ?? sections.find((s) => s.kind === 'backend');
  return { client: front?.timeouts ?? {}, server: back?.timeouts ?? {} };
}

/**
 * The idle timeout that ends a silent streaming response, scaled; undefined when none applies.
 * Measured on 2.6.12, 3.0.11 and 3.2.26 (decisions/0010): once the response head is sent, the
 * backend's `timeout server` alone cuts a silent stream. `timeout client` does not (the client
 * has nothing to send and reads everything), nor does `timeout tunnel` (an SSE response is not a
 * tunnel).
 */
export function haproxyIdleTimeoutMs(cfg: string, timeScale: number): number | undefined {
  const server = effectiveTimeouts(cfg).server.server;
  return server === undefined ? undefined : Math.round(server * timeScale);
}

export interface HaproxyTimeoutModel {
  kind: 'idle' | 'deadline';
  /** Nominal milliseconds (unscaled). */
  ms: number;
}

/** The `# streamproof-timeout: deadline 30s` / `idle 60s` header of an emulation profile, if any. */
export function haproxyTimeoutModel(cfg: string): HaproxyTimeoutModel | undefined {
  const match = /^#\s*streamproof-timeout:\s*(idle|deadline)\s+(\d+(?:us|ms|s|m|h|d)?)\s*$/m.exec(cfg);
  if (!match) return undefined;
  return { kind: match[1] as 'idle' | 'deadline', ms: haproxyTimeMs(match[2]!) };
}
