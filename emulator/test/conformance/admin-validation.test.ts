/**
 * Requests the SDKs let through and Firestore itself refuses (INVALID_ARGUMENT), after
 * firebase-js-sdk validation.test.ts ("Writes", "Queries") and composite_index_query.test.ts,
 * run with firebase-admin 13, whose client-side validation is thinner than the web SDK's.
 */
import type { CollectionReference } from 'firebase-admin/firestore';
import { FieldPath, Filter } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { failure, randomId, useAdmin } from './harness.js';

const env = useAdmin('conf-valid');
const col = (): CollectionReference => env.db.collection(randomId('v'));

describe('validation.test.ts: writes Firestore refuses', () => {
  it('refuses reserved document and collection ids (__x__)', async () => {
    for (const ref of [col().doc('__baz__'), env.db.collection('__coll__').doc('d')]) {
      const err = await failure(ref.set({ a: 1 }));
      expect(err.code).toBe(3);
    }
  });

  it('accepts indirectly nested arrays through set, batch, update and transactions', async () => {
    const ref = col().doc();
    const ref2 = col().doc();
    const data = { 'nested-array': [1, { foo: [2] }] };
    await ref.set(data);
    await env.db.batch().set(ref, data).commit();
    await ref.update(data);
    await env.db.batch().update(ref, data).commit();
    await env.db.runTransaction(async (tx) => {
      tx.update(ref, data);
      tx.set(ref2, data);
    });
    expect((await ref2.get()).data()).toEqual(data);
  });
});

describe('query rules Firestore enforces on the server', () => {
  it('allows one array-contains(-any) per disjunction, refuses two in one conjunction', async () => {
    const c = col();
    await c.doc('a').set({ x: [1], y: [2] });
    await c.doc('b').set({ x: [3], y: [4] });
    const or = await c.where(Filter.or(Filter.where('x', 'array-contains-any', [1]), Filter.where('y', 'array-contains-any', [4]))).get();
    expect(or.docs.map((d) => d.id)).toEqual(['a', 'b']);
    const err = await failure(c.where('x', 'array-contains', 1).where('y', 'array-contains', 2).get());
    expect(err.code).toBe(3);
    expect(err.message).toMatch(/more than one 'ARRAY_CONTAINS'/);
  });

  it('refuses not-in together with in, and with !=', async () => {
    const c = col();
    expect((await failure(c.where('a', 'not-in', [1]).where('b', 'in', [2]).get())).code).toBe(3);
    expect((await failure(c.where('a', 'not-in', [1]).where('b', '!=', 2).get())).code).toBe(3);
  });

  it('refuses an order by the key followed by an implicit inequality order', async () => {
    const err = await failure(col().where('key', '!=', 42).orderBy(FieldPath.documentId()).get());
    expect(err.code).toBe(3);
    expect(err.message).toMatch(/order by clause cannot contain more fields after the key/);
  });

  it('refuses an equality on the key next to inequalities on other fields', async () => {
    const c = col();
    const err = await failure(c.where('key', '!=', 42).where(FieldPath.documentId(), '==', c.doc('doc1')).get());
    expect(err.code).toBe(3);
    expect(err.message).toContain('Equality on key is not allowed if there are other inequality fields and key does not appear in inequalities.');
  });
});
