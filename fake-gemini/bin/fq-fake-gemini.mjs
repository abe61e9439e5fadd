#!/usr/bin/env node
// The fake Gemini's CLI (`fq-fake-gemini --help`), built to dist/cli.js by
// `npm run build -w @fq/fake-gemini`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error(`${fileURLToPath(cli)} is missing: run \`npm run build -w @fq/fake-gemini\` first.`);
  process.exit(1);
}
await import(cli.href);
