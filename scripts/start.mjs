#!/usr/bin/env node
// `npm start`: checks the machine is ready, then runs the orchestrator (system/cli.ts) in
// this same process through tsx's loader, so Ctrl-C reaches it directly and no wrapper
// process is left between the terminal and the system.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Firequeue needs Node.js 20.19 or newer; this is ${process.version}.`);
  process.exit(1);
}
for (const dep of ['tsx', 'vite', 'firebase-tools', 'firebase-admin']) {
  if (!existsSync(join(root, 'node_modules', dep, 'package.json'))) {
    console.error(`Missing dependency "${dep}": run \`npm ci\` in ${root} first.`);
    process.exit(1);
  }
}
const { register } = await import('tsx/esm/api');
register();
await import(pathToFileURL(join(root, 'system', 'cli.ts')).href);
