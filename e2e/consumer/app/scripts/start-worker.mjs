#!/usr/bin/env node
// Starts one Firequeue worker as an app's deployment script would: first lists the workers'
// collection prefix among the prefixes the project serves (`firequeue_config/tenants`: the
// security rules refuse browser submissions into a prefix no worker serves), then runs the
// @fq/worker package's `fq-worker` bin with plain node, passing the flags through and
// forwarding SIGTERM/SIGINT so the worker drains and exits on its own.
//   FIRESTORE_EMULATOR_HOST=127.0.0.1:8080 GCLOUD_PROJECT=demo-x FQ_PREFIX= node scripts/start-worker.mjs --fake-gemini-url URL
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { FieldValue, getFirestore } from 'firebase-admin/firestore';

const projectId = process.env.GCLOUD_PROJECT ?? 'demo-firequeue';
const prefix = process.env.FQ_PREFIX ?? '';

const app = initializeApp({ projectId }, 'start-worker');
await getFirestore(app)
  .doc('firequeue_config/tenants')
  .set({ servedPrefixes: FieldValue.arrayUnion(prefix), updatedAt: FieldValue.serverTimestamp() }, { merge: true });
await deleteApp(app);

const bin = fileURLToPath(new URL('../node_modules/.bin/fq-worker', import.meta.url));
const worker = spawn(process.execPath, [bin, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => worker.kill(signal));
worker.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
