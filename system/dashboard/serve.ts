#!/usr/bin/env node
/**
 * The dashboard's Vite dev server, run by the orchestrator as a child process:
 *   node --import tsx system/dashboard/serve.ts --port 5173 --config-file /tmp/x/dashboard-config.json
 * Serves the repository's app with its own vite.config.ts, plus `/config.json` (the
 * dashboard's runtime config layer) from the given file, which the orchestrator writes once
 * it knows every emulator's address (503 until then). Nothing is written into public/, so
 * several systems can run side by side. Prints `{"event":"listening","url":...}` once it
 * accepts requests.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createServer, type Plugin } from 'vite';
import { z } from 'zod';
import { REPO_ROOT } from '../paths.js';

const configSchema = z.object({
  projectId: z.string().min(1),
  firestoreEmulatorHost: z.string().nullable(),
  authEmulatorHost: z.string().nullable(),
  collectionPrefix: z.string(),
});

function readConfig(file: string): string | null {
  try {
    return JSON.stringify(configSchema.parse(JSON.parse(readFileSync(file, 'utf8'))));
  } catch {
    return null;
  }
}

function runtimeConfig(file: string): Plugin {
  return {
    name: 'firequeue-runtime-config',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if ((req.url ?? '').split('?')[0] !== '/config.json') return next();
        const body = readConfig(file);
        res.setHeader('cache-control', 'no-store');
        if (body === null) {
          res.statusCode = 503;
          res.setHeader('content-type', 'text/plain');
          res.end('the system is still starting: its emulator addresses are not known yet');
          return;
        }
        res.setHeader('content-type', 'application/json');
        res.end(body);
      });
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      'strict-port': { type: 'boolean', default: false },
      'config-file': { type: 'string' },
    },
    strict: true,
  });
  const configFile = values['config-file'];
  if (!configFile) throw new Error('--config-file is required');
  const server = await createServer({
    configFile: join(REPO_ROOT, 'vite.config.ts'),
    root: REPO_ROOT,
    clearScreen: false,
    logLevel: 'warn',
    // Its own dependency cache: another Vite dev server of this checkout (Playwright's
    // webServer, a developer's `vite`) may optimise into the default one at the same time.
    cacheDir: join(REPO_ROOT, 'node_modules', '.vite-system'),
    server: {
      host: values.host,
      port: Number(values.port),
      strictPort: values['strict-port'] || Number(values.port) === 0,
      // Transform the entry and the pages up front: the first page load is then quick.
      warmup: { clientFiles: ['./src/main.tsx', './src/app/**/*.tsx', './src/features/**/*Page.tsx', './src/enduser/*.tsx'] },
    },
    plugins: [runtimeConfig(configFile)],
  });
  await server.listen();
  const address = server.httpServer?.address() as AddressInfo | null;
  if (!address) throw new Error('the dashboard server is not listening');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  console.log(JSON.stringify({ event: 'listening', url: `http://${host}:${address.port}`, pid: process.pid }));

  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(`dashboard server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
