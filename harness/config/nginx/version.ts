/** nginx versions as `major.minor.patch`, compared numerically. */

export type NginxVersion = readonly [number, number, number];

export function parseNginxVersion(text: string): NginxVersion {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim().replace(/^nginx\//, ''));
  if (!match) throw new Error(`not an nginx version: ${text}`);
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b`. */
export function compareNginxVersions(a: NginxVersion, b: NginxVersion): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function isAtLeast(version: string, minimum: string): boolean {
  return compareNginxVersions(parseNginxVersion(version), parseNginxVersion(minimum)) >= 0;
}
