#!/usr/bin/env node
/**
 * Seeds accounts into the Auth emulator: the orchestrator runs this as a child with
 * FIREBASE_AUTH_EMULATOR_HOST and GCLOUD_PROJECT set (firebase-admin reads the emulator host
 * from the environment, so it stays out of the orchestrator's own process) and the accounts
 * as JSON on stdin: [{"email","password","admin","tenant"}]. Prints {"seeded":[...]} and exits 0.
 */
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { z } from 'zod';
import { ensureAccount } from './accounts.js';

const input = z.array(z.object({ email: z.email(), password: z.string().min(6), admin: z.boolean(), tenant: z.string().optional() }));

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

async function main(): Promise<void> {
  if (!process.env.FIREBASE_AUTH_EMULATOR_HOST) throw new Error('FIREBASE_AUTH_EMULATOR_HOST is not set: refusing to seed a real project');
  const accounts = input.parse(JSON.parse(await readStdin()));
  const app = initializeApp({ projectId: process.env.GCLOUD_PROJECT ?? 'demo-firequeue' }, 'seed');
  try {
    const auth = getAuth(app);
    const seeded = [];
    for (const account of accounts) seeded.push(await ensureAccount(auth, { ...account, create: true }));
    console.log(JSON.stringify({ seeded }));
  } finally {
    await deleteApp(app);
  }
}

main().catch((error: unknown) => {
  console.error(`seed accounts: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
