/**
 * Latency benchmark (not a test): start time, commit latency and query latency through
 * firebase-admin against an in-process emulator. Prints one JSON object.
 *
 *   npx tsx bench/latency.ts [--ops 300] [--docs 20000]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { startEmulator } from '../src/index.js';

const { values } = parseArgs({ options: { ops: { type: 'string', default: '300' }, docs: { type: 'string', default: '20000' } } });
const ops = Number(values.ops);
const docs = Number(values.docs);

function percentiles(samples: number[]): { p50: number; p95: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 100) / 100;
  return { p50: at(0.5), p95: at(0.95), max: at(1) };
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const t0 = performance.now();
const emulator = await startEmulator({ port: 0, logLevel: 'silent' });
const startMs = performance.now() - t0;

const app = initializeApp({ projectId: 'demo-bench' }, 'bench');
const db = getFirestore(app);
db.settings({ host: emulator.hostAndPort, ssl: false });

// Warm up the channel and the code paths.
for (let i = 0; i < 20; i++) await db.doc(`warm/w${i}`).set({ i });

const commit: number[] = [];
for (let i = 0; i < ops; i++) commit.push(await time(() => db.doc(`bench/d${i % 50}`).set({ i, status: i % 2 ? 'a' : 'b' })));

const seedStart = performance.now();
for (let i = 0; i < docs; i += 500) {
  const batch = db.batch();
  for (let j = i; j < Math.min(docs, i + 500); j++) {
    batch.set(db.doc(`jobs/j${String(j).padStart(7, '0')}`), { status: j % 10 === 0 ? 'queued' : 'done', rank: (j * 7919) % docs });
  }
  await batch.commit();
}
const seedMs = performance.now() - seedStart;

const query: number[] = [];
const scaleQuery = db.collection('jobs').where('status', '==', 'queued').orderBy('rank').limit(20);
for (let i = 0; i < ops; i++) query.push(await time(() => scaleQuery.get()));

const smallQuery: number[] = [];
for (let i = 0; i < ops; i++) smallQuery.push(await time(() => db.collection('bench').where('status', '==', 'a').get()));

// Listener fan-out: time from a commit to the snapshot carrying it.
const listenLatency: number[] = [];
let resolveSnap: (() => void) | undefined;
const unsub = scaleQuery.onSnapshot(() => resolveSnap?.());
await new Promise<void>((r) => (resolveSnap = r));
for (let i = 0; i < Math.min(ops, 100); i++) {
  const snap = new Promise<void>((r) => (resolveSnap = r));
  const t = performance.now();
  await db.doc('jobs/j0000000').update({ rank: -i - 1 });
  await snap;
  listenLatency.push(performance.now() - t);
}
unsub();

console.log(
  JSON.stringify(
    {
      node: process.version,
      startMs: Math.round(startMs * 10) / 10,
      startupMsReportedByEmulator: Math.round(emulator.startupMs * 10) / 10,
      commitMs: percentiles(commit),
      queryMs: { collectionSize: docs, query: "where status == 'queued' orderBy rank limit 20", ...percentiles(query) },
      smallQueryMs: percentiles(smallQuery),
      listenCommitToSnapshotMs: percentiles(listenLatency),
      seedDocsPerSecond: Math.round(docs / (seedMs / 1000)),
      ops,
    },
    null,
    2,
  ),
);
await db.terminate();
await emulator.stop();
process.exit(0);
