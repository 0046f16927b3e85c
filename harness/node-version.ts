import { StreamproofError } from './errors.ts';

export const MIN_NODE_MAJOR = 24;

/** Fail fast on an old Node (these machines' system Node is 20): say how to get 24. */
export function assertNodeVersion(version = process.versions.node): void {
  const major = Number(version.split('.')[0]);
  if (major >= MIN_NODE_MAJOR) return;
  throw new StreamproofError(
    'STREAMPROOF_NODE_TOO_OLD',
    `Node ${version} runs this; streamproof needs Node ${MIN_NODE_MAJOR} or later`,
    "run through npm ('npm test', 'npm start', 'npx streamproof'): the node@24 devDependency puts Node 24 first on PATH. Running node_modules/.bin/vitest directly uses the system Node.",
  );
}
