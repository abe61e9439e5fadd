/// <reference types="node" />
/**
 * What an open admin console costs in Firestore reads, page by page, idle and under load.
 *
 * Boots our emulator, the fake Gemini and worker processes on free ports, then opens every
 * console page at once, each on a web-SDK instance with a gRPC connection of its own (signed
 * in as an admin through the emulator's mock tokens): its listeners, the console shell's (the
 * incident strip every page shows) and the pages it fetches, exactly as `consolePages.ts`
 * lists them (a component test holds that list to the pages). End users (signed in as
 * themselves, on a connection of their own) submit as the browser client does, at each
 * phase's rate, and the emulator's meter is read for each page's connection after each
 * phase. A client-side count of added or changed documents per listener attributes the
 * reads. The goal (issue 19): at most 60 reads a minute per page, whatever the load and the
 * fleet size. Prints one JSON document (progress on stderr).
 *
 *   node --conditions=development --import tsx src/bench/dashboardReads.ts [--seconds 60] [--rates 0,4] [--workers 3] [--pages overview,servers]
 *
 * (Lives under src/ because it reuses the console's own data layer and page specs, which
 * are type-checked with the app's bundler-style module settings.)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
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
import { makeWav } from '../test/audio';
import { startFirestoreEmulator } from '../test/emulatorProcess';
import { CONSOLE_PAGES, consolePageReads, type ConsolePage } from './consolePages';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    rates: { type: 'string', default: '0,4' },
    workers: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '20' },
    /** Comma-separated page names (default: every page of `CONSOLE_PAGES`). */
    pages: { type: 'string' },
  },
});
const projectId = 'demo-dashboard-bench';
const root = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN = { sub: 'bench-admin', email: 'bench@example.com', admin: true } as EmulatorMockTokenOptions;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Progress on stderr (stdout carries the JSON result). */
const log = (m: string) => process.stderr.write(`[dashboard-reads ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const children: ChildProcess[] = [];

/**
 * A web-SDK instance signed in with an emulator mock token of the run's tenant (the rules
 * bind every account to the collection prefix its `tenant` claim names).
 */
function sdk(host: string, prefix: string, name: string, token: EmulatorMockTokenOptions, connection = 0): { port: DataPort; queue: QueueStore; close(): Promise<void> } {
  const app = initializeApp({ projectId, apiKey: 'demo-api-key' }, name);
  // The web SDK instances of one process share a gRPC connection per target and channel
  // options: a flow-control window of its own (a byte more per page, no other effect) gives
  // each console page a connection of its own, which the emulator's meter bills separately.
  const settings = { ignoreUndefinedProperties: true, ...(connection > 0 ? { grpcFlowControlWindow: 256 * 1024 + connection } : {}) };
  const db = initializeFirestore(app, settings as Parameters<typeof initializeFirestore>[1]);
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

/** One end user's submission of a 1 s WAV clip, exactly as the browser client (`@fq/client`) makes it. */
async function submitAs(client: ReturnType<typeof sdk>, userId: string, audio: Uint8Array, jobId = client.port.newId('jobs')): Promise<string> {
  const plan = await planSubmission({ audio, mimeType: 'audio/wav', userId }, { now: Date.now(), source: 'client', jobId });
  const stats = await client.port.getDoc(specs.queueStats());
  const quota = stats?.ok ? stats.data.submissionQuota : SUBMISSION_QUOTA_DEFAULTS;
  await commitSubmission(client.queue, plan, { quota, serverNow: () => Date.now() });
  return jobId;
}

/**
 * End users (10 web-SDK instances on one connection of their own, not a page's) submitting
 * `rate` times a second for `seconds`. Returns how many were submitted.
 */
async function submitFor(users: { id: string; client: ReturnType<typeof sdk> }[], rate: number, seconds: number): Promise<number> {
  const audio = makeWav(1);
  let started = 0;
  let submitted = 0;
  const inFlight = new Set<Promise<void>>();
  const begin = Date.now();
  // Paced by the clock, not by the answers: each submission starts on its own schedule (one
  // every 1/rate s), so slow commits on a loaded machine do not lower the offered rate.
  while (Date.now() - begin < seconds * 1000) {
    const due = begin + (started * 1000) / rate;
    if (Date.now() < due) await sleep(due - Date.now());
    const user = users[started++ % users.length]!;
    const p: Promise<void> = submitAs(user.client, user.id, audio).then(
      () => void (submitted += 1),
      (e: unknown) => console.error('submission failed', e),
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }
  await Promise.all(inFlight);
  return submitted;
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
    add: (n: number) => {
      changes += n;
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

/** `tsx`: sources through tsx (workspace packages by their "development" export condition); otherwise plain node. */
function startChild(args: string[], ready: RegExp, loader: 'tsx' | 'node' = 'tsx'): { done: Promise<RegExpExecArray>; child: ChildProcess } {
  const node = loader === 'tsx' ? ['--conditions=development', '--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...node, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  const done = new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not get ready:\n${out}`)), 600_000);
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

/**
 * One console page as an open browser tab would hold it: its own web-SDK instance and
 * connection (signed in as an admin), its listeners and its fetches, each with a count of
 * the documents it received (what Firestore bills a listener: added or changed documents).
 */
async function openPage(name: ConsolePage, index: number, host: string, prefix: string, jobId: string) {
  const reads = consolePageReads(jobId)[name];
  const dashboard = sdk(host, prefix, `page-${name}`, ADMIN, index + 1);
  const counters: Record<string, ReturnType<typeof changeCounter>> = {};
  const stops: (() => void)[] = [];
  return {
    name,
    /** One read, so the harness can find this page's connection on the meter. */
    connect: () => dashboard.port.getDoc(specs.controls()),
    open() {
      for (const [key, spec] of Object.entries(reads.live)) {
        const counter = (counters[key] = changeCounter());
        stops.push(spec.kind === 'doc' ? dashboard.port.watchDoc(spec, counter.sink) : dashboard.port.watchQuery(spec, counter.sink));
      }
      for (const [key, { spec, everyMs }] of Object.entries(reads.fetched)) {
        const counter = (counters[key] = changeCounter());
        const fetch = () =>
          dashboard.port.getPage(spec, null).then(
            (page) => counter.add(Math.max(1, page.rows.length)),
            (e: unknown) => console.error(`${name}: fetch error`, e),
          );
        void fetch();
        if (everyMs !== null) {
          const timer = setInterval(() => void fetch(), everyMs);
          stops.push(() => clearInterval(timer));
        }
      }
    },
    take: () => Object.fromEntries(Object.entries(counters).map(([k, c]) => [k, c.take()])),
    async close() {
      stops.forEach((s) => s());
      await dashboard.close();
    },
  };
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

interface MeterConnection {
  id: string;
  client: string;
  reads: number;
}

async function meterConnections(base: string, attempt = 1): Promise<MeterConnection[]> {
  try {
    const res = await fetch(`${base}/emulator/v1/projects/${projectId}:meter`);
    const body = (await res.json()) as { connections?: MeterConnection[] };
    return body.connections ?? [];
  } catch (error) {
    // A kept-alive HTTP connection the emulator closed meanwhile (ECONNRESET): ask again.
    if (attempt >= 3) throw error;
    await sleep(200);
    return meterConnections(base, attempt + 1);
  }
}

/** Web-SDK connections (workers use firebase-admin, whose client header says so). */
async function webConnectionIds(base: string): Promise<Set<string>> {
  return new Set((await meterConnections(base)).filter((c) => !c.client.includes('fire-admin')).map((c) => c.id));
}

async function main() {
  const phaseSeconds = Number(values.seconds);
  const rates = String(values.rates).split(',').map(Number);
  const workerCount = Number(values.workers);
  const pages = values.pages ? (values.pages.split(',') as ConsolePage[]) : [...CONSOLE_PAGES];
  const unknown = pages.filter((p) => !CONSOLE_PAGES.includes(p));
  if (unknown.length) throw new Error(`unknown page(s) ${unknown.join(', ')}; pages: ${CONSOLE_PAGES.join(', ')}`);
  const prefix = `bench${Date.now().toString(36)}_`;
  const emulator = await startFirestoreEmulator();
  const host = `${emulator.host}:${emulator.port}`;
  const base = `http://${host}`;
  await serve(host, prefix);
  const gemini = await startChild(['fake-gemini/src/cli-main.ts', '--port', '0', '--capacity', 'none', '--base-latency-ms', '100'], /"url":"([^"]+)"/).done;
  // The built worker CLI, as `npm start` and the process tests run it: ten processes compiling
  // the sources through tsx at once did not start within minutes on a loaded machine.
  execFileSync(process.execPath, ['worker/scripts/build.mjs', '--if-stale'], { cwd: root, stdio: 'pipe', timeout: 300_000 });
  await Promise.all(
    Array.from(
      { length: workerCount },
      (_, i) =>
        startChild(
          ['worker/bin/fq-worker.mjs', '--emulator-host', host, '--project', projectId, '--prefix', prefix, '--fake-gemini-url', gemini[1]!, '--server-id', `bench-${i}`],
          /http listening/,
          'node',
        ).done,
    ),
  );

  // End users, on a connection that is no page's; the first one's job is the job detail page's.
  const users = Array.from({ length: 10 }, (_, i) => ({
    id: `user-${i}`,
    client: sdk(host, prefix, `user-${i}`, { sub: `user-${i}` } as EmulatorMockTokenOptions, 1_000),
  }));
  const seeder = users[0]!.client;
  const jobId = await submitAs(seeder, users[0]!.id, makeWav(1));
  log(`fleet of ${workerCount} up, job ${jobId} submitted`);
  // One page at a time connects, so the meter's one new web connection is that page's.
  const open = [];
  const connectionOf = new Map<ConsolePage, string>();
  for (const [i, name] of pages.entries()) {
    const page = await openPage(name, i, host, prefix, jobId);
    const before = await webConnectionIds(base);
    await page.connect();
    const fresh = [...(await webConnectionIds(base))].filter((id) => !before.has(id));
    if (fresh.length !== 1) throw new Error(`page ${name}: expected one new meter connection, found ${fresh.length}`);
    connectionOf.set(name, fresh[0]!);
    open.push(page);
  }
  open.forEach((p) => p.open());
  log(`${pages.length} pages open, each on its own connection; warm-up ${values.warmup} s`);
  await sleep(Number(values.warmup) * 1000);

  const readsByPage = async () => {
    const byId = new Map((await meterConnections(base)).map((c) => [c.id, c.reads]));
    return Object.fromEntries(pages.map((p) => [p, byId.get(connectionOf.get(p)!) ?? 0]));
  };
  const phases = [];
  for (const rate of rates) {
    open.forEach((p) => p.take());
    const before = await readsByPage();
    const started = Date.now();
    let submitted = 0;
    if (rate > 0) {
      submitted = await submitFor(users, rate, phaseSeconds);
    } else {
      await sleep(phaseSeconds * 1000);
    }
    const minutes = (Date.now() - started) / 60_000;
    const after = await readsByPage();
    log(`phase at ${rate}/s done; meter reads so far by page: ${JSON.stringify(after)}`);
    const changed = open.map((p) => [p.name, p.take()] as const);
    const stats = await seeder.port.getDoc(specs.queueStats());
    phases.push({
      submitRatePerSec: rate,
      seconds: Math.round(minutes * 60),
      jobsSubmitted: submitted,
      engineThroughputPerMin: stats?.ok ? stats.data.throughputPerMin : null,
      readsPerMinByPage: Object.fromEntries(pages.map((p) => [p, Math.round((after[p]! - before[p]!) / minutes)])),
      changedDocsPerMinByPage: Object.fromEntries(
        changed.map(([name, counts]) => [name, Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, Math.round(n / minutes)]))]),
      ),
    });
  }
  await Promise.all(open.map((p) => p.close()));
  for (const u of users) await u.client.close();
  console.log(JSON.stringify({ bench: 'dashboard-reads', pages, workers: workerCount, phaseSeconds, jobId, phases }, null, 2));
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => (c.once('exit', r), c.kill('SIGTERM'))) : null)));
  await emulator.stop();
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
});
