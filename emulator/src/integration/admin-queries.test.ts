import type { Firestore } from 'firebase-admin/firestore';
import { AggregateField, FieldPath, FieldValue, Filter } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFirestore } from '../testing/sdk-clients.js';
import type { TestTarget } from '../testing/test-env.js';
import { startTestTarget, uniqueProjectId } from '../testing/test-env.js';

let target: TestTarget;
let db: Firestore;
let close: () => Promise<void>;

const cities = {
  sf: { name: 'San Francisco', state: 'CA', pop: 860000, regions: ['west', 'coast'], capital: false, score: 1.5 },
  la: { name: 'Los Angeles', state: 'CA', pop: 3900000, regions: ['west', 'socal'], capital: false, score: null },
  dc: { name: 'Washington', state: null, pop: 680000, regions: ['east'], capital: true, score: Number.NaN },
  tok: { name: 'Tokyo', state: 'TK', pop: 9000000, regions: ['asia'], capital: true },
  bj: { name: 'Beijing', state: 'BJ', pop: 21500000, regions: ['asia'], capital: true, score: 3 },
};

beforeAll(async () => {
  target = await startTestTarget();
  ({ db, close } = adminFirestore(target, uniqueProjectId('admin-query')));
  const batch = db.batch();
  for (const [id, data] of Object.entries(cities)) batch.set(db.collection('cities').doc(id), data);
  await batch.commit();
});

afterAll(async () => {
  await close();
  await target.stop();
});

const ids = (snap: FirebaseFirestore.QuerySnapshot): string[] => snap.docs.map((d) => d.id);
const cities$ = () => db.collection('cities');

describe('firebase-admin queries', () => {
  it('supports every field filter operator', async () => {
    expect(ids(await cities$().where('state', '==', 'CA').get())).toEqual(['la', 'sf']);
    expect(ids(await cities$().where('pop', '<', 860000).get())).toEqual(['dc']);
    expect(ids(await cities$().where('pop', '<=', 860000).get())).toEqual(['dc', 'sf']);
    expect(ids(await cities$().where('pop', '>', 9000000).get())).toEqual(['bj']);
    expect(ids(await cities$().where('pop', '>=', 9000000).get())).toEqual(['tok', 'bj']);
    // != and not-in exclude documents where the field is missing or null.
    expect(ids(await cities$().where('state', '!=', 'CA').get())).toEqual(['bj', 'tok']);
    expect(ids(await cities$().where('state', 'not-in', ['CA', 'TK']).get())).toEqual(['bj']);
    expect(ids(await cities$().where('state', 'in', ['CA', 'TK']).get())).toEqual(['la', 'sf', 'tok']);
    expect(ids(await cities$().where('regions', 'array-contains', 'west').get())).toEqual(['la', 'sf']);
    expect(ids(await cities$().where('regions', 'array-contains-any', ['east', 'asia']).get())).toEqual(['bj', 'dc', 'tok']);
  });

  it('supports unary filters', async () => {
    expect(ids(await cities$().where('state', '==', null).get())).toEqual(['dc']);
    expect(ids(await cities$().where('score', '==', Number.NaN).get())).toEqual(['dc']);
    expect(ids(await cities$().where('state', '!=', null).get())).toEqual(['bj', 'la', 'sf', 'tok']);
    // IS_NOT_NAN (like `!= NaN`) needs the field to exist and be neither NaN nor null.
    expect(ids(await cities$().where('score', '!=', Number.NaN).get()).sort()).toEqual(['bj', 'sf']);
  });

  it('supports AND/OR composite filters', async () => {
    const or = await cities$().where(Filter.or(Filter.where('state', '==', 'CA'), Filter.where('capital', '==', true))).get();
    expect(ids(or).sort()).toEqual(['bj', 'dc', 'la', 'sf', 'tok']);
    const nested = await cities$()
      .where(Filter.and(Filter.where('capital', '==', true), Filter.or(Filter.where('state', '==', 'TK'), Filter.where('pop', '<', 1000000))))
      .get();
    expect(ids(nested).sort()).toEqual(['dc', 'tok']);
  });

  it('orders with implicit inequality and name ordering', async () => {
    expect(ids(await cities$().orderBy('pop', 'desc').get())).toEqual(['bj', 'tok', 'la', 'sf', 'dc']);
    // Ties on the explicit order are broken by the implicit inequality order (pop).
    expect(ids(await cities$().where('pop', '>', 700000).orderBy('state').get())).toEqual(['bj', 'sf', 'la', 'tok']);
    // Multiple inequalities: implicit order is pop then state (lexicographic field paths).
    expect(ids(await cities$().where('state', '>=', 'BJ').where('pop', '>', 1000000).get())).toEqual(['la', 'tok', 'bj']);
    expect(ids(await cities$().orderBy(FieldPath.documentId(), 'desc').limit(2).get())).toEqual(['tok', 'sf']);
  });

  it('supports cursors, offset, limit and limitToLast', async () => {
    const byPop = cities$().orderBy('pop');
    expect(ids(await byPop.startAt(860000).get())).toEqual(['sf', 'la', 'tok', 'bj']);
    expect(ids(await byPop.startAfter(860000).get())).toEqual(['la', 'tok', 'bj']);
    expect(ids(await byPop.endAt(860000).get())).toEqual(['dc', 'sf']);
    expect(ids(await byPop.endBefore(860000).get())).toEqual(['dc']);
    expect(ids(await byPop.offset(1).limit(2).get())).toEqual(['sf', 'la']);
    expect(ids(await byPop.limitToLast(2).get())).toEqual(['tok', 'bj']);
    const la = await cities$().doc('la').get();
    expect(ids(await byPop.startAfter(la).get())).toEqual(['tok', 'bj']);
  });

  it('projects fields, including an empty projection', async () => {
    const snap = await cities$().where('state', '==', 'CA').select('name').get();
    expect(snap.docs.map((d) => d.data())).toEqual([{ name: 'Los Angeles' }, { name: 'San Francisco' }]);
    const names = await cities$().select().get();
    expect(names.docs.map((d) => d.data())).toEqual([{}, {}, {}, {}, {}]);
  });

  it('queries collection groups', async () => {
    await db.doc('cities/sf/landmarks/ggb').set({ type: 'bridge' });
    await db.doc('cities/tok/landmarks/tower').set({ type: 'tower' });
    await db.doc('other/x/landmarks/y').set({ type: 'bridge' });
    const all = await db.collectionGroup('landmarks').where('type', '==', 'bridge').get();
    expect(all.docs.map((d) => d.ref.path).sort()).toEqual(['cities/sf/landmarks/ggb', 'other/x/landmarks/y']);
  });

  it('counts, sums and averages', async () => {
    const agg = await cities$()
      .where('capital', '==', true)
      .aggregate({ n: AggregateField.count(), total: AggregateField.sum('pop'), mean: AggregateField.average('pop') })
      .get();
    expect(agg.data()).toEqual({ n: 3, total: 31180000, mean: 31180000 / 3 });
    expect((await cities$().count().get()).data().count).toBe(5);
    expect((await cities$().limit(2).count().get()).data().count).toBe(2);
    const empty = await cities$().where('pop', '<', 0).aggregate({ s: AggregateField.sum('pop'), a: AggregateField.average('pop') }).get();
    expect(empty.data()).toEqual({ s: 0, a: null });
  });

  it('overflows integer sums into doubles', async () => {
    await db.doc('big/a').set({ v: Number.MAX_SAFE_INTEGER });
    await db.doc('big/b').set({ v: Number.MAX_SAFE_INTEGER });
    const sum = await db.collection('big').aggregate({ s: AggregateField.sum('v') }).get();
    expect(sum.data().s).toBe(Number.MAX_SAFE_INTEGER * 2);
  });

  it('runs vector searches', async () => {
    await db.doc('vec/a').set({ e: FieldValue.vector([1, 0]), kind: 'x' });
    await db.doc('vec/b').set({ e: FieldValue.vector([0, 1]), kind: 'x' });
    await db.doc('vec/c').set({ e: FieldValue.vector([1, 1]), kind: 'y' });
    await db.doc('vec/d').set({ e: FieldValue.vector([1, 1, 1]), kind: 'x' });
    await db.doc('vec/e').set({ e: 'not a vector', kind: 'x' });
    const near = await db
      .collection('vec')
      .findNearest({ vectorField: 'e', queryVector: [1, 0.1], limit: 2, distanceMeasure: 'EUCLIDEAN', distanceResultField: 'dist' })
      .get();
    expect(near.docs.map((d) => d.id)).toEqual(['a', 'c']);
    expect(near.docs[0]!.get('dist')).toBeCloseTo(0.1, 6);
    const dot = await db
      .collection('vec')
      .where('kind', '==', 'x')
      .findNearest({ vectorField: 'e', queryVector: [0, 2], limit: 5, distanceMeasure: 'DOT_PRODUCT', distanceThreshold: 1 })
      .get();
    expect(dot.docs.map((d) => d.id)).toEqual(['b']);
    const cos = await db.collection('vec').findNearest({ vectorField: 'e', queryVector: [1, 1], limit: 1, distanceMeasure: 'COSINE' }).get();
    expect(cos.docs.map((d) => d.id)).toEqual(['c']);
  });

  it('explains queries with and without analyze', async () => {
    const plan = await cities$().where('state', '==', 'CA').explain({ analyze: false });
    expect(plan.metrics.planSummary.indexesUsed.length).toBeGreaterThan(0);
    expect(plan.snapshot).toBeNull();
    const run = await cities$().where('state', '==', 'CA').explain({ analyze: true });
    expect(run.snapshot!.size).toBe(2);
    expect(run.metrics.executionStats!.resultsReturned).toBe(2);
    expect(run.metrics.executionStats!.readOperations).toBe(2);
  });

  it('rejects invalid queries with INVALID_ARGUMENT', async () => {
    const tooMany = Array.from({ length: 31 }, (_, i) => i);
    await expect(cities$().where('pop', 'in', tooMany).get()).rejects.toMatchObject({ code: 3 });
    await expect(
      cities$()
        .aggregate({
          a: AggregateField.count(),
          b: AggregateField.sum('pop'),
          c: AggregateField.sum('score'),
          d: AggregateField.average('pop'),
          e: AggregateField.average('score'),
          f: AggregateField.sum('x'),
        })
        .get(),
    ).rejects.toMatchObject({ code: 3 });
  });
});
