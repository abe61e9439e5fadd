/// <reference types="node" />
/**
 * What an open admin dashboard costs in Firestore reads, idle and under load.
 *
 * Boots our emulator, the fake Gemini and worker processes on free ports, opens exactly the
 * listeners of the console's Overview page (web SDK, its own connection), generates client
 * submissions at increasing rates from a second SDK instance, and reads the emulator's meter
 * for the dashboard's connection after each phase. The goal: reads per minute that do not
 * grow with job throughput. Prints one JSON document.
 *
 *   node --import tsx src/bench/dashboardReads.ts [--seconds 60] [--rates 0,2,8] [--workers 2]
 *
 * (Lives under src/ because it reuses the console's own data layer and page specs, which
 * are type-checked with the app's bundler-style module settings.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { planSubmission } from '@fq/worker/core';
import { clientSubmissionSchema, encodeDoc } from '@fq/worker/schema';
import { deleteApp, initializeApp } from 'firebase/app';
import { terminate } from 'firebase/firestore';
import { createFirestoreData } from '../data/firestoreData';
import { SERVER_TIME, type DataPort, type Mutation } from '../data/port';
import { resolveConfig } from '../firebase/config';
import { firestoreFor } from '../firebase/firestore';
import { overviewSpecs } from '../features/overview/sources';
import { makeWav } from '../test/audio';
import { startFirestoreEmulator } from '../test/emulatorProcess';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    rates: { type: 'string', default: '0,2,8' },
    workers: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '20' },
  },
});
const phaseMs = Number(values.seconds) * 1000;
const rates = String(values.rates).split(',').map(Number);
const workerCount = Number(values.workers);
const projectId = 'demo-dashboard-bench';
const prefix = `bench${Date.now().toString(36)}_`;
const children: ChildProcess[] = [];
const root = fileURLToPath(new URL('../../', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startChild(args: string[], ready: RegExp): Promise<RegExpExecArray> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start:\n${out}`)), 60_000);
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
    child.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}:\n${out}`)));
    // Keep draining output so a chatty child never blocks on a full pipe.
  });
}

interface MeterConnection {
  id: string;
  client: string;
  reads: number;
}

async function meter(base: string): Promise<MeterConnection[]> {
  const res = await fetch(`${base}/emulator/v1/projects/${projectId}:meter`);
  const body = (await res.json()) as { connections?: MeterConnection[] };
  return body.connections ?? [];
}

function sdk(host: string, name: string): { port: DataPort; close(): Promise<void> } {
  const config = resolveConfig({ projectId, firestoreEmulatorHost: host, collectionPrefix: prefix });
  const app = initializeApp({ projectId, apiKey: config.apiKey }, name);
  const db = firestoreFor(app, config);
  return {
    port: createFirestoreData(db, prefix),
    close: async () => {
      await terminate(db);
      await deleteApp(app);
    },
  };
}

async function main() {
  const emulator = await startFirestoreEmulator();
  const host = `${emulator.host}:${emulator.port}`;
  const base = `http://${host}`;
  const gemini = await startChild(['worker/src/fake-gemini/cli.ts', '--port', '0', '--capacity', 'none', '--base-latency-ms', '100'], /"url":"([^"]+)"/);
  for (let i = 0; i < workerCount; i++) {
    await startChild(
      ['worker/src/cli.ts', '--emulator-host', host, '--project', projectId, '--prefix', prefix, '--fake-gemini-url', gemini[1]!, '--server-id', `bench-${i}`, '--log-level', 'info'],
      /http listening/,
    );
  }

  // The dashboard's listeners: exactly the Overview page's. Each gets its own SDK instance
  // (its own connection in the meter) so the cost is attributed per listener; the page
  // itself shares one instance, which costs the same reads.
  const specs = overviewSpecs();
  const sink = { next: () => undefined, error: (e: Error) => console.error('listener error', e.message) };
  const listeners: { name: string; client: ReturnType<typeof sdk>; connections: string[]; unsub: () => void }[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const known = new Set((await meter(base)).map((c) => c.id));
    const client = sdk(host, `dashboard-${name}`);
    await client.port.getDoc({ kind: 'doc', collection: 'stats', id: `probe-${name}` });
    const connections = (await meter(base)).map((c) => c.id).filter((id) => !known.has(id));
    const unsub = spec.kind === 'doc' ? client.port.watchDoc(spec, sink) : client.port.watchQuery(spec, sink);
    listeners.push({ name, client, connections, unsub });
  }
  await sleep(Number(values.warmup) * 1000);

  const traffic = sdk(host, 'traffic');
  const audio = makeWav(1);
  const readsByListener = async () => {
    const conns = await meter(base);
    return Object.fromEntries(
      listeners.map((l) => [l.name, conns.filter((c) => l.connections.includes(c.id)).reduce((a, c) => a + c.reads, 0)]),
    );
  };
  let submitted = 0;
  const phases = [];
  for (const rate of rates) {
    const before = await readsByListener();
    const started = Date.now();
    const phaseSubmitted = submitted;
    while (Date.now() - started < phaseMs) {
      const tick = Date.now();
      for (let k = 0; k < rate; k++) {
        const jobId = traffic.port.newId('jobs');
        const plan = await planSubmission({ audio, mimeType: 'audio/wav', userId: `user-${submitted % 20}` }, { now: Date.now(), source: 'client', jobId });
        const mutations: Mutation[] = [
          { op: 'set', collection: 'jobs', id: jobId, data: { ...clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }), createdAt: SERVER_TIME } },
          ...plan.chunks.map((c): Mutation => ({ op: 'set', collection: 'payloads', id: c.id, data: { ...encodeDoc('payloads', c.doc), createdAt: SERVER_TIME } })),
        ];
        await traffic.port.commitBatch(mutations);
        submitted += 1;
      }
      await sleep(Math.max(0, 1000 - (Date.now() - tick)));
    }
    const minutes = (Date.now() - started) / 60_000;
    const after = await readsByListener();
    const stats = await traffic.port.getDoc(specs.stats);
    const perMin = Object.fromEntries(listeners.map((l) => [l.name, Math.round(((after[l.name] ?? 0) - (before[l.name] ?? 0)) / minutes)]));
    phases.push({
      submitRatePerSec: rate,
      seconds: Math.round((Date.now() - started) / 1000),
      jobsSubmitted: submitted - phaseSubmitted,
      engineThroughputPerMin: stats?.ok ? stats.data.throughputPerMin : null,
      dashboardReadsPerMin: Object.values(perMin).reduce((a, b) => a + b, 0),
      readsPerMinByListener: perMin,
    });
  }
  for (const l of listeners) {
    l.unsub();
    await l.client.close();
  }
  await traffic.close();
  console.log(JSON.stringify({ bench: 'dashboard-reads', page: 'overview', workers: workerCount, phases }, null, 2));
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => (c.once('exit', r), c.kill('SIGTERM'))) : null)),
  );
  await emulator.stop();
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
});
