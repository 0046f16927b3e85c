/**
 * What went wrong when a host tool (apt-get, debootstrap, docker import) failed, read from its own
 * output: the known causes, most specific first, each with its own fix. The error always quotes the
 * tool's last lines, so an unknown cause is still shown as the tool said it.
 */
import { StreamproofError, type ErrorCode } from '../errors.ts';

export interface FailureCause {
  code: ErrorCode;
  /** Matched against the tool's whole output. */
  pattern: RegExp;
  /** What the cause is, in a few words. */
  cause: string;
  fix: string;
}

/** Ordered: the first matching rule names the cause. */
export const FAILURE_CAUSES: readonly FailureCause[] = [
  {
    code: 'STREAMPROOF_NEEDS_ROOT',
    pattern: /are you root\?|Could not open lock file .* Permission denied|debootstrap can only run as root|Operation not permitted.*chroot/i,
    cause: 'this needs root',
    fix: 'run it as root (sudo), or install the package yourself and run streamproof again',
  },
  {
    code: 'STREAMPROOF_PACKAGE_LOCKED',
    pattern: /Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock (the )?(administration )?directory/i,
    cause: 'another process holds the package manager lock',
    fix: 'wait for the other package manager run (unattended-upgrades, another apt-get or streamproof) to end, or raise STREAMPROOF_PACKAGE_LOCK_WAIT (seconds)',
  },
  {
    code: 'STREAMPROOF_DISK_FULL',
    pattern: /No space left on device|You don't have enough free space|not enough free space/i,
    cause: 'the disk is full',
    fix: 'free disk space (docker system prune removes unused images), or point TMPDIR at a larger disk',
  },
  {
    code: 'STREAMPROOF_MIRROR_UNREACHABLE',
    pattern:
      /Temporary failure resolving|Could not resolve|Could not connect to|Connection (refused|failed|timed out)|Network is unreachable|Failed to fetch|Failed getting release file|Couldn't download|Unable to fetch some archives|Some index files failed to download/i,
    cause: 'the Debian mirror cannot be reached',
    fix: 'let this machine reach the Debian mirror (deb.debian.org, or set STREAMPROOF_DEBIAN_MIRROR to one it reaches), or let a registry answer so images are pulled instead of built',
  },
  {
    code: 'STREAMPROOF_PACKAGE_INSTALL',
    pattern: /dpkg was interrupted/i,
    cause: 'an earlier dpkg run was interrupted',
    fix: "run 'dpkg --configure -a' as root, then run streamproof again",
  },
  {
    code: 'STREAMPROOF_PACKAGE_INSTALL',
    pattern: /Unable to locate package|has no installation candidate|is not available, but is referred to/i,
    cause: 'the package is not in the package lists',
    fix: 'check /etc/apt/sources.list(.d) names a Debian suite that has the package, then run apt-get update',
  },
];

/** The last lines of a tool's output, for quoting. */
export function tail(output: string, lines = 12): string {
  return output.trim().split('\n').slice(-lines).join('\n');
}

/**
 * The error for a failed tool: the cause the output shows (or `fallback`), and the output's own
 * last lines, quoted.
 */
export function failureOf(
  what: string,
  output: string,
  fallback: { code: ErrorCode; fix: string },
  causes: readonly FailureCause[] = FAILURE_CAUSES,
): StreamproofError {
  const known = causes.find((rule) => rule.pattern.test(output));
  const quoted = tail(output).replace(/^/gm, '  ');
  return new StreamproofError(
    known?.code ?? fallback.code,
    `${what} failed${known ? ` (${known.cause})` : ''}:\n${quoted || '  (no output)'}`,
    known?.fix ?? fallback.fix,
  );
}
