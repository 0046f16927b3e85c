import { StreamproofError } from './errors.ts';

/**
 * The Node versions streamproof runs on: package.json `engines`, the lowest its dependencies allow
 * (testcontainers >= 22.22, undici >= 22.19, vitest ^22.12 || ^24 || >= 26: no 25). bin/check-node.js
 * states the same rule in plain JavaScript, for Node versions too old to load this file.
 */
export const SUPPORTED_NODE = '^22.22.0 || ^24.0.0 || >=26.0.0';

export function isSupportedNode(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return (major === 22 && minor >= 22) || major === 24 || major >= 26;
}

export const NODE_FIX =
  "use Node 24 LTS (or 22.22+): 'nvm install 24', your CI's setup-node with node-version: 24, or npm's own Node for one command: 'npx -p node@24 -p streamproof streamproof --help'";

/** Fail fast, with the remedy, on a Node the dependencies do not support. */
export function assertNodeVersion(version = process.versions.node): void {
  if (isSupportedNode(version)) return;
  throw new StreamproofError('STREAMPROOF_NODE_UNSUPPORTED', `Node ${version} runs this; streamproof runs on Node ${SUPPORTED_NODE}`, NODE_FIX);
}
