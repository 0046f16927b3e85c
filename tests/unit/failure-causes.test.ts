/**
 * The known causes of a failed host tool, read from output recorded from the real tools on this
 * project's CI machine (apt-get 2.6 and debootstrap 1.0.128 of Debian bookworm).
 */
import { describe, expect, test } from 'vitest';
import { failureOf } from '../../harness/host/failure-causes.ts';

const fallback = { code: 'STREAMPROOF_PACKAGE_INSTALL', fix: 'the fallback fix' } as const;

/** Recorded: each the real tool's output for that cause. */
const RECORDED = {
  lock: [
    'E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 8030 (python3)',
    'E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?',
  ].join('\n'),
  refused: [
    'Err:1 http://127.0.0.1:9/debian bookworm InRelease',
    '  Could not connect to 127.0.0.1:9 (127.0.0.1). - connect (111: Connection refused)',
    'Reading package lists...',
    'W: Failed to fetch http://127.0.0.1:9/debian/dists/bookworm/InRelease  Could not connect to 127.0.0.1:9 (127.0.0.1). - connect (111: Connection refused)',
    'W: Some index files failed to download. They have been ignored, or old ones used instead.',
    'E: Unable to locate package debootstrap',
  ].join('\n'),
  unresolved: [
    'Err:1 http://no-such-host.invalid/debian bookworm InRelease',
    "  Could not resolve 'no-such-host.invalid'",
    "W: Failed to fetch http://no-such-host.invalid/debian/dists/bookworm/InRelease  Could not resolve 'no-such-host.invalid'",
  ].join('\n'),
  releaseFile: ['I: Retrieving InRelease ', 'I: Retrieving Release ', 'E: Failed getting release file http://127.0.0.1:9/debian/dists/bookworm/Release'].join('\n'),
  // apt-get download into a full 1 MB tmpfs: "Failed to fetch" too, yet the cause is the disk.
  diskFull: [
    'Err:1 http://deb.debian.org/debian-security bookworm-security/main amd64 chromium-common amd64 156.0.8078.114-1~deb12u1',
    '  Error writing to file - write (28: No space left on device) [IP: 203.0.113.80 80]',
    'E: Failed to fetch http://deb.debian.org/debian-security/pool/updates/main/c/chromium/chromium-common_156.0.8078.114-1%7edeb12u1_amd64.deb  Error writing to file - write (28: No space left on device) [IP: 203.0.113.80 80]',
  ].join('\n'),
  unknownPackage: 'Reading package lists...\nBuilding dependency tree...\nReading state information...\nE: Unable to locate package no-such-package',
  // As uid 65534.
  notRoot: 'E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?',
};

describe('failureOf: the cause from the tool output, the output quoted', () => {
  test.each([
    ['lock', 'STREAMPROOF_PACKAGE_LOCKED', /STREAMPROOF_PACKAGE_LOCK_WAIT/],
    ['refused', 'STREAMPROOF_MIRROR_UNREACHABLE', /STREAMPROOF_DEBIAN_MIRROR/],
    ['unresolved', 'STREAMPROOF_MIRROR_UNREACHABLE', /reach the Debian mirror/],
    ['releaseFile', 'STREAMPROOF_MIRROR_UNREACHABLE', /reach the Debian mirror/],
    ['diskFull', 'STREAMPROOF_DISK_FULL', /free disk space/],
    ['unknownPackage', 'STREAMPROOF_PACKAGE_INSTALL', /sources\.list/],
  ] as const)('%s → %s', (name, code, fix) => {
    const error = failureOf('apt-get install debootstrap', RECORDED[name], fallback);
    expect(error.code).toBe(code);
    expect(error.fix).toMatch(fix);
    // The tool's own last line is quoted, indented, whatever the cause.
    expect(error.problem).toContain(`  ${RECORDED[name].trim().split('\n').at(-1)}`);
  });

  test('a lock needing root is "not root", not a lock held by someone (the order of the causes matters)', () => {
    // apt says both "Unable to acquire the dpkg frontend lock" and "are you root?"
    const error = failureOf('apt-get install x', RECORDED.notRoot, fallback);
    expect(error.code).toBe('STREAMPROOF_NEEDS_ROOT');
  });

  test('an unknown cause keeps the fallback code and fix, and still quotes the tool', () => {
    const error = failureOf('apt-get install x', 'E: Sub-process /usr/bin/dpkg returned an error code (1)', fallback);
    expect(error.code).toBe('STREAMPROOF_PACKAGE_INSTALL');
    expect(error.fix).toBe('the fallback fix');
    expect(error.message).toContain('apt-get install x failed:\n  E: Sub-process /usr/bin/dpkg returned an error code (1)');
  });
});
