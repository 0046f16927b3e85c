/**
 * Every failure a user can act on is a StreamproofError: a STREAMPROOF_* code, what is wrong,
 * and a "To fix:" line. The CLI and the vitest setup print it as is.
 */
export type ErrorCode =
  | 'STREAMPROOF_NODE_UNSUPPORTED'
  | 'STREAMPROOF_DOCKER_UNAVAILABLE'
  | 'STREAMPROOF_IMAGE_UNAVAILABLE'
  | 'STREAMPROOF_IMAGE_BUILD'
  | 'STREAMPROOF_PROXY_CONFIG'
  | 'STREAMPROOF_PROXY_START'
  | 'STREAMPROOF_UNKNOWN_PROFILE'
  | 'STREAMPROOF_BAD_OPTIONS'
  | 'STREAMPROOF_USAGE'
  | 'STREAMPROOF_BAD_SCRIPT'
  | 'STREAMPROOF_PORT_TAKEN'
  | 'STREAMPROOF_BIND_FAILED'
  | 'STREAMPROOF_CHROMIUM_UNAVAILABLE'
  | 'STREAMPROOF_PACKAGE_MISSING'
  | 'STREAMPROOF_NO_SCENARIOS'
  // The file is fine but streamproof could not put a stream through it: no verdict, exit 2.
  | 'STREAMPROOF_CANNOT_TEST'
  // Host prerequisites (Docker engine, debootstrap, Chromium) and their package manager.
  | 'STREAMPROOF_HOST_PREREQUISITE'
  | 'STREAMPROOF_PACKAGE_LOCKED'
  | 'STREAMPROOF_PACKAGE_INSTALL'
  | 'STREAMPROOF_NEEDS_ROOT'
  | 'STREAMPROOF_DISK_FULL'
  | 'STREAMPROOF_MIRROR_UNREACHABLE';

export class StreamproofError extends Error {
  readonly code: ErrorCode;
  /** What is wrong, without the code or the fix. */
  readonly problem: string;
  readonly fix: string;

  constructor(code: ErrorCode, problem: string, fix: string, options?: { cause?: unknown }) {
    super(`${code}: ${problem}\nTo fix: ${fix}`, options);
    this.name = 'StreamproofError';
    this.code = code;
    this.problem = problem;
    this.fix = fix;
  }
}

export function isStreamproofError(error: unknown): error is StreamproofError {
  const code = (error as { code?: unknown } | undefined)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('STREAMPROOF_');
}
