#!/usr/bin/env node
// Plain JS: checks the Node version before any TypeScript loads (Node 24 strips types natively).
import './check-node.js';

const { main } = await import('../harness/cli/main.ts');
await main(process.argv);
