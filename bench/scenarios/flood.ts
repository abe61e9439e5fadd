import type { MeterSnapshot } from '@fq/emulator';
import {
  collectionNames,
  FirestoreStore,
  planSubmission,
  seededRandom,
  submissionQuotaSchema,
  SubmissionThrottledError,
  SINGLETON_IDS,
  type SubmissionPlan,
  type SubmissionQuota,
} from '@fq/worker';
import { makeTestWav } from '@fq/fake-gemini';
import { emulatorMeter } from '../../system/meter.js';
import { NeedsOurEmulatorError } from '../lib/firestore-target.js';
import { describeFigure } from '../lib/goals.js';
import { allJobs } from '../lib/queue-driver.js';
import { startRig, type Rig } from '../lib/rig.js';
import type { Scenario } from '../lib/scenario.js';
import { poissonGaps, round } from '../lib/stats.js';
import { WebUser } from '../lib/web-users.js';
import { benchConfig } from './overload-fleet.js';
import { delta, floodCost, floodGoalFigures, sideFigures, type Attempt, type Counts, type JobView, type SideFigures } from './flood-figures.js';

/**
 * Fair admission under a flood (issue 18): one user writes `floodSubmissions` submissions
 * through the web SDK as fast as it can (several commits in flight, no reads, the gate
 * counted on blindly and reopened as soon as its window may be due: the fastest way past
 * the rules), while `others` users submit normally, each at a Poisson rate, the way the
 * end-user hook does. A calm phase (the others alone) comes first, for comparison.
 *
 * Figures: the others' admission delay (admittedAt - createdAt of their jobs, both
 * Firestore commit times) and anything of theirs not admitted; the flooder's attempts
 * accepted and refused; what the refusals cost (the emulator meter, per connection: the
 * flooder's own, and the workers' from the flood's start until every submission was
 * decided).
 *
 * `unprotected` runs the same on a fleet that publishes a quota no flood reaches, which is
 * what the rules did before the quota existed: every flood document is stored and the
 * admitters work through them oldest first, everyone else behind them.
 */
export interface FloodOptions {
  workers: number;
  concurrency: number;
  others: number;
  /** Submissions per second of each other user (Poisson arrivals). */
  otherRatePerSec: number;
  calmMs: number;
  /** How long the others keep submitting once the flood starts. */
  floodPhaseMs: number;
  floodSubmissions: number;
  /** The flooder's commits in flight at once. */
  floodLanes: number;
  /** Also run the flood against a fleet without an effective quota. */
  unprotected: boolean;
  decideTimeoutMs: number;
}

export interface FloodSideResult {
  quota: SubmissionQuota;
  calm: { others: SideFigures };
  flood: {
    others: SideFigures;
    flooder: SideFigures & { durationMs: number };
    cost: ReturnType<typeof floodCost>;
  };
  figures: ReturnType<typeof floodGoalFigures>;
  /** Every meter connection's charges from the flood's start to the end, with the role the harness gave it. */
  connections: { id: string; client: string; role: string; charged: Counts }[];
}

export interface FloodResult {
  options: FloodOptions;
  protected: FloodSideResult;
  unprotected: FloodSideResult | null;
  /** The figures of the protected side (the defaults), where the goals are judged. */
  figures: FloodSideResult['figures'];
}

const MODEL = 'gemini-2.5-flash';
/** A quota no flood of this bench reaches: no quota at all, as far as it can tell. */
const NO_QUOTA: SubmissionQuota = { perWindow: 1_000_000, windowMs: 1_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function codeOf(error: unknown): string {
  if (error instanceof SubmissionThrottledError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message.slice(0, 80) : String(error);
}

function outcomeOf(error: unknown): Attempt['outcome'] {
  return error instanceof SubmissionThrottledError || codeOf(error) === 'permission-denied' ? 'refused' : 'error';
}

async function plan(uid: string, n: number, durationSec: number): Promise<SubmissionPlan> {
  const audio = makeTestWav({ durationSec, toneHz: 200 + (n % 1500) });
  return planSubmission({ audio, mimeType: 'audio/wav', userId: uid, priority: 'normal' }, { now: Date.now(), source: 'client' });
}

/** Waits until the leader has published `quota` in the stats document (the rules read it there). */
async function waitForQuota(store: FirestoreStore, quota: SubmissionQuota, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { doc } = await store.get('stats', SINGLETON_IDS.queueStats).catch(() => ({ doc: null }));
    const q = doc?.submissionQuota;
    if (q && q.perWindow === quota.perWindow && q.windowMs === quota.windowMs) return;
    if (Date.now() > deadline) throw new Error(`flood: the leader did not publish the submission quota within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

const connectionIds = (m: MeterSnapshot) => new Set(m.connections.map((c) => c.id));

/** The meter connection that `action` opens (null when none or several appeared). */
async function newConnection(meter: ReturnType<typeof emulatorMeter>, action: () => Promise<unknown>): Promise<string | null> {
  const before = connectionIds(await meter.read());
  await action();
  const fresh = [...connectionIds(await meter.read())].filter((id) => !before.has(id));
  return fresh.length === 1 ? fresh[0]! : null;
}

function countsOf(m: MeterSnapshot, ids: (c: MeterSnapshot['connections'][number]) => boolean): Counts {
  return m.connections.filter(ids).reduce((a, c) => ({ reads: a.reads + c.reads, writes: a.writes + c.writes, deletes: a.deletes + c.deletes }), { reads: 0, writes: 0, deletes: 0 });
}

/** The others submit like the hook at Poisson times until `untilMs` (Date.now()). */
async function submitNormally(users: readonly WebUser[], options: { untilMs: number; ratePerSec: number; quota: SubmissionQuota; seed: number }): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  await Promise.all(
    users.map(async (user, u) => {
      const random = seededRandom(options.seed * 1_000 + u);
      let n = 0;
      for (;;) {
        await sleep(poissonGaps(1, 1_000 / options.ratePerSec, random)[0]!);
        if (Date.now() >= options.untilMs) return;
        const p = await plan(user.uid, n++, 0.2);
        try {
          await user.submitLikeTheHook(p, options.quota);
          attempts.push({ uid: user.uid, jobId: p.jobId, outcome: 'accepted', code: null });
        } catch (error) {
          attempts.push({ uid: user.uid, jobId: p.jobId, outcome: outcomeOf(error), code: codeOf(error) });
        }
      }
    }),
  );
  return attempts;
}

/**
 * The flood: `lanes` commits in flight until every plan was tried. A lane reopens the gate
 * when the window it last saw opened may be over, and counts on blindly otherwise.
 */
async function flood(user: WebUser, plans: readonly SubmissionPlan[], lanes: number, quota: SubmissionQuota): Promise<{ attempts: Attempt[]; durationMs: number }> {
  const attempts: Attempt[] = [];
  let next = 0;
  let openedAt: number | null = null;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < plans.length) {
        const p = plans[next++]!;
        const step = openedAt === null || Date.now() >= openedAt + quota.windowMs ? 'open' : 'next';
        const sentAt = Date.now();
        try {
          await user.submitBlind(p, step);
          if (step === 'open') openedAt = sentAt;
          attempts.push({ uid: user.uid, jobId: p.jobId, outcome: 'accepted', code: null });
        } catch (error) {
          attempts.push({ uid: user.uid, jobId: p.jobId, outcome: outcomeOf(error), code: codeOf(error) });
        }
      }
    }),
  );
  return { attempts, durationMs: Date.now() - started };
}

function jobViews(jobs: Awaited<ReturnType<typeof allJobs>>): Map<string, JobView> {
  return new Map(
    jobs.map((j) => [j.id, { id: j.id, status: j.status, createdAt: j.createdAt, admittedAt: j.admittedAt ?? null, rejectionCode: j.rejection?.code ?? null }]),
  );
}

async function runSide(options: FloodOptions, seed: number, quotaConfig: SubmissionQuota | null, tag: string, log: (m: string) => void): Promise<FloodSideResult> {
  const quota = submissionQuotaSchema.parse(quotaConfig ?? {});
  const rig: Rig = await startRig({
    tag,
    projectId: `demo-fq-bench-${tag}`,
    fake: { capacity: null, baseLatencyMs: 100, latencyMsPerAudioSecond: 0, latencyJitter: 0 },
    // Production admission limits (benchConfig raises them for one-user backlogs).
    config: benchConfig(MODEL, 3, { rateLimiting: {}, ...(quotaConfig ? { submissionQuota: quotaConfig } : {}) }),
    workers: options.workers,
    concurrency: options.concurrency,
    log,
  });
  const users: WebUser[] = [];
  const poller = new FirestoreStore({ projectId: rig.system.info.projectId, prefix: rig.prefix, emulatorHost: rig.system.info.firestore.hostAndPort });
  try {
    if (!rig.system.info.firestore.ours) throw new NeedsOurEmulatorError('flood (the meter and security rules of our emulator)');
    const meter = emulatorMeter(rig.system.info);
    await waitForQuota(rig.store, quota, 90_000);
    const hostAndPort = rig.system.info.firestore.hostAndPort;
    const connect = (uid: string, host = hostAndPort) =>
      WebUser.connect({ uid, host, projectId: rig.system.info.projectId, prefix: rig.prefix, names: collectionNames(rig.prefix) });
    // The web SDK instances of one process share a gRPC connection per target: the flooder
    // reaches the emulator under another name, so the meter bills it on a connection of its
    // own. One at a time, so the meter's new connection is the one just opened.
    const port = hostAndPort.slice(hostAndPort.lastIndexOf(':') + 1);
    const flooder = connect('flooder', hostAndPort.startsWith('127.0.0.1:') ? `localhost:${port}` : hostAndPort);
    const flooderConnection = await newConnection(meter, () => flooder.readGate());
    const pollerConnection = await newConnection(meter, () => poller.get('stats', SINGLETON_IDS.queueStats));
    const others = Array.from({ length: options.others }, (_, i) => connect(`user-${i + 1}`));
    users.push(flooder, ...others);
    // The others share one connection (the first opens it).
    const userConnections = new Set<string>();
    for (const u of others) {
      const id = await newConnection(meter, () => u.readGate());
      if (id) userConnections.add(id);
    }
    const isEngine = (c: MeterSnapshot['connections'][number]) =>
      (c.client ?? '').includes('fire-admin') && c.id !== pollerConnection && c.id !== flooderConnection && !userConnections.has(c.id);

    log(`flood ${tag}: calm phase, ${options.others} users at ${options.otherRatePerSec}/s each for ${options.calmMs / 1000} s`);
    const calm = await submitNormally(others, { untilMs: Date.now() + options.calmMs, ratePerSec: options.otherRatePerSec, quota, seed });

    const plans = await Promise.all(Array.from({ length: options.floodSubmissions }, (_, i) => plan('flooder', i, 0.05)));
    const before = await meter.read();
    log(`flood ${tag}: ${options.floodSubmissions} submissions from one user (${options.floodLanes} in flight) while the others go on for ${options.floodPhaseMs / 1000} s`);
    const [othersInFlood, flooded] = await Promise.all([
      submitNormally(others, { untilMs: Date.now() + options.floodPhaseMs, ratePerSec: options.otherRatePerSec, quota, seed: seed + 1 }),
      flood(flooder, plans, options.floodLanes, quota),
    ]);
    // Every accepted submission decided (admitted or rejected): a count aggregation, 1 read a look.
    const deadline = Date.now() + options.decideTimeoutMs;
    while ((await poller.count({ collection: 'jobs', where: [{ field: 'status', op: '==', value: 'submitted' }] })) > 0 && Date.now() < deadline) await sleep(250);
    const after = await meter.read();
    const jobs = jobViews(await allJobs(poller));

    const floodFigures = sideFigures(flooded.attempts, jobs);
    const othersFigures = sideFigures(othersInFlood, jobs);
    const flooderAfter = flooderConnection ? after.connections.find((c) => c.id === flooderConnection) : undefined;
    const flooderBefore = flooderConnection ? before.connections.find((c) => c.id === flooderConnection) : undefined;
    const cost = floodCost({
      flooder: flooderAfter ? delta(flooderAfter, flooderBefore ?? null) : null,
      engine: delta(countsOf(after, isEngine), countsOf(before, isEngine)),
      accepted: floodFigures.accepted,
      acceptedAll: floodFigures.accepted + othersFigures.accepted,
      // The job, one chunk (the flood's audio is tiny) and the gate step.
      writesPerAccepted: (plans[0]?.chunks.length ?? 1) + 2,
    });
    const roleOf = (c: MeterSnapshot['connections'][number]) =>
      c.id === flooderConnection ? 'flooder' : c.id === pollerConnection ? 'harness' : userConnections.has(c.id) ? 'user' : isEngine(c) ? 'worker' : 'other';
    const connections = after.connections.map((c) => ({
      id: c.id,
      client: c.client ?? '',
      role: roleOf(c),
      charged: delta(c, before.connections.find((b) => b.id === c.id) ?? null),
    }));
    return {
      quota,
      connections,
      calm: { others: sideFigures(calm, jobs) },
      flood: { others: othersFigures, flooder: { ...floodFigures, durationMs: flooded.durationMs }, cost },
      figures: floodGoalFigures(othersFigures, floodFigures, cost),
    };
  } finally {
    for (const u of users) await u.close();
    await poller.close().catch(() => undefined);
    await rig.stop();
  }
}

export async function measureFlood(options: FloodOptions, seed: number, log: (m: string) => void): Promise<FloodResult> {
  const guarded = await runSide(options, seed, null, 'flood', log);
  const open = options.unprotected ? await runSide(options, seed, NO_QUOTA, 'floodopen', log) : null;
  return { options, protected: guarded, unprotected: open, figures: guarded.figures };
}

export function floodDefaults(quick: boolean): FloodOptions {
  return quick
    ? { workers: 2, concurrency: 4, others: 5, otherRatePerSec: 0.5, calmMs: 4_000, floodPhaseMs: 8_000, floodSubmissions: 1_000, floodLanes: 8, unprotected: false, decideTimeoutMs: 60_000 }
    : { workers: 2, concurrency: 4, others: 5, otherRatePerSec: 0.5, calmMs: 20_000, floodPhaseMs: 40_000, floodSubmissions: 1_000, floodLanes: 8, unprotected: true, decideTimeoutMs: 180_000 };
}

function sideRows(label: string, side: FloodSideResult): (string | number | null)[][] {
  const d = (s: SideFigures) => s.admissionDelayMs;
  const f = side.flood;
  return [
    [`${label}: others, calm`, side.calm.others.attempts, side.calm.others.admitted, d(side.calm.others).p50, d(side.calm.others).p95, d(side.calm.others).max],
    [`${label}: others, during the flood`, f.others.attempts, f.others.admitted, d(f.others).p50, d(f.others).p95, d(f.others).max],
    [`${label}: flooder`, f.flooder.attempts, f.flooder.admitted, d(f.flooder).p50, d(f.flooder).p95, d(f.flooder).max],
  ];
}

export const floodScenario: Scenario<FloodResult> = async (ctx) => {
  const options = floodDefaults(ctx.quick);
  const result = await measureFlood(options, ctx.seed, ctx.log);
  const p = result.protected;
  const sides: [string, FloodSideResult][] = [['quota', p], ...(result.unprotected ? [['no quota', result.unprotected] as [string, FloodSideResult]] : [])];
  const costRow = (label: string, s: FloodSideResult) => {
    const c = s.flood.cost;
    const fl = s.flood.flooder;
    return [
      label,
      `${fl.accepted} / ${fl.refused}${fl.errors ? ` (+${fl.errors} errors)` : ''}`,
      round(fl.durationMs / 1000, 1),
      c.flooder ? `${c.flooder.reads} r, ${c.flooder.writes} w` : 'n/a',
      c.refusedAttempts ? `${c.refusedAttempts.reads} r, ${c.refusedAttempts.writes} w` : 'n/a',
      `${c.engine.reads} r, ${c.engine.writes} w, ${c.engine.deletes} d`,
      c.engineOpsPerAcceptedSubmission,
      Object.entries(fl.rejectedByCode).map(([k, v]) => `${k} ${v}`).join(', ') || '-',
    ];
  };
  return {
    result,
    tables: [
      {
        title: `flood: admission delay (ms, admittedAt - createdAt, Firestore time), ${options.others} users at ${options.otherRatePerSec}/s each, one flooder (${options.floodSubmissions} submissions, ${options.floodLanes} in flight), ${options.workers} workers`,
        headers: ['', 'submitted', 'admitted', 'p50', 'p95', 'max'],
        rows: sides.flatMap(([label, s]) => sideRows(label, s)),
        notes: [
          `quota: ${p.quota.perWindow} per ${p.quota.windowMs} ms (the defaults); "no quota": ${NO_QUOTA.perWindow} per ${NO_QUOTA.windowMs} ms`,
          ...Object.entries(result.figures).map(([k, f]) => `${k}: ${describeFigure(f)}`),
        ],
      },
      {
        title: 'flood: what the flood cost (emulator meter: r = reads, w = writes, d = deletes)',
        headers: ['', 'flooder accepted / refused', 'flood s', 'billed to the flooder', 'of which refusals', 'billed to the workers', 'worker ops / accepted submission', 'engine rejections'],
        rows: sides.map(([label, s]) => costRow(label, s)),
        notes: [
          'billed to the workers: from the flood\'s start until every submission was decided; per accepted submission: over the flooder\'s and the others\' (admission, the run, listeners, heartbeats and leader duties included)',
          'a refused request stores nothing and our meter bills it nothing; Firestore also bills the documents the rules look up (here the tenants list, the stats document and the gate), which no emulator meters',
        ],
      },
    ],
  };
};
