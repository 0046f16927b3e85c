#!/usr/bin/env node
// Plain JS: checks the Node version before anything else loads. This checkout runs the TypeScript
// sources (Node strips the types); an installed package has only the build in dist/.
import { existsSync } from 'node:fs';
import './check-node.js';

const source = new URL('../harness/cli/main.ts', import.meta.url);
const { main } = await import(existsSync(source) ? source.href : new URL('../dist/harness/cli/main.js', import.meta.url).href);
await main(process.argv);
