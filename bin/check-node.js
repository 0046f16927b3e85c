#!/usr/bin/env node
// Plain JS on purpose: it must run, and explain itself, on an old Node too.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`STREAMPROOF_NODE_TOO_OLD: Node ${process.versions.node} runs this; streamproof needs Node 24 or later.`);
  console.error("To fix: run it through npm ('npm test', 'npm start', 'npx streamproof'): the node@24 devDependency puts Node 24 first on PATH (run 'npm ci' first).");
  process.exit(1);
}
