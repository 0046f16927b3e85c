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
  const pattern = new RegExp(`^(\\s*(?:${SCALED_DIRECTIVES.join('|')})\\s+)([0-9a-z]+)`, 'gm');
  return text.replace(pattern, (_, head: string, value: string) => `${head}${scaleTime(value, timeScale)}`);
}

export interface RenderedNginxConfig {
  /** Files to place in the container, path → content. */
  files: Record<string, string>;
}

export function renderNginxConfig(site: string, upstream: { host: string; port: number }, timeScale: number): RenderedNginxConfig {
  const files: Record<string, string> = {
    '/etc/nginx/conf.d/00-streamproof-upstream.conf': `upstream ${UPSTREAM_NAME} {\n    server ${upstream.host}:${upstream.port};\n}\n`,
    '/etc/nginx/conf.d/streamproof-site.conf': scaleNginxTimeouts(site, timeScale),
  };
  if (timeScale !== 1) {
    files['/etc/nginx/conf.d/00-streamproof-time-scale.conf'] =
      `# nginx's built-in idle defaults, scaled by the time scale ${timeScale} (absent at scale 1)\n` +
      Object.entries(NGINX_IDLE_DEFAULTS_S)
        .map(([directive, seconds]) => `${directive} ${scaleTime(`${seconds}s`, timeScale)};`)
        .join('\n') +
      '\n';
  }
  return { files };
}

/** The idle timeout an nginx site puts on an upstream response (proxy_read_timeout, else its 60 s default), scaled. */
export function nginxIdleTimeoutMs(site: string, timeScale: number): number {
  const value = /^\s*proxy_read_timeout\s+([0-9a-z]+)/m.exec(site)?.[1] ?? '60s';
  return Math.round(nginxTimeMs(value) * timeScale);
}
