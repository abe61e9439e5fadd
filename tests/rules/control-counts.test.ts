/**
 * A job control's analytics counts (core/controls/control-counts): the redrive or cancel
 * writes its own analytics partial, named after its audit entry, in the same transaction, so
 * the rollups count an operator's redrive from the console exactly as one from the worker's
 * admin API. The rules take that one shape, with the counts the audit entry backs, and
 * nothing else: no other counter, no sample, no partial without a control made by the same
 * request.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { emptyRollupBody, type ControlCommandInput } from '@fq/worker/core';
import { analyticsPartialId, encodeDoc, type JobDoc } from '@fq/worker/schema';
import { collection, doc, getDocs, setDoc, type DocumentData } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, UID, startRulesEnv, type RulesEnv } from './support/env.js';
import { chunk, job, seed, toWeb } from './support/fixtures.js';
import { adminActor, auditWrite, runControl, type PlannedWrite } from './support/product-writes.js';

let env: RulesEnv;
const admin = adminActor(UID.admin, ADMIN_EMAIL);
const running = (): JobDoc =>
  job(UID.bob, 'running', { fence: 1, lease: { owner: 'server-1', token: 1, acquiredAt: Date.now(), expiresAt: Date.now() + 60_000, heartbeatAt: Date.now() } });
const SEEDED: [string, JobDoc][] = [
  ['dead-1', job(UID.bob, 'dead_lettered')],
  ['dead-2', job(UID.bob, 'failed')],
  ['queued-1', job(UID.bob, 'queued')],
  ['running-1', running()],
  ['forge-dead', job(UID.bob, 'dead_lettered')],
  ['forge-queued', job(UID.bob, 'queued')],
  ['forge-waiting', job(UID.bob, 'waiting')],
];

beforeAll(async () => {
  env = await startRulesEnv('counts');
  await seed(
    env,
    SEEDED.flatMap(([id, data]) => [
      { collection: 'jobs' as const, id, data },
      { collection: 'payloads' as const, id: `${id}_0000`, data: chunk(id, data.userId) },
    ]),
  );
});

afterAll(async () => {
  await env?.stop();
});

async function partials(): Promise<DocumentData[]> {
  return env.asOwner(async (db) => (await getDocs(collection(db, env.names.analyticsPartials))).docs.map((d) => ({ id: d.id, ...d.data() })));
}

const counts = (w: PlannedWrite[]): PlannedWrite => {
  const found = w.find((x) => x.collection === 'analyticsPartials');
  if (!found?.data) throw new Error('the plan has no analytics partial');
  return found;
};
const counters = (w: PlannedWrite[]): DocumentData => counts(w).data!.counters as DocumentData;

/** A partial shaped like the planner's, for `auditId`, with these counts (a control that plans none). */
function partialFor(auditId: string, patch: { redriven?: number; cancelled?: number }, at = Date.now()): PlannedWrite {
  const body = emptyRollupBody();
  const start = at - (at % 60_000);
  const serverId = `control:${auditId}`;
  const data = encodeDoc('analyticsPartials', { ...body, counters: { ...body.counters, ...patch }, periodStart: start, serverId, updatedAt: at });
  return { op: 'set', collection: 'analyticsPartials', id: analyticsPartialId(start, serverId), data: toWeb(data) as DocumentData };
}

describe("a job control's counts, as the dashboard commits them", () => {
  it('a redrive of two jobs counts two, in a partial named after its audit entry', async () => {
    const plan = await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.redrive', jobIds: ['dead-1', 'dead-2'] }, admin));
    const stored = (await partials()).find((p) => p.serverId === `control:${plan.auditId}`);
    expect(stored?.counters).toMatchObject({ redriven: 2, cancelled: 0, succeeded: 0 });
  });

  it("a cancel counts the job it cancelled, not the running job's cancel request", async () => {
    const plan = await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.cancel', jobIds: ['queued-1', 'running-1'] }, admin));
    const stored = (await partials()).find((p) => p.serverId === `control:${plan.auditId}`);
    expect(stored?.counters).toMatchObject({ cancelled: 1, redriven: 0 });
  });
});

type Forgery = [string, Parameters<typeof runControl>[2], (writes: PlannedWrite[]) => void];
const redrive: ControlCommandInput = { type: 'job.redrive', jobIds: ['forge-dead'] };
const cancel: ControlCommandInput = { type: 'job.cancel', jobIds: ['forge-queued'] };
const retry: ControlCommandInput = { type: 'job.retry', jobIds: ['forge-waiting'] };

const FORGERIES: Forgery[] = [
  ['a redrive that counts more jobs than its entry lists', redrive, (w) => void (counters(w).redriven = 2)],
  ['a redrive that counts cancels too', redrive, (w) => void (counters(w).cancelled = 1)],
  ['a cancel that counts more cancels than jobs', cancel, (w) => void (counters(w).cancelled = 5)],
  ['a cancel counted as a redrive', cancel, (w) => void Object.assign(counters(w), { cancelled: 0, redriven: 1 })],
  ['a control partial that moves another counter', redrive, (w) => void (counters(w).succeeded = 10)],
  ['a control partial without a counter', redrive, (w) => void delete counters(w).tokens],
  ['a control partial with a latency sample', redrive, (w) => void ((counts(w).data!.latency as number[])[3] = 1)],
  ['a control partial with failures by class', redrive, (w) => void (counts(w).data!.failuresByClass = { overloaded: 1 })],
  ['a control partial with an extra field', redrive, (w) => void (counts(w).data!.note = 'x')],
  ['a control partial under another id', redrive, (w) => void (counts(w).id = `${counts(w).id}x`)],
  ['a control partial an hour back', redrive, (w) => {
    const old = partialFor(auditWrite(w).id!, { redriven: 1 }, Date.now() - 3_600_000);
    w.splice(w.indexOf(counts(w)), 1, old);
  }],
  ['a control partial naming another entry', redrive, (w) => {
    const other = partialFor(`${auditWrite(w).id!}x`, { redriven: 1 });
    w.splice(w.indexOf(counts(w)), 1, other);
  }],
  ['a retry that counts a redrive', retry, (w) => void w.push(partialFor(auditWrite(w).id!, { redriven: 1 }))],
];

describe('forged counts from an admin are refused and change nothing', () => {
  for (const [what, command, forge] of FORGERIES) {
    it(what, async () => {
      const before = (await partials()).length;
      await assertFails(runControl(env.db('admin'), env.names, command, admin, { tamper: forge }));
      expect((await partials()).length).toBe(before);
    });
  }

  it('a partial on its own, naming an entry an earlier control created', async () => {
    const earlier = (await partials())[0]!.serverId as string;
    // The next minute: a new document (the earlier control's own partial is this minute's).
    const own = partialFor(earlier.slice('control:'.length), { redriven: 2 }, Date.now() + 61_000);
    await assertFails(setDoc(doc(env.db('admin'), env.names.analyticsPartials, own.id!), own.data!));
  });

  it('nobody but an admin writes one, even with the control', async () => {
    await assertFails(runControl(env.db('bob'), env.names, redrive, adminActor(UID.bob, null)));
  });

  it('the forged targets are untouched', async () => {
    const jobs = await env.asOwner(async (db) => Object.fromEntries((await getDocs(collection(db, env.names.jobs))).docs.map((d) => [d.id, d.data()])));
    expect(jobs['forge-dead']).toMatchObject({ status: 'dead_lettered', redriveCount: 0 });
    expect(jobs['forge-queued']).toMatchObject({ status: 'queued' });
    expect(jobs['forge-waiting']).toMatchObject({ status: 'waiting' });
    expect(await partials()).toHaveLength(2);
  });
});
