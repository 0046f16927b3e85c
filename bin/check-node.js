#!/usr/bin/env node
// Plain JS on purpose: it must run, and explain itself, on a Node too old for the rest.
// The rule is harness/node-version.ts's (a unit test holds the two together).
export function isSupportedNode(version) {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return (major === 22 && minor >= 22) || major === 24 || major >= 26;
}

if (!isSupportedNode(process.versions.node)) {
  console.error(`STREAMPROOF_NODE_UNSUPPORTED: Node ${process.versions.node} runs this; streamproof runs on Node ^22.22.0 || ^24.0.0 || >=26.0.0`);
  console.error("To fix: use Node 24 LTS (or 22.22+): 'nvm install 24', your CI's setup-node with node-version: 24, or npm's own Node for one command: 'npx -p node@24 -p streamproof streamproof --help'");
  process.exit(2);
}
