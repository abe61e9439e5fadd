/**
 * Ported from firebase-js-sdk packages/firestore/test/integration/api/aggregation.test.ts
 * ("Count queries", "Aggregation queries", "Aggregation queries - sum / average"), run with
 * the Node client SDK.
 */
import type { DocumentData } from 'firebase/firestore';
import { average, collectionGroup, count, doc, getAggregateFromServer, getCountFromServer, query, sum, where, writeBatch } from 'firebase/firestore';
import { describe, expect, it } from 'vitest';
import { failure, randomId, useClient, withDocs } from './harness.js';

const env = useClient('conf-agg');

const books = {
  a: { author: 'authorA', title: 'titleA', pages: 100, year: 1980, rating: 5 },
  b: { author: 'authorB', title: 'titleB', pages: 50, year: 2020, rating: 4 },
  c: { author: 'authorC', title: 'titleC', pages: 100, year: 1980, rating: 3 },
  d: { author: 'authorD', title: 'titleD', pages: 50, year: 2020, rating: 0 },
};
const two = { a: { author: 'authorA', title: 'titleA' }, b: { author: 'authorB', title: 'titleB' } };

/** The sum of `rating` over documents with these ratings. */
async function sumOf(...ratings: unknown[]): Promise<unknown> {
  const docs: Record<string, DocumentData> = {};
  ratings.forEach((rating, i) => (docs[`d${i}`] = { rating }));
  const coll = await withDocs(env, docs);
  return (await getAggregateFromServer(coll, { total: sum('rating') })).data().total;
}

async function averageOf(...ratings: unknown[]): Promise<unknown> {
  const docs: Record<string, DocumentData> = {};
  ratings.forEach((rating, i) => (docs[`d${i}`] = { rating }));
  const coll = await withDocs(env, docs);
  return (await getAggregateFromServer(coll, { mean: average('rating') })).data().mean;
}

describe('aggregation.test.ts: count and aliases', () => {
  it('counts with getCountFromServer and getAggregateFromServer, through filters', async () => {
    const coll = await withDocs(env, two);
    expect((await getCountFromServer(coll)).data().count).toBe(2);
    expect((await getCountFromServer(query(coll, where('author', '==', 'authorA')))).data().count).toBe(1);
    expect((await getAggregateFromServer(coll, { count: count() })).data().count).toBe(2);
  });

  it('accepts aliases with dots, special characters, backticks and backslashes, and duplicates', async () => {
    const coll = await withDocs(env, two);
    const snap = await getAggregateFromServer(coll, {
      foo: count(),
      'with.dots': count(),
      'with-un/su+pp[or]ted': count(),
      '`with-un/su+pp[or]ted`': count(),
      'with\\backshash\\es': count(),
    });
    expect(snap.data()).toEqual({ foo: 2, 'with.dots': 2, 'with-un/su+pp[or]ted': 2, '`with-un/su+pp[or]ted`': 2, 'with\\backshash\\es': 2 });
  });

  it('accepts aliases longer than 1500 bytes', async () => {
    const longAlias = '0123456789'.repeat(150);
    const coll = await withDocs(env, { a: { num: 3 }, b: { num: 5 } });
    const snap = await getAggregateFromServer(coll, { [longAlias]: count(), [longAlias + longAlias]: count() });
    expect(snap.data()[longAlias]).toBe(2);
    expect(snap.data()[longAlias + longAlias]).toBe(2);
  });

  it('counts, sums and averages collection groups (exact id only)', async () => {
    const cg = randomId('agg');
    const batch = writeBatch(env.setup);
    for (const p of [`${cg}/cg-doc1`, `abc/123/${cg}/cg-doc2`, `zzz${cg}/cg-doc3`, `abc/123/zzz${cg}/cg-doc4`, `abc/123/zzz/${cg}`]) batch.set(doc(env.setup, p), { x: 2 });
    await batch.commit();
    const snap = await getAggregateFromServer(collectionGroup(env.db, cg), { count: count(), sum: sum('x'), avg: average('x') });
    expect(snap.data()).toEqual({ count: 2, sum: 4, avg: 2 });
  });

  it('performs the maximum of 5 aggregations, and refuses a sixth', async () => {
    const coll = await withDocs(env, { a: { pages: 100 }, b: { pages: 50 } });
    const five = { totalPages: sum('pages'), averagePages: average('pages'), count: count(), totalPagesX: sum('pages'), averagePagesY: average('pages') };
    expect((await getAggregateFromServer(coll, five)).data()).toEqual({ totalPages: 150, averagePages: 75, count: 2, totalPagesX: 150, averagePagesY: 75 });
    const err = await failure(getAggregateFromServer(coll, { ...five, countZ: count() }));
    expect(err.code).toBe('invalid-argument');
    expect(err.message).toMatch(/maximum number of aggregations/);
  });
});

describe('aggregation.test.ts: sum and average semantics', () => {
  it('aggregates only documents that have every aggregated field (count included)', async () => {
    const coll = await withDocs(env, {
      a: { pages: 100, year: 1980 },
      b: { pages: 50, year: 2020 },
      c: { pages: 150, year: 2021 },
      d: { pages: 50 },
    });
    const snap = await getAggregateFromServer(coll, { totalPages: sum('pages'), averagePages: average('pages'), averageYear: average('year'), count: count() });
    // d has no year: Firestore leaves it out of every aggregation of this query.
    expect(snap.data()).toEqual({ totalPages: 300, averagePages: 100, averageYear: 2007, count: 3 });
  });

  it('lets NaN poison one aggregation without affecting the others', async () => {
    const coll = await withDocs(env, { ...books, c: { ...books.c, rating: NaN } });
    const snap = await getAggregateFromServer(coll, { totalRating: sum('rating'), totalPages: sum('pages'), averageYear: average('year') });
    expect(snap.data().totalRating).toBeNaN();
    expect(snap.data().totalPages).toBe(300);
    expect(snap.data().averageYear).toBe(2000);
  });

  it('returns undefined for an aggregation that was not requested', async () => {
    const coll = await withDocs(env, books);
    const snap = await getAggregateFromServer(query(coll, where('pages', '>', 200)), { totalRating: sum('rating'), averageRating: average('rating') });
    expect((snap.data() as Record<string, unknown>).totalPages).toBeUndefined();
  });

  it('aggregates over in and array-contains-any results (arrays are not summed)', async () => {
    const coll = await withDocs(env, books);
    const inSnap = await getAggregateFromServer(query(coll, where('rating', 'in', [5, 3])), {
      totalRating: sum('rating'),
      averageRating: average('rating'),
      totalPages: sum('pages'),
      averagePages: average('pages'),
      countOfDocs: count(),
    });
    expect(inSnap.data()).toEqual({ totalRating: 8, averageRating: 4, totalPages: 200, averagePages: 100, countOfDocs: 2 });
    const arr = await withDocs(env, {
      a: { ...books.a, rating: [5, 1000] },
      b: { ...books.b, rating: [4] },
      c: { ...books.c, rating: [2222, 3] },
      d: { ...books.d, rating: [0] },
    });
    const anySnap = await getAggregateFromServer(query(arr, where('rating', 'array-contains-any', [5, 3])), {
      totalRating: sum('rating'),
      averageRating: average('rating'),
      totalPages: sum('pages'),
      averagePages: average('pages'),
      countOfDocs: count(),
    });
    expect(anySnap.data()).toEqual({ totalRating: 0, averageRating: null, totalPages: 200, averagePages: 100, countOfDocs: 2 });
  });

  it('aggregates nested map values', async () => {
    const coll = await withDocs(env, {
      a: { metadata: { pages: 100, rating: { critic: 2, user: 5 } } },
      b: { metadata: { pages: 50, rating: { critic: 4, user: 4 } } },
    });
    const snap = await getAggregateFromServer(coll, {
      totalPages: sum('metadata.pages'),
      averagePages: average('metadata.pages'),
      averageCriticRating: average('metadata.rating.critic'),
      totalUserRating: sum('metadata.rating.user'),
      count: count(),
    });
    expect(snap.data()).toEqual({ totalPages: 150, averagePages: 75, averageCriticRating: 3, totalUserRating: 9, count: 2 });
  });

  it('sums integers and doubles', async () => {
    expect(await sumOf(5, 4.5, 3)).toBe(12.5);
    expect(await sumOf(5, 4.5, 3.5)).toBe(13);
  });

  it('sums past the 64-bit integer range into a double', async () => {
    const maxLong = Math.pow(2, 63) - 1;
    expect(await sumOf(maxLong, maxLong)).toBe(maxLong + maxLong);
  });

  it('sums exactly when an intermediate integer sum would lose precision', async () => {
    expect(await sumOf(Number.MAX_SAFE_INTEGER, 1, -101)).toBe(Number.MAX_SAFE_INTEGER - 100);
    expect(await sumOf(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, -101, -10000)).toBe(-10101);
  });

  it('sums to infinities, and back to 0 when overflows cancel out', async () => {
    expect(await sumOf(Number.MAX_VALUE, Number.MAX_VALUE)).toBe(Number.POSITIVE_INFINITY);
    expect(await sumOf(Number.MAX_VALUE, 1e293)).toBe(Number.POSITIVE_INFINITY);
    expect(await sumOf(-Number.MAX_VALUE, -Number.MAX_VALUE)).toBe(Number.NEGATIVE_INFINITY);
    const m = Number.MAX_VALUE;
    expect(await sumOf(m, m, -m, -m, m, -m, -m, m)).toBe(0);
  });

  it('sums NaN to NaN, zero documents to 0, and only numeric values', async () => {
    expect(await sumOf(5, 4, NaN, 0)).toBeNaN();
    const coll = await withDocs(env, books);
    expect((await getAggregateFromServer(query(coll, where('pages', '>', 200)), { t: sum('rating') })).data().t).toBe(0);
    const mixed = await withDocs(env, { a: { rating: 5 }, b: { rating: 4 }, c: { rating: '3' }, d: { rating: 1 } });
    expect((await getAggregateFromServer(mixed, { t: sum('rating'), n: count() })).data()).toEqual({ t: 10, n: 4 });
    expect(await sumOf(Number.MIN_VALUE)).toBe(Number.MIN_VALUE);
  });

  it('averages integers and doubles', async () => {
    expect(await averageOf(10, 5, 0)).toBe(5);
    expect(await averageOf(10.5, 9.5)).toBe(10);
    expect(await averageOf(10, 9.5, 10.5)).toBe(10);
    expect(await averageOf(5.5, 4.5, 3.5)).toBe(4.5);
    expect(await averageOf(8.6, 9, 10)).toBeCloseTo(9.2, 7);
    expect(await averageOf(10, 9)).toBe(9.5);
  });

  it('averages through underflow, the smallest double, overflow and NaN', async () => {
    expect(await averageOf(Number.MIN_VALUE, 0)).toBe(0);
    expect(await averageOf(Number.MIN_VALUE)).toBe(Number.MIN_VALUE);
    expect(await averageOf(Number.MAX_VALUE, Number.MAX_VALUE)).toBe(Number.POSITIVE_INFINITY);
    expect(await averageOf(5, 4, NaN, 0)).toBeNaN();
  });

  it('averages zero documents to null and only numeric values', async () => {
    const coll = await withDocs(env, books);
    expect((await getAggregateFromServer(query(coll, where('pages', '>', 200)), { a: average('rating') })).data().a).toBeNull();
    const mixed = await withDocs(env, { a: { rating: 5 }, b: { rating: 4 }, c: { rating: '3' }, d: { rating: 6 } });
    expect((await getAggregateFromServer(mixed, { a: average('rating'), n: count() })).data()).toEqual({ a: 5, n: 4 });
  });
});
