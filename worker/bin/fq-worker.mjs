#!/usr/bin/env node
// The `fq-worker` command: runs the built worker CLI (dist/cli.js, built by
// `npm run build -w @fq/worker`) in this process, so SIGTERM from a container runtime reaches
// the worker itself. `fq-worker --help` lists the flags and environment variables.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error(`${fileURLToPath(cli)} is missing: run \`npm run build -w @fq/worker\` first.`);
  process.exit(1);
}
await import(cli.href);
