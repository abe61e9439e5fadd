/**
 * Rules are not filters: a list is allowed only when the query itself guarantees every
 * result may be read. The end-user hook's queries pin `userId == uid`; the dashboard's
 * queries run as an admin.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { ACTIVE_STATUSES, QUERIES, buildQuery, type BuiltQuery, type CollectionKey } from '@fq/worker/schema';
import {
  Timestamp,
  collection,
  collectionGroup,
  doc,
  getCountFromServer,
  getDoc,
  getDocs,
  limit,
  onSnapshot,
  or,
  orderBy,
  query,
  where,
  type Query,
} from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UID, startRulesEnv, type Role, type RulesEnv } from './support/env.js';
import { engineDocs, HOUR_AGO, job, seed } from './support/fixtures.js';

let env: RulesEnv;

beforeAll(async () => {
  env = await startRulesEnv('queries');
  const base = engineDocs(UID.alice);
  await seed(env, [
    { collection: 'jobs', id: 'a1', data: job(UID.alice, 'queued') },
    { collection: 'jobs', id: 'a2', data: job(UID.alice, 'succeeded') },
    { collection: 'jobs', id: 'b1', data: job(UID.bob, 'queued') },
    { collection: 'rateLimits', id: UID.alice, data: base.rateLimits.data },
    { collection: 'stats', id: 'queue', data: base.stats.data },
    { collection: 'controls', id: 'queue', data: base.controls.data },
    { collection: 'audit', id: 'e1', data: base.audit.data },
    { collection: 'analytics', id: base.analytics.id, data: base.analytics.data },
  ]);
});

afterAll(async () => {
  await env?.stop();
});

const jobs = (role: Role) => collection(env.db(role), env.names.jobs);

/** A registered query shape as the web SDK runs it. */
function sdkQuery(role: Role, built: BuiltQuery<CollectionKey, unknown>): Query {
  return query(
    collection(env.db(role), env.names[built.collection]),
    ...built.where.map((f) => where(f.field, f.op, f.value)),
    ...built.orderBy.map((o) => orderBy(o.field, o.direction)),
    ...(built.limit !== undefined ? [limit(built.limit)] : []),
  );
}

/** The hook's two live queries (src/data/queries.ts `userJobs` and `userActiveJobs`), from the registry. */
const userJobs = (role: Role, uid: string) => sdkQuery(role, buildQuery(QUERIES.userJobs, { userId: uid }, { limit: 20 }));
const activeJobs = (role: Role, uid: string) =>
  sdkQuery(role, buildQuery(QUERIES.userJobsInStatuses, { userId: uid, status: [...ACTIVE_STATUSES] }, { limit: 50 }));

/** The listener's first answer from the server (the SDK may show its cache before that). */
function firstSnapshot(q: Query): Promise<number> {
  return new Promise((resolve, reject) => {
    const stop = onSnapshot(
      q,
      { includeMetadataChanges: true },
      (snap) => {
        if (snap.metadata.fromCache) return;
        stop();
        resolve(snap.size);
      },
      (err) => reject(err),
    );
  });
}

describe("an end user's own jobs", () => {
  it("the hook's recent-jobs query returns alice's jobs only", async () => {
    const snap = await assertSucceeds(getDocs(userJobs('alice', UID.alice)));
    expect(snap.docs.map((d) => d.id).sort()).toEqual(['a1', 'a2']);
  });

  it("the hook's active-jobs query (status in [...]) is allowed", async () => {
    const snap = await assertSucceeds(getDocs(activeJobs('alice', UID.alice)));
    expect(snap.docs.map((d) => d.id)).toEqual(['a1']);
  });

  it('as a live listener too', async () => {
    expect(await assertSucceeds(firstSnapshot(userJobs('alice', UID.alice)))).toBe(2);
  });

  it('a count of her own jobs is allowed', async () => {
    const count = await assertSucceeds(getCountFromServer(query(jobs('alice'), where('userId', '==', UID.alice))));
    expect(count.data().count).toBe(2);
  });
});

describe('the queue documents an end user reads', () => {
  it('the stats document, with the pause switches mirrored in it, but not the controls document', async () => {
    const stats = await assertSucceeds(getDoc(doc(env.db('alice'), env.names.stats, 'queue')));
    expect(stats.data()).toMatchObject({ paused: false, pausedPriorities: [] });
    // It names the operator who paused and why: admins only.
    await assertFails(getDoc(doc(env.db('alice'), env.names.controls, 'queue')));
    await assertSucceeds(getDoc(doc(env.db('admin'), env.names.controls, 'queue')));
  });
});

describe('queries that could return documents the user may not read are refused', () => {
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['no filter', () => getDocs(query(jobs('alice'), limit(10)))],
    ["another user's jobs", () => getDocs(userJobs('alice', UID.bob))],
    ['userId in [alice, bob]', () => getDocs(query(jobs('alice'), where('userId', 'in', [UID.alice, UID.bob])))],
    ['userId != bob', () => getDocs(query(jobs('alice'), where('userId', '!=', UID.bob)))],
    ['own jobs OR queued jobs', () => getDocs(query(jobs('alice'), or(where('userId', '==', UID.alice), where('status', '==', 'queued'))))],
    ['by status only', () => getDocs(query(jobs('alice'), where('status', '==', 'queued')))],
    ['a count of all jobs', () => getCountFromServer(jobs('alice'))],
    ['a listener on all jobs', () => firstSnapshot(query(jobs('alice'), limit(10)))],
    ['a collection-group query, even on own jobs', () => getDocs(query(collectionGroup(env.db('alice'), env.names.jobs), where('userId', '==', UID.alice)))],
    ['rate limits, even filtered to her own', () => getDocs(query(collection(env.db('alice'), env.names.rateLimits), where('userId', '==', UID.alice)))],
    ['the stats collection (only its queue document is readable)', () => getDocs(collection(env.db('alice'), env.names.stats))],
    ['signed out, own jobs of nobody', () => getDocs(userJobs('anonymous', UID.alice))],
  ];
  for (const [what, run] of cases) {
    it(what, async () => {
      await assertFails(run());
    });
  }
});

describe("the dashboard's queries, as an admin", () => {
  it('job search, audit log, rollups, top consumers and listeners', async () => {
    const db = env.db('admin');
    const search = query(
      jobs('admin'),
      where('status', '==', 'queued'),
      where('createdAt', '>=', Timestamp.fromMillis(HOUR_AGO - 60_000)),
      orderBy('createdAt', 'desc'),
      limit(50),
    );
    expect((await assertSucceeds(getDocs(search))).size).toBe(2);
    await assertSucceeds(getDocs(query(collection(db, env.names.audit), orderBy('at', 'desc'), limit(50))));
    await assertSucceeds(getDocs(query(collection(db, env.names.analytics), where('granularity', '==', 'minute'), orderBy('periodStart', 'desc'), limit(60))));
    await assertSucceeds(getDocs(query(collection(db, env.names.rateLimits), orderBy('count', 'desc'), limit(10))));
    expect(await assertSucceeds(firstSnapshot(query(jobs('admin'), limit(100))))).toBe(3);
  });
});
