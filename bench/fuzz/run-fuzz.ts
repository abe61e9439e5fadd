import {
  collectionNames,
  createQueue,
  queueStatsDocSchema,
  SINGLETON_IDS,
  FirestoreStore,
  GeminiTranscriber,
  QueueWorker,
  seededRandom,
  type DocStore,
  type SubmissionQuota,
} from '@fq/worker';
import { startFakeGemini } from '@fq/fake-gemini';
import { servePrefix } from '../../system/tenants.js';
import { startFirestoreTarget, type FirestoreTarget } from '../lib/firestore-target.js';
import { runPrefix } from '../lib/scenario.js';
import { benchConfig } from '../scenarios/overload-fleet.js';
import { accessCase, type AccessCase } from './access-cases.js';
import { clientCase, type ClientCase } from './client-cases.js';
import { controlClaims, runControlCase } from './control-run.js';
import { FUZZ_SUBMISSION_QUOTA, runClientCase, WebClients } from './client-run.js';
import { knownGapOf, KNOWN_GAPS } from './known-gaps.js';
import { poisonHeadCheck } from './poison-head.js';
import { serverCase } from './server-cases.js';
import { runServerCase } from './server-run.js';
import type { Verdict } from './verdict.js';

export interface FuzzOptions {
  seed: number;
  serverCases: number;
  webCases: number;
  adminCases: number;
  decideTimeoutMs: number;
  /** Browser-path cases in flight at once. */
  parallel: number;
  /** Unreadable submissions written ahead of a valid one in the head-of-line check (0 = skip). */
  poisonHead: number;
  /** Tenant and priority-tier cases through the web SDK (default 0). */
  accessCases?: number;
  /** Operator controls, as the dashboard writes them or forged (audit by construction; default 0). */
  controlCases?: number;
}

export interface FuzzReport {
  options: FuzzOptions;
  /** No violation at all (known engine gaps included). */
  passed: boolean;
  verdicts: number;
  violations: Verdict[];
  /** Violations that match no known gap: what the smoke test fails on. */
  newViolations: Verdict[];
  /** Known engine gaps that reproduced, with how many cases showed each. */
  knownGaps: { id: string; cases: number; summary: string; repro: string; fix: string }[];
  /** Per path: outcome -> count, and code -> count. */
  outcomes: Record<string, Record<string, number>>;
  codes: Record<string, Record<string, number>>;
  /** Per path and category: cases and cases with a violation. */
  categories: Record<string, Record<string, { cases: number; violations: number }>>;
  /** Invalid documents the engine's store skipped (it logs and ignores them). */
  engineSkippedDocuments: number;
  durationSec: number;
}

const CONFIG = benchConfig('gemini-2.5-flash', 3, { submissionQuota: FUZZ_SUBMISSION_QUOTA });

function emptyQueueStats(now: number, submissionQuota: SubmissionQuota) {
  return queueStatsDocSchema.parse({
    at: now, leaderId: null, leaderTerm: 0, queuedByPriority: {}, byStatus: {}, inFlight: 0, activeServers: 0, throughputPerMin: 0, successRate: null,
    p50Ms: null, p95Ms: null, avgServiceMs: null, fleetConcurrency: 0, oldestQueuedAt: null, firestoreOpsPerJob: null, submissionQuota,
  });
}

/** Every document in the target's project: ours counts in process, else the queue's collections. */
function documentCounter(target: FirestoreTarget, store: DocStore): () => Promise<number> {
  if (target.emulator) {
    const db = target.emulator.service.store.database({ projectId: target.projectId, databaseId: '(default)' });
    return async () => db.documentCount();
  }
  return async () => {
    let n = 0;
    for (const key of ['jobs', 'payloads', 'rateLimits', 'idempotency'] as const) n += await store.count({ collection: key });
    return n;
  };
}

function tally(verdicts: readonly Verdict[]) {
  const outcomes: FuzzReport['outcomes'] = {};
  const codes: FuzzReport['codes'] = {};
  const categories: FuzzReport['categories'] = {};
  for (const v of verdicts) {
    const o = (outcomes[v.path] ??= {});
    o[v.outcome] = (o[v.outcome] ?? 0) + 1;
    if (v.code) {
      const c = (codes[v.path] ??= {});
      c[v.code] = (c[v.code] ?? 0) + 1;
    }
    const cats = (categories[v.path] ??= {});
    for (const name of new Set(v.categories)) {
      const entry = (cats[name] ??= { cases: 0, violations: 0 });
      entry.cases += 1;
      if (v.violations.length) entry.violations += 1;
    }
  }
  return { outcomes, codes, categories };
}

async function serverPhase(options: FuzzOptions, log: (m: string) => void): Promise<Verdict[]> {
  const target = await startFirestoreTarget({ projectId: 'demo-fq-fuzz-api' });
  const store = new FirestoreStore({ projectId: target.projectId, prefix: runPrefix('fuzz'), emulatorHost: target.host });
  try {
    const queue = createQueue({ store, config: CONFIG, clientId: 'fuzz' });
    const env = { queue, store, documents: documentCounter(target, store), prototypeBaseline: Object.getOwnPropertyNames(Object.prototype) };
    const random = seededRandom(options.seed);
    const out: Verdict[] = [];
    log(`fuzz: ${options.serverCases} server API cases`);
    for (let n = 0; n < options.serverCases; n++) out.push(await runServerCase(env, serverCase(n, random)));
    return out;
  } finally {
    await store.close();
    await target.stop();
  }
}

async function browserPhase(options: FuzzOptions, log: (m: string) => void): Promise<{ verdicts: Verdict[]; skipped: number }> {
  const target = await startFirestoreTarget({ projectId: 'demo-fq-fuzz-web', rules: true });
  const prefix = runPrefix('fuzzweb');
  let skipped = 0;
  const store = new FirestoreStore({ projectId: target.projectId, prefix, emulatorHost: target.host, onInvalidDocument: () => (skipped += 1) });
  const engineStore = new FirestoreStore({ projectId: target.projectId, prefix, emulatorHost: target.host, onInvalidDocument: () => (skipped += 1) });
  const fake = await startFakeGemini({ baseLatencyMs: 0, latencyMsPerAudioSecond: 0, capacity: null });
  const worker = new QueueWorker({
    store: engineStore,
    transcriber: new GeminiTranscriber({ apiKey: 'fuzz-key', baseUrl: fake.url }),
    config: CONFIG,
    serverId: 'fuzz-engine',
  });
  // Tenant and tier cases need users with other claims, and a second served tenant and an
  // unserved one to write into; operator controls run in a tenant of their own (served, no
  // worker), so pausing the queue or forcing a breaker open does not touch the other cases.
  const prefixes = { served: prefix, otherServed: runPrefix('fuzzoth'), unserved: runPrefix('fuzzuns') };
  const controlPrefix = runPrefix('fuzzctl');
  const random = seededRandom(options.seed + 1);
  // Their own stream: adding them leaves a seed's other cases as they were.
  const accessRandom = seededRandom(options.seed + 3);
  const access: AccessCase[] = [];
  for (let n = 0; n < (options.accessCases ?? 0); n++) access.push(await accessCase(100_000 + n, accessRandom, prefixes));
  const claims = new Map(access.map((c) => [c.uid, c.claims]));
  const web = new WebClients(target.host, target.projectId, prefix, (uid) => claims.get(uid) ?? null);
  const controlWeb = new WebClients(target.host, target.projectId, controlPrefix, (uid) => controlClaims(uid, controlPrefix, prefixes.otherServed));
  const controlStore = new FirestoreStore({ projectId: target.projectId, prefix: controlPrefix, emulatorHost: target.host });
  try {
    // The rules take client writes only into a prefix a deployment serves.
    await servePrefix(store.db, prefix);
    await servePrefix(store.db, prefixes.otherServed);
    await servePrefix(store.db, controlPrefix);
    await worker.start();
    const names = collectionNames(prefix);
    // The quota the worker's leader publishes too (CONFIG), in place before the first case.
    await store.commit([{ op: 'set', collection: 'stats', id: SINGLETON_IDS.queueStats, data: emptyQueueStats(store.now(), FUZZ_SUBMISSION_QUOTA) }]);
    const env = { store, web, names: { jobs: names.jobs, payloads: names.payloads, submissionGates: names.submissionGates }, decideTimeoutMs: options.decideTimeoutMs };
    const cases: ClientCase[] = [];
    for (let n = 0; n < options.webCases; n++) cases.push(await clientCase(n, random, 'web'));
    for (let n = 0; n < options.adminCases; n++) cases.push(await clientCase(options.webCases + n, random, 'admin'));
    log(`fuzz: ${options.webCases} web SDK (rules) cases and ${options.adminCases} admin-written submissions`);
    const verdicts: Verdict[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: options.parallel }, async () => {
        while (next < cases.length) verdicts.push(await runClientCase(env, cases[next++]!));
      }),
    );
    if (access.length > 0) {
      log(`fuzz: ${access.length} tenant and priority-tier cases (web SDK, users with other claims)`);
      const envFor = (p: string) => {
        const n = collectionNames(p);
        return { ...env, names: { jobs: n.jobs, payloads: n.payloads, submissionGates: n.submissionGates } };
      };
      let nextAccess = 0;
      await Promise.all(
        Array.from({ length: options.parallel }, async () => {
          while (nextAccess < access.length) {
            const c = access[nextAccess++]!;
            verdicts.push({ ...(await runClientCase(envFor(c.prefix), c)), path: 'access' });
          }
        }),
      );
    }
    if ((options.controlCases ?? 0) > 0) {
      log(`fuzz: ${options.controlCases} operator controls (audit by construction), valid or forged`);
      const controlEnv = { store: controlStore, web: controlWeb, names: collectionNames(controlPrefix), tenant: controlPrefix, otherTenant: prefixes.otherServed };
      const controlRandom = seededRandom(options.seed + 2);
      for (let n = 0; n < options.controlCases!; n++) verdicts.push({ ...(await runControlCase(controlEnv, 200_000 + n, controlRandom)), path: 'control' });
    }
    if (options.poisonHead > 0) {
      log(`fuzz: head-of-line check (${options.poisonHead} unreadable submissions, then a valid one)`);
      verdicts.push(await poisonHeadCheck(env, options.poisonHead, cases.length));
    }
    return { verdicts: verdicts.sort((a, b) => a.n - b.n), skipped };
  } finally {
    await worker.stop({ graceMs: 1_000 }).catch(() => undefined);
    await web.close().catch(() => undefined);
    await controlWeb.close().catch(() => undefined);
    await controlStore.close();
    await engineStore.close();
    await store.close();
    await fake.close();
    await target.stop();
  }
}

export async function runFuzz(options: FuzzOptions, log: (m: string) => void): Promise<FuzzReport> {
  const started = Date.now();
  const server = await serverPhase(options, log);
  const browser = await browserPhase(options, log);
  const verdicts = [...server, ...browser.verdicts];
  const violations = verdicts.filter((v) => v.violations.length > 0);
  const gapCases = new Map<string, number>();
  const newViolations = violations.filter((v) => {
    let unknown = false;
    for (const problem of v.violations) {
      const gap = knownGapOf(v, problem);
      if (gap) gapCases.set(gap.id, (gapCases.get(gap.id) ?? 0) + 1);
      else unknown = true;
    }
    return unknown;
  });
  return {
    options,
    passed: violations.length === 0,
    verdicts: verdicts.length,
    violations,
    newViolations,
    knownGaps: KNOWN_GAPS.filter((g) => gapCases.has(g.id)).map((g) => ({ id: g.id, cases: gapCases.get(g.id)!, summary: g.summary, repro: g.repro, fix: g.fix })),
    ...tally(verdicts),
    engineSkippedDocuments: browser.skipped,
    durationSec: Math.round((Date.now() - started) / 1000),
  };
}
