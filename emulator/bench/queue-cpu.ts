/**
 * CPU benchmark (not a test): the emulator's CPU per queue job, measured in a child process
 * that runs only the emulator, under the queue's access pattern driven by firebase-admin:
 * workers listening to `where status == 'queued' orderBy rank limit 32`, jobs entering and
 * leaving that window, claims as updates with an `updateTime` precondition, a payload read,
 * completion in a batch with a precondition and the payload delete, a read-write transaction
 * every few jobs, and a `count()` per enqueue batch, next to a body of finished jobs.
 *
 *   npx tsx bench/queue-cpu.ts [--jobs 600] [--workers 4] [--done 3000] [--rounds 1]
 *                              [--entries a/src/index.ts,b/src/index.ts] [--prof-dir DIR]
 *
 * --prof-dir writes a CPU profile of the emulator's measured window (seeding excluded).
 *
 * With --entries, each emulator entry point (e.g. a checkout of an older commit) is measured
 * in turn, `--rounds` times alternating, so versions compare side by side on a busy machine.
 * Prints one JSON object: emulator CPU ms per job and billed operations per job per entry.
 */
import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { initializeApp } from 'firebase-admin/app';
import type { DocumentSnapshot, Firestore, Timestamp } from 'firebase-admin/firestore';
import { FieldValue, getFirestore } from 'firebase-admin/firestore';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '600' },
    workers: { type: 'string', default: '4' },
    done: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '1' },
    entries: { type: 'string', default: '' },
    'prof-dir': { type: 'string', default: '' },
  },
});
const jobCount = Number(values.jobs);
const workerCount = Number(values.workers);
const doneCount = Number(values.done);
const entries = values.entries ? values.entries.split(',') : [''];

interface Child {
  hostAndPort: string;
  url: string;
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

async function startChild(entry: string): Promise<Child> {
  const execArgv = ['--import', 'tsx'];
  const child = fork(fileURLToPath(new URL('./queue-cpu-child.ts', import.meta.url)), [], {
    execArgv,
    env: { ...process.env, EMULATOR_ENTRY: entry, PROFILE_DIR: values['prof-dir'] || '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 0;
  const ready = await new Promise<{ url: string; hostAndPort: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; hostAndPort: string }));
    child.once('exit', (code) => reject(new Error(`emulator child exited ${code}`)));
  });
  return {
    ...ready,
    cpuMs: () =>
      new Promise((resolve) => {
        const id = ++nextId;
        const on = (m: { type: string; id: number; user: number; system: number }) => {
          if (m.type !== 'cpu' || m.id !== id) return;
          child.off('message', on);
          resolve((m.user + m.system) / 1000);
        };
        child.on('message', on);
        child.send({ type: 'cpu', id });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

function admin(hostAndPort: string, projectId: string, name: string): Firestore {
  const app = initializeApp({ projectId }, name);
  const db = getFirestore(app);
  db.settings({ host: hostAndPort, ssl: false });
  return db;
}

const isStatus = (err: unknown, code: number): boolean => (err as { code?: number }).code === code;

/** One workload against one emulator; resolves with its figures. */
async function runOnce(entry: string, round: number): Promise<Record<string, number | string>> {
  const child = await startChild(entry);
  const projectId = `demo-queue-cpu-${round}`;
  const apps: Firestore[] = [];
  try {
    const producer = admin(child.hostAndPort, projectId, `producer-${round}-${entry}`);
    apps.push(producer);
    const jobs = producer.collection('jobs');
    // Finished jobs the head query has to skip, as in a queue that has been running a while.
    for (let i = 0; i < doneCount; i += 500) {
      const batch = producer.batch();
      for (let j = i; j < Math.min(doneCount, i + 500); j++) batch.set(jobs.doc(`done-${j}`), { status: 'done', rank: j, worker: 'w', attempts: 1, meta: { a: j, b: 'x'.repeat(40) } });
      await batch.commit();
    }
    await producer.doc('stats/global').set({ finished: 0 });

    let finished = 0;
    let claimConflicts = 0;
    let allDone!: () => void;
    const done = new Promise<void>((r) => (allDone = r));
    const unsubscribes: Array<() => void> = [];
    const busy = new Set<string>();
    const pending = new Set<Promise<void>>();

    const cpuStart = await child.cpuMs();
    const meterStart = (await (await fetch(`${child.url}/emulator/v1/projects/${projectId}:meter`)).json()) as { reads: number; writes: number; deletes: number };
    const started = Date.now();

    for (let w = 0; w < workerCount; w++) {
      const db = admin(child.hostAndPort, projectId, `worker-${round}-${w}-${entry}`);
      apps.push(db);
      let inFlight = 0;
      const work = async (snap: DocumentSnapshot): Promise<void> => {
        const ref = snap.ref;
        try {
          const claimed = await ref.update({ status: 'running', worker: `w${w}`, claimedAt: FieldValue.serverTimestamp() }, { lastUpdateTime: snap.updateTime as Timestamp });
          const payload = await ref.collection('chunks').doc('0').get();
          if (!payload.exists) throw new Error('payload missing');
          const batch = db.batch();
          batch.update(ref, { status: 'done', finishedAt: FieldValue.serverTimestamp() }, { lastUpdateTime: claimed.writeTime });
          batch.delete(payload.ref);
          await batch.commit();
          if (++finished % 10 === 0) {
            await db.runTransaction(async (tx) => {
              const s = await tx.get(db.doc('stats/global'));
              tx.update(s.ref, { finished: (s.get('finished') as number) + 10 });
            });
          }
          if (finished === jobCount) allDone();
        } catch (err) {
          if (isStatus(err, 9)) claimConflicts++;
          else throw err;
        }
      };
      const head = db.collection('jobs').where('status', '==', 'queued').orderBy('rank').limit(32);
      unsubscribes.push(
        head.onSnapshot((s) => {
          // Each worker takes a few of the head's jobs, starting at its own offset (less contention).
          const docs = s.docs;
          for (let k = 0; k < docs.length && inFlight < 4; k++) {
            const d = docs[(k + w * 3) % docs.length]!;
            if (busy.has(d.id)) continue;
            busy.add(d.id);
            inFlight++;
            const p: Promise<void> = work(d).finally(() => {
              inFlight--;
              busy.delete(d.id);
              pending.delete(p);
            });
            pending.add(p);
          }
        }),
      );
    }

    // Producer: enqueue in small batches, keeping about 64 jobs queued (twice the window).
    let enqueued = 0;
    while (enqueued < jobCount) {
      const queued = (await jobs.where('status', '==', 'queued').count().get()).data().count;
      if (queued >= 64) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      const batch = producer.batch();
      for (let k = 0; k < 4 && enqueued < jobCount; k++, enqueued++) {
        const ref = jobs.doc(`job-${String(enqueued).padStart(6, '0')}`);
        batch.create(ref, { status: 'queued', rank: enqueued * 10 + (enqueued % 7), priority: enqueued % 3, createdAt: FieldValue.serverTimestamp(), meta: { user: `u${enqueued % 17}`, bytes: 1000 + enqueued } });
        batch.create(ref.collection('chunks').doc('0'), { data: 'x'.repeat(200) });
      }
      await batch.commit();
    }
    await done;
    // Let the last claims and transactions finish (they belong to the measured work).
    while (pending.size > 0) await Promise.allSettled([...pending]);
    const wallMs = Date.now() - started;
    const cpuMs = (await child.cpuMs()) - cpuStart;
    const meterEnd = (await (await fetch(`${child.url}/emulator/v1/projects/${projectId}:meter`)).json()) as { reads: number; writes: number; deletes: number };
    for (const u of unsubscribes) u();
    const ops = meterEnd.reads - meterStart.reads + meterEnd.writes - meterStart.writes + meterEnd.deletes - meterStart.deletes;
    return {
      entry: entry || 'this checkout',
      round,
      jobs: finished,
      emulatorCpuMsPerJob: +(cpuMs / finished).toFixed(3),
      emulatorCpuMsPerOp: +(cpuMs / ops).toFixed(4),
      opsPerJob: +(ops / finished).toFixed(2),
      readsPerJob: +((meterEnd.reads - meterStart.reads) / finished).toFixed(2),
      claimConflictsPerJob: +(claimConflicts / finished).toFixed(3),
      wallMs,
    };
  } finally {
    await Promise.all(apps.map(async (db) => db.terminate().catch(() => undefined)));
    await child.stop();
  }
}

const results: Array<Record<string, number | string>> = [];
for (let round = 0; round < Number(values.rounds); round++) {
  for (const entry of entries) results.push(await runOnce(entry, round));
}
const summary: Record<string, { emulatorCpuMsPerJob: number; opsPerJob: number }> = {};
for (const entry of entries) {
  const mine = results.filter((r) => r.entry === (entry || 'this checkout'));
  const mean = (k: string) => +(mine.reduce((s, r) => s + Number(r[k]), 0) / mine.length).toFixed(3);
  summary[entry || 'this checkout'] = { emulatorCpuMsPerJob: mean('emulatorCpuMsPerJob'), opsPerJob: mean('opsPerJob') };
}
console.log(JSON.stringify({ jobs: jobCount, workers: workerCount, done: doneCount, results, summary }, null, 2));
process.exit(0);
