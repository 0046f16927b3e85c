/**
 * Run-wide settings, read once from the environment (the CLI sets these variables for vitest
 * workers, so the CLI, `npm test` and a worker all agree). Validated up front: all problems at once.
 */
import { z } from 'zod';
import { StreamproofError } from './errors.ts';

export const PROXY_VERSIONS = ['bookworm', 'trixie', 'sid'] as const;
export type ProxyVersion = (typeof PROXY_VERSIONS)[number];

/** The kinds whose image a team may name (--image kind=image). */
export const PINNABLE_KINDS = ['nginx', 'haproxy', 'toxiproxy'] as const;
export type PinnableKind = (typeof PINNABLE_KINDS)[number];

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
  /** The Debian mirror local image builds (debootstrap) download from. */
  debianMirror: z.url({ protocol: /^https?$/ }).default('http://deb.debian.org/debian'),
  /** How long an install waits for a package manager lock another process holds, in seconds. */
  packageLockWaitSeconds: z.coerce.number().nonnegative().default(300),
  /**
   * Images a team runs instead of the matrix's (`nginx=nginx:1.27.3-alpine,haproxy=haproxy:3.0`):
   * a kind given one runs that image alone, whatever the versions of the run.
   */
  proxyImages: z
    .string()
    .default('')
    .transform((s, context) => {
      const pins: Partial<Record<PinnableKind, string>> = {};
      for (const entry of s.split(',').map((e) => e.trim()).filter(Boolean)) {
        const match = /^(nginx|haproxy|toxiproxy)=(\S+)$/.exec(entry);
        if (!match) context.addIssue({ code: 'custom', message: `'${entry}' is not kind=image (kinds: ${PINNABLE_KINDS.join(', ')})` });
        else pins[match[1] as PinnableKind] = match[2]!;
      }
      return pins;
    }),
});
export type Settings = z.infer<typeof Settings>;

export const SETTINGS_ENV = {
  timeScale: 'STREAMPROOF_TIME_SCALE',
  versions: 'STREAMPROOF_VERSIONS',
  imageSource: 'STREAMPROOF_IMAGE_SOURCE',
  reportDir: 'STREAMPROOF_REPORT_DIR',
  debianMirror: 'STREAMPROOF_DEBIAN_MIRROR',
  packageLockWaitSeconds: 'STREAMPROOF_PACKAGE_LOCK_WAIT',
  proxyImages: 'STREAMPROOF_PROXY_IMAGES',
} as const satisfies Record<keyof Settings, string>;

/** What each variable takes, for the "To fix:" line of the variables that were wrong. */
const SETTINGS_HELP: Record<keyof Settings, string> = {
  timeScale: 'a number in (0, 1]',
  versions: `a comma list of ${PROXY_VERSIONS.join(', ')}`,
  imageSource: 'one of auto, public, local',
  reportDir: 'a directory path',
  debianMirror: 'an http(s) URL of a Debian mirror, e.g. http://deb.debian.org/debian',
  packageLockWaitSeconds: 'a number of seconds, 0 or more',
  proxyImages: 'a comma list of kind=image, e.g. nginx=nginx:1.27.3-alpine',
};

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const raw = Object.fromEntries(
    Object.entries(SETTINGS_ENV).map(([key, name]) => [key, env[name] === '' ? undefined : env[name]]),
  );
  const parsed = Settings.safeParse(raw);
  if (parsed.success) return parsed.data;
  const keys = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0]) as keyof Settings))];
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0]) as keyof Settings;
    return `  ${SETTINGS_ENV[key] ?? key}: ${issue.message}`;
  });
  throw new StreamproofError(
    'STREAMPROOF_BAD_OPTIONS',
    `bad settings:\n${problems.join('\n')}`,
    keys.map((key) => `${SETTINGS_ENV[key]} is ${SETTINGS_HELP[key]}`).join('; '),
  );
}

/** Nominal seconds → real milliseconds at this time scale. */
export function scaledMs(nominalSeconds: number, timeScale: number): number {
  return Math.round(nominalSeconds * 1000 * timeScale);
}
