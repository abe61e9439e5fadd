/**
 * Start benchmark of the standalone tool (not a test): the built CLI spawned as a child
 * process, timed until its port answers both an HTTP health check and a gRPC channel
 * (median of several starts), its RSS right after start and after loading documents through
 * the SDK, the export and import of those documents, next to the figures measured before the
 * built CLI existed. Prints one JSON object.
 *
 *   npm run bench -w @fq/emulator                      (builds dist/ first)
 *   npx tsx emulator/bench/start.ts [--starts 7] [--docs 100000] [--tsx-starts 3]
 */
import * as grpc from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { Timestamp, getFirestore } from 'firebase-admin/firestore';
import { ensureBuiltCli } from '../src/testing/built-cli.js';

const { values } = parseArgs({
  options: { starts: { type: 'string', default: '7' }, docs: { type: 'string', default: '100000' }, 'tsx-starts': { type: 'string', default: '3' } },
});
const starts = Number(values.starts);
const docCount = Number(values.docs);
const tsxStarts = Number(values['tsx-starts']);
const sourceCli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

/** Figures measured before the built CLI (issue 20): through tsx, on this 2-core machine. */
const PREVIOUS = { startMs: '900-1500 (tsx, src/cli.ts)', rssMbAfterStart: 172 };
const GOALS = { startMs: 500, rssMbAfterStart: 100 };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * CPU time (user + system) the process has used, from /proc (Linux; undefined elsewhere): a
 * start's cost independent of how busy the machine is, which wall time is not.
 */
function cpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function rssMb(pid: number): number {
  return Math.round(Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) / 1024);
}

async function httpAnswers(port: number, deadline: number): Promise<void> {
  while (performance.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      if ((await res.text()) === 'Ok') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('health endpoint did not answer');
}

/** A new gRPC channel to a port that already accepts connections connects at once. */
async function grpcReady(port: number): Promise<void> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (err) => (err ? reject(err) : resolve())));
  } finally {
    client.close();
  }
}

interface Started {
  child: ChildProcess;
  port: number;
  ms: number;
  cpuMs: number | undefined;
}

/** Spawns the CLI and resolves once HTTP and gRPC both answer on its port. */
async function startCli(nodeArgs: string[], extra: string[] = []): Promise<Started> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, '--host', '127.0.0.1', '--port', String(port), '--no-rules', '--log-level', 'warn', ...extra], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await httpAnswers(port, t0 + 120_000);
  await grpcReady(port);
  return { child, port, ms: performance.now() - t0, cpuMs: cpuMs(child.pid!) };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const summary = (ms: number[]): { medianMs: number; minMs: number; maxMs: number; samplesMs: number[] } => {
  const s = [...ms].sort((a, b) => a - b);
  const r = (n: number): number => Math.round(n);
  return { medianMs: r(s[Math.floor(s.length / 2)]!), minMs: r(s[0]!), maxMs: r(s[s.length - 1]!), samplesMs: ms.map(r) };
};

const bin = ensureBuiltCli();

// 1. Start time of the built CLI (and RSS right after each start).
const startMs: number[] = [];
const startCpuMs: number[] = [];
const rssAfterStart: number[] = [];
for (let i = 0; i < starts; i++) {
  const s = await startCli([bin]);
  startMs.push(s.ms);
  if (s.cpuMs !== undefined) startCpuMs.push(s.cpuMs);
  rssAfterStart.push(rssMb(s.child.pid!));
  await stop(s.child);
}

// 2. The same CLI run from source through tsx (how it started before).
const tsxMs: number[] = [];
const tsxCpuMs: number[] = [];
for (let i = 0; i < tsxStarts; i++) {
  const s = await startCli(['--import', 'tsx', sourceCli]);
  tsxMs.push(s.ms);
  if (s.cpuMs !== undefined) tsxCpuMs.push(s.cpuMs);
  await stop(s.child);
}

// 3. RSS after loading documents through the SDK, then export and a start that imports them.
const loaded = await startCli([bin]);
const projectId = 'demo-start-bench';
const app = initializeApp({ projectId }, `start-bench-${process.pid}`);
const db = getFirestore(app);
db.settings({ host: `127.0.0.1:${loaded.port}`, ssl: false });
const loadStart = performance.now();
for (let i = 0; i < docCount; i += 500) {
  const batch = db.batch();
  for (let j = i; j < Math.min(docCount, i + 500); j++) {
    batch.set(db.doc(`jobs/j${String(j).padStart(7, '0')}`), {
      status: j % 10 === 0 ? 'queued' : 'done',
      rank: (j * 7919) % docCount,
      owner: `user-${j % 97}`,
      attempts: j % 4,
      createdAt: Timestamp.fromMillis(1_700_000_000_000 + j),
      audio: { lang: 'en', durationMs: 1000 + (j % 5000) },
    });
  }
  await batch.commit();
}
const loadMs = performance.now() - loadStart;
const rssAfterDocs = rssMb(loaded.child.pid!);
const exportDir = mkdtempSync(join(tmpdir(), 'fq-start-bench-'));
const exportStart = performance.now();
const exported = await fetch(`http://127.0.0.1:${loaded.port}/emulator/v1/projects/${projectId}:export`, { method: 'POST', body: JSON.stringify({ exportDirectory: exportDir }) });
if (!exported.ok) throw new Error(`export failed: ${await exported.text()}`);
const exportMs = performance.now() - exportStart;
await db.terminate();
await deleteApp(app);
await stop(loaded.child);
const imported = await startCli([bin], ['--import', exportDir]);
const rssAfterImport = rssMb(imported.child.pid!);
await stop(imported.child);
rmSync(exportDir, { recursive: true, force: true });

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medianCpu = (xs: number[]): number | null => (xs.length ? Math.round(median(xs)) : null);
console.log(
  JSON.stringify(
    {
      node: process.version,
      machine: { cpus: cpus().length, loadAverage1m: Math.round(loadavg()[0]! * 100) / 100 },
      builtCli: {
        command: 'node bin/fq-firestore-emulator.mjs (dist/cli.cjs + V8 code cache)',
        start: { measuredUntil: 'HTTP GET / answers Ok, then a new gRPC channel is READY', starts, ...summary(startMs), medianCpuMs: medianCpu(startCpuMs) },
        rssMbAfterStart: median(rssAfterStart),
        documents: docCount,
        loadDocumentsMs: Math.round(loadMs),
        rssMbAfterDocuments: rssAfterDocs,
        exportMs: Math.round(exportMs),
        startWithImportMs: Math.round(imported.ms),
        rssMbAfterImport: rssAfterImport,
      },
      sourceThroughTsx: { command: 'node --import tsx src/cli.ts', starts: tsxStarts, ...summary(tsxMs), medianCpuMs: medianCpu(tsxCpuMs) },
      previous: PREVIOUS,
      goals: GOALS,
    },
    null,
    2,
  ),
);
process.exit(0);
