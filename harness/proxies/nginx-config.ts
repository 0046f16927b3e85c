/**
 * nginx profiles are plain site files in proxies/nginx/ (a `server {}` that goes into conf.d beside
 * the image's stock nginx.conf). The harness never edits their logic; it only
 * - supplies the upstream (`upstream llm_upstream { server ...; }`) in a file of its own, and
 * - scales idle timeouts by the time scale (0.1: proxy_read_timeout 60s → 6000ms). At a scale
 *   below 1 it also states nginx's built-in 60 s defaults, scaled, at http level, because a
 *   default that is not written cannot be scaled. At scale 1 nothing is added: true defaults.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { StreamproofError } from '../errors.ts';
import { packageFile } from '../package-files.ts';

export const NGINX_PROFILE_DIR = `${packageFile('proxies', 'nginx')}/`;
export const UPSTREAM_NAME = 'llm_upstream';
export const NGINX_LISTEN_PORT = 8080;

/** Timeouts that govern an idle stream; proxy_connect_timeout is about connecting, not idling, so it stays. */
const SCALED_DIRECTIVES = ['proxy_read_timeout', 'proxy_send_timeout', 'send_timeout', 'client_body_timeout', 'keepalive_timeout'];

/** nginx's compiled-in defaults for the directives that end an idle SSE response. */
const NGINX_IDLE_DEFAULTS_S = { proxy_read_timeout: 60, proxy_send_timeout: 60, send_timeout: 60 } as const;

export function nginxProfiles(): string[] {
  return readdirSync(NGINX_PROFILE_DIR)
    .filter((f) => f.endsWith('.conf'))
    .map((f) => f.slice(0, -'.conf'.length))
    .sort();
}

/** A built-in profile name, or a path to a site file of the user's. */
export function loadNginxSite(profile: string): { name: string; text: string; file: string } {
  const file = profile.includes('/') ? profile : `${NGINX_PROFILE_DIR}${profile}.conf`;
  if (!existsSync(file)) {
    throw new StreamproofError(
      'STREAMPROOF_UNKNOWN_PROFILE',
      `no nginx profile '${profile}' (looked for ${file})`,
      `use one of: ${nginxProfiles().join(', ')}; or give a path to your own site file`,
    );
  }
  const name = profile.includes('/') ? profile.split('/').pop()!.replace(/\.conf$/, '') : profile;
  return { name, text: readFileSync(file, 'utf8'), file };
}

/** nginx time value → milliseconds (`6s`, `500ms`, `1m30s`, a bare number = seconds). */
export function nginxTimeMs(value: string): number {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  const pattern = /(\d+)(ms|s|m|h|d)/g;
  let consumed = 0;
  for (const match of value.matchAll(pattern)) {
    total += Number(match[1]) * units[match[2]!]!;
    consumed += match[0].length;
  }
  if (consumed !== value.length) throw new Error(`not an nginx time value: ${value}`);
  return total;
}

function scaleTime(value: string, timeScale: number): string {
  return `${Math.max(1, Math.round(nginxTimeMs(value) * timeScale))}ms`;
}

/** Scale every idle-timeout value in a site file; logic and everything else stay byte for byte. */
export function scaleNginxTimeouts(text: string, timeScale: number): string {
  if (timeScale === 1) return text;
  // At a line's start or after `{` / `;` on the same line (`location /v1/ { proxy_read_timeout 120s; }`).
  const pattern = new RegExp(`(^|[{;])(\\s*(?:${SCALED_DIRECTIVES.join('|')})\\s+)([0-9a-z]+)`, 'gm');
  return text.replace(pattern, (_, before: string, head: string, value: string) => `${before}${head}${scaleTime(value, timeScale)}`);
}

export interface RenderedNginxConfig {
  /** Files to place in the container, path → content. */
  files: Record<string, string>;
}

/** Where a whole nginx.conf goes, and the file of scaled defaults it is made to include. */
export const NGINX_MAIN_CONFIG_PATH = '/etc/nginx/nginx.conf';
export const NGINX_SITE_PATH = '/etc/nginx/conf.d/streamproof-site.conf';
const TIME_SCALE_INCLUDE = '/etc/nginx/streamproof-time-scale.conf';

/**
 * The idle directives a config already sets at http level (a site file's top level, or inside a
 * whole nginx.conf's `http {}`): stating a scaled default beside one would be a duplicate nginx
 * refuses, and the config's own value is scaled where it stands.
 */
function setAtHttpLevel(text: string, wholeConfig: boolean): Set<string> {
  // Directive names at one brace depth: a site's top level (0), or inside a whole config's http {} (1).
  // Quotes and comments are dropped first; nginx's own reader lives in harness/config, above this module.
  const code = text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""').replace(/#.*$/gm, '');
  const names = new Set<string>();
  let depth = 0;
  let inHttp = !wholeConfig;
  let atStatement = true;
  for (const token of code.matchAll(/[{};]|[^\s{};]+/g)) {
    const word = token[0];
    if (word === '{') depth++;
    else if (word === '}') {
      depth--;
      if (wholeConfig && depth === 0) inHttp = false;
    } else if (word !== ';' && atStatement) {
      if (wholeConfig && depth === 0 && word === 'http') inHttp = true;
      else if (inHttp && depth === (wholeConfig ? 1 : 0)) names.add(word);
    }
    atStatement = word === '{' || word === '}' || word === ';';
  }
  return names;
}

function scaledIdleDefaults(timeScale: number, alreadySet: ReadonlySet<string>): string {
  return (
    `# nginx's built-in idle defaults, scaled by the time scale ${timeScale} (absent at scale 1)\n` +
    Object.entries(NGINX_IDLE_DEFAULTS_S)
      .filter(([directive]) => !alreadySet.has(directive))
      .map(([directive, seconds]) => `${directive} ${scaleTime(`${seconds}s`, timeScale)};`)
      .join('\n') +
    '\n'
  );
}

/**
 * A site goes into conf.d beside the stock nginx.conf, with the profiles' upstream. A whole
 * nginx.conf replaces the stock one; the scaled defaults are included on its `http {` line, so
 * every line keeps its number for nginx's messages. Included files are placed where nginx opens them.
 */
export function renderNginxConfig(
  site: string,
  upstream: { host: string; port: number },
  timeScale: number,
  layout: { wholeConfig: boolean; includes: Readonly<Record<string, string>> } = { wholeConfig: false, includes: {} },
): RenderedNginxConfig {
  const files: Record<string, string> = Object.fromEntries(Object.entries(layout.includes).map(([path, text]) => [path, scaleNginxTimeouts(text, timeScale)]));
  if (layout.wholeConfig) {
    const scaled = scaleNginxTimeouts(site, timeScale);
    files[NGINX_MAIN_CONFIG_PATH] = timeScale === 1 ? scaled : scaled.replace(/^(\s*http\s*\{)/m, `$1 include ${TIME_SCALE_INCLUDE};`);
    if (timeScale !== 1) files[TIME_SCALE_INCLUDE] = scaledIdleDefaults(timeScale, setAtHttpLevel(site, true));
    return { files };
  }
  files['/etc/nginx/conf.d/00-streamproof-upstream.conf'] = `upstream ${UPSTREAM_NAME} {\n    server ${upstream.host}:${upstream.port};\n}\n`;
  files[NGINX_SITE_PATH] = scaleNginxTimeouts(site, timeScale);
  if (timeScale !== 1) files['/etc/nginx/conf.d/00-streamproof-time-scale.conf'] = scaledIdleDefaults(timeScale, setAtHttpLevel(site, false));
  return { files };
}

/** The idle timeout an nginx site puts on an upstream response (proxy_read_timeout, else its 60 s default), scaled. */
export function nginxIdleTimeoutMs(site: string, timeScale: number): number {
  const value = /^\s*proxy_read_timeout\s+([0-9a-z]+)/m.exec(site)?.[1] ?? '60s';
  return Math.round(nginxTimeMs(value) * timeScale);
}
