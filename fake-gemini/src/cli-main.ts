#!/usr/bin/env node
// The process entry of the fake's CLI (dist/cli.js in the package, run by bin/fq-fake-gemini.mjs;
// `node --conditions=development --import tsx fake-gemini/src/cli-main.ts` from sources).
// cli.ts itself only exports, so importing it (tests, the library) never starts a server.
import { runCli } from './cli.js';

await runCli(process.argv.slice(2));
