/** bin/check-node.js: the Node versions streamproof runs on (the rule of harness/node-version.ts, in plain JS). */
export function isSupportedNode(version: string): boolean;
