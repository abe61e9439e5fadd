/**
 * Ported from firebase-js-sdk packages/firestore/test/integration/api/transactions.test.ts,
 * run with the Node client SDK (optimistic transactions: reads without a transaction, then a
 * commit whose writes carry preconditions and `verify` writes for documents read only).
 */
import type { DocumentReference, Transaction } from 'firebase/firestore';
import { FieldPath, collection, doc, getDoc, runTransaction, setDoc } from 'firebase/firestore';
import { describe, expect, it } from 'vitest';
import { failure, randomId, useClient } from './harness.js';

const env = useClient('conf-tx');
const fresh = (): DocumentReference => doc(collection(env.db, randomId()));

type Stage = 'get' | 'set1' | 'set2' | 'update1' | 'update2' | 'delete';
type Outcome = { doc: Record<string, unknown> } | 'none' | { error: string };

async function runStages(tx: Transaction, ref: DocumentReference, stages: readonly Stage[]): Promise<void> {
  for (const s of stages) {
    if (s === 'get') await tx.get(ref);
    else if (s === 'set1') tx.set(ref, { foo: 'bar1' });
    else if (s === 'set2') tx.set(ref, { foo: 'bar2' });
    else if (s === 'update1') tx.update(ref, { foo: 'bar1' });
    else if (s === 'update2') tx.update(ref, { foo: 'bar2' });
    else tx.delete(ref);
  }
}

/** js-sdk `TransactionTester`: runs the stages on an existing or missing document. */
async function outcome(existing: boolean, stages: readonly Stage[]): Promise<Outcome> {
  const ref = fresh();
  if (existing) await setDoc(ref, { foo: 'bar0' });
  try {
    await runTransaction(env.db, (tx) => runStages(tx, ref, stages));
  } catch (err) {
    return { error: (err as { code: string }).code };
  }
  const snap = await getDoc(ref);
  return snap.exists() ? { doc: snap.data() } : 'none';
}

const bar2 = { doc: { foo: 'bar2' } };
const invalid = { error: 'invalid-argument' };
const notFound = { error: 'not-found' };

describe('transactions.test.ts: every sequence of writes', () => {
  it('runs transactions after getting an existing document', async () => {
    expect(await outcome(true, ['get', 'delete', 'delete'])).toBe('none');
    expect(await outcome(true, ['get', 'delete', 'update2'])).toEqual(invalid);
    expect(await outcome(true, ['get', 'delete', 'set2'])).toEqual(bar2);
    expect(await outcome(true, ['get', 'update1', 'delete'])).toBe('none');
    expect(await outcome(true, ['get', 'update1', 'update2'])).toEqual(bar2);
    expect(await outcome(true, ['get', 'update1', 'set2'])).toEqual(bar2);
    expect(await outcome(true, ['get', 'set1', 'delete'])).toBe('none');
    expect(await outcome(true, ['get', 'set1', 'update2'])).toEqual(bar2);
    expect(await outcome(true, ['get', 'set1', 'set2'])).toEqual(bar2);
  });

  it('runs transactions after getting a non-existent document', async () => {
    expect(await outcome(false, ['get', 'delete', 'delete'])).toBe('none');
    expect(await outcome(false, ['get', 'delete', 'update2'])).toEqual(invalid);
    expect(await outcome(false, ['get', 'delete', 'set2'])).toEqual(bar2);
    expect(await outcome(false, ['get', 'update1', 'delete'])).toEqual(invalid);
    expect(await outcome(false, ['get', 'update1', 'update2'])).toEqual(invalid);
    expect(await outcome(false, ['get', 'update1', 'set1'])).toEqual(invalid);
    expect(await outcome(false, ['get', 'set1', 'delete'])).toBe('none');
    expect(await outcome(false, ['get', 'set1', 'update2'])).toEqual(bar2);
    expect(await outcome(false, ['get', 'set1', 'set2'])).toEqual(bar2);
  });

  it('runs transactions on an existing document (blind writes)', async () => {
    expect(await outcome(true, ['delete', 'delete'])).toBe('none');
    expect(await outcome(true, ['delete', 'update2'])).toEqual(invalid);
    expect(await outcome(true, ['delete', 'set2'])).toEqual(bar2);
    expect(await outcome(true, ['update1', 'delete'])).toBe('none');
    expect(await outcome(true, ['update1', 'update2'])).toEqual(bar2);
    expect(await outcome(true, ['update1', 'set2'])).toEqual(bar2);
    expect(await outcome(true, ['set1', 'delete'])).toBe('none');
    expect(await outcome(true, ['set1', 'update2'])).toEqual(bar2);
    expect(await outcome(true, ['set1', 'set2'])).toEqual(bar2);
  });

  it('runs transactions on a non-existent document (blind writes: update is not-found)', async () => {
    expect(await outcome(false, ['delete', 'delete'])).toBe('none');
    expect(await outcome(false, ['delete', 'update2'])).toEqual(invalid);
    expect(await outcome(false, ['delete', 'set2'])).toEqual(bar2);
    expect(await outcome(false, ['update1', 'delete'])).toEqual(notFound);
    expect(await outcome(false, ['update1', 'update2'])).toEqual(notFound);
    expect(await outcome(false, ['update1', 'set1'])).toEqual(notFound);
    expect(await outcome(false, ['set1', 'delete'])).toBe('none');
    expect(await outcome(false, ['set1', 'update2'])).toEqual(bar2);
    expect(await outcome(false, ['set1', 'set2'])).toEqual(bar2);
  });
});

describe('transactions.test.ts: semantics', () => {
  it('sets a document with merge inside a transaction', async () => {
    const ref = fresh();
    await runTransaction(env.db, async (tx) => {
      tx.set(ref, { a: 'b', nested: { a: 'b' } }).set(ref, { c: 'd', nested: { c: 'd' } }, { merge: true });
    });
    expect((await getDoc(ref)).data()).toEqual({ a: 'b', c: 'd', nested: { a: 'b', c: 'd' } });
  });

  it('updates nested fields transactionally', async () => {
    const ref = fresh();
    await runTransaction(env.db, async (tx) => {
      tx.set(ref, { desc: 'Description', owner: { name: 'Jonny' }, 'is.admin': false });
      tx.update(ref, 'owner.name', 'Sebastian', new FieldPath('is.admin'), true);
    });
    expect((await getDoc(ref)).data()).toEqual({ desc: 'Description', owner: { name: 'Sebastian' }, 'is.admin': true });
  });

  it('retries when a document that was read without being written changes', async () => {
    const doc1 = fresh();
    const doc2 = fresh();
    await setDoc(doc1, { count: 15 });
    let tries = 0;
    await runTransaction(env.db, async (tx) => {
      tries++;
      await tx.get(doc1);
      // The first attempt's read is now stale: its verify write fails and the SDK retries.
      await setDoc(doc1, { count: 1234 });
      tx.set(doc2, { count: 16 });
    });
    expect(tries).toBe(2);
    expect((await getDoc(doc1)).get('count')).toBe(1234);
    expect((await getDoc(doc2)).get('count')).toBe(16);
  });

  it('cannot read after writing', async () => {
    const ref = fresh();
    const err = await failure(
      runTransaction(env.db, async (tx) => {
        tx.set(ref, { foo: 'bar' });
        return tx.get(ref);
      }),
    );
    expect(err.code).toBe('invalid-argument');
    expect(err.message).toContain('Firestore transactions require all reads to be executed');
  });

  it('cannot read a nonexistent document then update it, even if it is written after the read', async () => {
    const ref = fresh();
    let tries = 0;
    const err = await failure(
      runTransaction(env.db, async (tx) => {
        tries++;
        await tx.get(ref);
        await setDoc(ref, { count: 1234 });
        tx.update(ref, { count: 16 });
      }),
    );
    expect(err.code).toBe('invalid-argument');
    expect(err.message).toContain("Can't update a document that doesn't exist.");
    expect(tries).toBe(1);
  });

  it('can have gets without mutations', async () => {
    const ref = fresh();
    const other = fresh();
    await setDoc(ref, { foo: 'bar' });
    const snap = await runTransaction(env.db, async (tx) => {
      await tx.get(other);
      return tx.get(ref);
    });
    expect(snap.get('foo')).toBe('bar');
  });

  it('succeeds with no operations, and is cancelled (nothing written, no retry) on rejection or throw', async () => {
    await runTransaction(env.db, async () => undefined);
    for (const fail of [() => Promise.reject(new Error('no')), () => { throw new Error('no'); }]) {
      const ref = fresh();
      let tries = 0;
      const err = await failure(
        runTransaction(env.db, async (tx) => {
          tries++;
          tx.set(ref, { foo: 'bar' });
          return fail();
        }),
      );
      expect(err.message).toBe('no');
      expect(tries).toBe(1);
      expect((await getDoc(ref)).exists()).toBe(false);
    }
  });
});
