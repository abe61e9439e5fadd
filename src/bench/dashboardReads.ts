/// <reference types="node" />
/**
 * What an open admin dashboard costs in Firestore reads, idle and under load.
 *
 * Boots our emulator, the fake Gemini and worker processes on free ports, opens exactly the
 * listeners of the console's Overview page and of the shell every page has (web SDK, signed in as an admin through the
 * emulator's mock tokens), drives client submissions at increasing rates from a separate
 * process (its own connection, end users signed in as themselves), and reads the emulator's
 * meter for the dashboard's connection after each phase. A client-side count of added or
 * changed documents per listener attributes the reads. The goal: reads per minute that do
 * not grow with job throughput. Prints one JSON document.
 *
 *   node --conditions=development --import tsx src/bench/dashboardReads.ts [--seconds 60] [--rates 0,2,8] [--workers 2]
 *
 * (Lives under src/ because it reuses the console's own data layer and page specs, which
 * are type-checked with the app's bundler-style module settings.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { commitSubmission, firestoreQueueStore, type QueueStore } from '@fq/client';
import { planSubmission } from '@fq/worker/core';
import { SERVED_PREFIXES_DOC, SUBMISSION_QUOTA_DEFAULTS } from '@fq/worker/schema';
import { deleteApp, initializeApp } from 'firebase/app';
import { connectFirestoreEmulator, doc, initializeFirestore, setDoc, terminate, type EmulatorMockTokenOptions } from 'firebase/firestore';
import { createFirestoreData } from '../data/firestoreData';
import type { DataPort } from '../data/port';
import { specs } from '../data/queries';
import type { Row } from '../data/rows';
import { shellSpecs } from '../features/incidents/sources';
import { overviewSpecs } from '../features/overview/sources';
import { makeWav } from '../test/audio';
import { startFirestoreEmulator } from '../test/emulatorProcess';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    rates: { type: 'string', default: '0,2,8' },
    workers: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '20' },
    // traffic role (a child process of the benchmark)
    traffic: { type: 'string' },
    only: { type: 'string' },
    prefix: { type: 'string' },
    rate: { type: 'string' },
  },
});
const projectId = 'demo-dashboard-bench';
const root = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN = { sub: 'bench-admin', email: 'bench@example.com', admin: true } as EmulatorMockTokenOptions;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const children: ChildProcess[] = [];

/**
 * A web-SDK instance signed in with an emulator mock token of the run's tenant (the rules
 * bind every account to the collection prefix its `tenant` claim names).
 */
function sdk(host: string, prefix: string, name: string, token: EmulatorMockTokenOptions): { port: DataPort; queue: QueueStore; close(): Promise<void> } {
  const app = initializeApp({ projectId, apiKey: 'demo-api-key' }, name);
  const db = initializeFirestore(app, { ignoreUndefinedProperties: true });
  const i = host.lastIndexOf(':');
  connectFirestoreEmulator(db, host.slice(0, i), Number(host.slice(i + 1)), { mockUserToken: { ...token, tenant: prefix } as EmulatorMockTokenOptions });
  return {
    port: createFirestoreData(db, prefix),
    queue: firestoreQueueStore(db, { prefix }),
    close: async () => {
      await terminate(db);
      await deleteApp(app);
    },
  };
}

/** Traffic role: end users submit 1 s WAV clips exactly as the browser client (`@fq/client`) does. */
async function traffic(host: string, prefix: string, rate: number, seconds: number) {
  const users = Array.from({ length: 10 }, (_, i) => ({ id: `user-${i}`, client: sdk(host, prefix, `user-${i}`, { sub: `user-${i}` } as EmulatorMockTokenOptions) }));
  const audio = makeWav(1);
  let submitted = 0;
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    const tick = Date.now();
    await Promise.all(
      Array.from({ length: rate }, async () => {
        const user = users[submitted++ % users.length]!;
        const jobId = user.client.port.newId('jobs');
        const plan = await planSubmission({ audio, mimeType: 'audio/wav', userId: user.id }, { now: Date.now(), source: 'client', jobId });
        const stats = await user.client.port.getDoc(specs.queueStats());
        const quota = stats?.ok ? stats.data.submissionQuota : SUBMISSION_QUOTA_DEFAULTS;
        await commitSubmission(user.client.queue, plan, { quota, serverNow: () => Date.now() });
      }),
    );
    await sleep(Math.max(0, 1000 - (Date.now() - tick)));
  }
  for (const u of users) await u.client.close();
  console.log(JSON.stringify({ submitted }));
  process.exit(0);
}

function startChild(args: string[], ready: RegExp): { done: Promise<RegExpExecArray>; child: ChildProcess } {
  // Sources through tsx, workspace packages included (their "development" export condition).
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  const done = new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not get ready:\n${out}`)), 180_000);
    // Keeps draining output so a chatty child never blocks on a full pipe.
    const onData = (c: Buffer) => {
      out = (out + c.toString()).slice(-20_000);
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited ${code}:\n${out}`));
    });
  });
  return { done, child };
}

/** Marks the run's prefix as served by a deployment (the rules refuse client writes otherwise), as the owner. */
async function serve(host: string, prefix: string): Promise<void> {
  const app = initializeApp({ projectId, apiKey: 'demo-api-key' }, 'owner');
  const db = initializeFirestore(app, {});
  const i = host.lastIndexOf(':');
  connectFirestoreEmulator(db, host.slice(0, i), Number(host.slice(i + 1)), { mockUserToken: 'owner' });
  await setDoc(doc(db, SERVED_PREFIXES_DOC.collection, SERVED_PREFIXES_DOC.id), { servedPrefixes: [prefix], updatedAt: new Date() });
  await terminate(db);
  await deleteApp(app);
}

async function meterReads(base: string, connections: Set<string>): Promise<number> {
  const res = await fetch(`${base}/emulator/v1/projects/${projectId}:meter`);
  const body = (await res.json()) as { connections?: { id: string; reads: number }[] };
  return (body.connections ?? []).filter((c) => connections.has(c.id)).reduce((a, c) => a + c.reads, 0);
}

/** Web-SDK connections (workers use firebase-admin, whose client header says so). */
async function webConnectionIds(base: string): Promise<Set<string>> {
  const res = await fetch(`${base}/emulator/v1/projects/${projectId}:meter`);
  const body = (await res.json()) as { connections?: { id: string; client: string }[] };
  return new Set((body.connections ?? []).filter((c) => !c.client.includes('fire-admin')).map((c) => c.id));
}

/** Counts documents added or changed per snapshot, like Firestore bills a listener. */
function changeCounter() {
  let changes = 0;
  let previous = new Map<string, string>();
  return {
    take: () => {
      const n = changes;
      changes = 0;
      return n;
    },
    sink: {
      next(value: Row<unknown> | null | Row<unknown>[]) {
        const rows = value === null ? [] : Array.isArray(value) ? value : [value];
        const next = new Map(rows.map((r) => [r.id, JSON.stringify(r)]));
        for (const [id, json] of next) if (previous.get(id) !== json) changes += 1;
        previous = next;
      },
      error(e: Error) {
        console.error('listener error', e.message);
      },
    },
  };
}

async function main() {
  const phaseSeconds = Number(values.seconds);
  const rates = String(values.rates).split(',').map(Number);
  const workerCount = Number(values.workers);
  const prefix = `bench${Date.now().toString(36)}_`;
  const emulator = await startFirestoreEmulator();
  const host = `${emulator.host}:${emulator.port}`;
  const base = `http://${host}`;
  await serve(host, prefix);
  const gemini = await startChild(['fake-gemini/src/cli-main.ts', '--port', '0', '--capacity', 'none', '--base-latency-ms', '100'], /"url":"([^"]+)"/).done;
  for (let i = 0; i < workerCount; i++) {
    await startChild(
      ['worker/src/cli.ts', '--emulator-host', host, '--project', projectId, '--prefix', prefix, '--fake-gemini-url', gemini[1]!, '--server-id', `bench-${i}`],
      /http listening/,
    ).done;
  }

  // The dashboard: ONE SDK instance (one connection) with the Overview page's listeners and
  // the console shell's (its incident strip, on every page; the stats spec is the same one).
  const pageSpecs = { ...shellSpecs(), ...overviewSpecs() };
  const known = await webConnectionIds(base);
  const dashboard = sdk(host, prefix, 'dashboard', ADMIN);
  await dashboard.port.getDoc({ kind: 'doc', collection: 'stats', id: 'probe' });
  const mine = new Set([...(await webConnectionIds(base))].filter((id) => !known.has(id)));
  const counters: Record<string, ReturnType<typeof changeCounter>> = {};
  const unsubs: (() => void)[] = [];
  for (const [name, spec] of Object.entries(pageSpecs)) {
    if (values.only && !values.only.split(',').includes(name)) continue;
    const counter = (counters[name] = changeCounter());
    unsubs.push(spec.kind === 'doc' ? dashboard.port.watchDoc(spec, counter.sink) : dashboard.port.watchQuery(spec, counter.sink));
  }
  await sleep(Number(values.warmup) * 1000);

  const phases = [];
  for (const rate of rates) {
    Object.values(counters).forEach((c) => c.take());
    const before = await meterReads(base, mine);
    const started = Date.now();
    let submitted = 0;
    if (rate > 0) {
      const t = startChild(['src/bench/dashboardReads.ts', '--traffic', host, '--prefix', prefix, '--rate', String(rate), '--seconds', String(phaseSeconds)], /\{"submitted":(\d+)\}/);
      submitted = Number((await t.done)[1]);
    } else {
      await sleep(phaseSeconds * 1000);
    }
    const minutes = (Date.now() - started) / 60_000;
    const reads = (await meterReads(base, mine)) - before;
    const stats = await dashboard.port.getDoc(overviewSpecs().stats);
    phases.push({
      submitRatePerSec: rate,
      seconds: Math.round(minutes * 60),
      jobsSubmitted: submitted,
      engineThroughputPerMin: stats?.ok ? stats.data.throughputPerMin : null,
      dashboardReadsPerMin: Math.round(reads / minutes),
      changedDocsPerMinByListener: Object.fromEntries(Object.entries(counters).map(([k, c]) => [k, Math.round(c.take() / minutes)])),
    });
  }
  unsubs.forEach((u) => u());
  await dashboard.close();
  console.log(JSON.stringify({ bench: 'dashboard-reads', page: 'overview', workers: workerCount, phaseSeconds, phases }, null, 2));
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => (c.once('exit', r), c.kill('SIGTERM'))) : null)));
  await emulator.stop();
  process.exit(0);
}

const run = values.traffic
  ? traffic(values.traffic, String(values.prefix), Number(values.rate), Number(values.seconds))
  : main();
run.catch((error: unknown) => {
  console.error(error);
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
});
