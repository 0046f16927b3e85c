/**
 * Run-wide settings, read once from the environment (the CLI sets these variables for vitest
 * workers, so the CLI, `npm test` and a worker all agree). Validated up front: all problems at once.
 */
import { z } from 'zod';
import { StreamproofError } from './errors.ts';

export const PROXY_VERSIONS = ['bookworm', 'trixie', 'sid'] as const;
export type ProxyVersion = (typeof PROXY_VERSIONS)[number];

const Settings = z.object({
  /** Multiplies long waits: tool pauses, heartbeat intervals, proxy idle timeouts. Not token intervals or delay thresholds. */
  timeScale: z.coerce.number().positive().max(1).default(0.1),
  /** Proxy versions of the matrix (Debian suites name them; official image tags where pullable). */
  versions: z
    .string()
    .default('bookworm,sid')
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(PROXY_VERSIONS)).min(1)),
  /** Where images come from: public registry, local Debian build, or public with local fallback. */
  imageSource: z.enum(['auto', 'public', 'local']).default('auto'),
  /** Where results.json and other reports go. */
  reportDir: z.string().default('reports/latest'),
});
export type Settings = z.infer<typeof Settings>;

export const SETTINGS_ENV = {
  timeScale: 'STREAMPROOF_TIME_SCALE',
  versions: 'STREAMPROOF_VERSIONS',
  imageSource: 'STREAMPROOF_IMAGE_SOURCE',
  reportDir: 'STREAMPROOF_REPORT_DIR',
} as const satisfies Record<keyof Settings, string>;

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const raw = Object.fromEntries(
    Object.entries(SETTINGS_ENV).map(([key, name]) => [key, env[name] === '' ? undefined : env[name]]),
  );
  const parsed = Settings.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0]) as keyof Settings;
    return `  ${SETTINGS_ENV[key] ?? key}: ${issue.message}`;
  });
  throw new StreamproofError(
    'STREAMPROOF_BAD_OPTIONS',
    `bad settings:\n${problems.join('\n')}`,
    `STREAMPROOF_TIME_SCALE is a number in (0, 1]; STREAMPROOF_VERSIONS a comma list of ${PROXY_VERSIONS.join(', ')}; STREAMPROOF_IMAGE_SOURCE one of auto, public, local`,
  );
}

/** Nominal seconds → real milliseconds at this time scale. */
export function scaledMs(nominalSeconds: number, timeScale: number): number {
  return Math.round(nominalSeconds * 1000 * timeScale);
}
