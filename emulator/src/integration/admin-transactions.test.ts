import type { Firestore } from 'firebase-admin/firestore';
import { AggregateField } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFirestore } from '../testing/sdk-clients.js';
import type { TestTarget } from '../testing/test-env.js';
import { startTestTarget, uniqueProjectId, waitFor } from '../testing/test-env.js';

let target: TestTarget;
let db: Firestore;
let close: () => Promise<void>;

beforeAll(async () => {
  target = await startTestTarget();
  ({ db, close } = adminFirestore(target, uniqueProjectId('admin-tx')));
});

afterAll(async () => {
  await close();
  await target.stop();
});

describe('firebase-admin transactions (pessimistic)', () => {
  it('serialises 5 concurrent increments: all succeed, losers are aborted and retried', async () => {
    const ref = db.doc('counters/hot');
    await ref.set({ n: 0 });
    let attempts = 0;
    let firstReads = 0;
    const allRead = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (firstReads >= 5) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    await Promise.all(
      Array.from({ length: 5 }, () =>
        db.runTransaction(async (tx) => {
          attempts++;
          const snap = await tx.get(ref);
          if (attempts <= 5) {
            // First attempts: make sure all five hold the document before anyone commits.
            firstReads++;
            await allRead;
          }
          tx.update(ref, { n: (snap.get('n') as number) + 1 });
        }),
      ),
    );
    expect((await ref.get()).get('n')).toBe(5);
    expect(attempts).toBeGreaterThan(5);
  }, 60_000);

  it('makes writes outside the transaction wait for its locks', async () => {
    const ref = db.doc('locks/a');
    await ref.set({ owner: 'none' });
    const order: string[] = [];
    let outside: Promise<unknown> | undefined;
    await db.runTransaction(async (tx) => {
      await tx.get(ref);
      outside = ref.set({ owner: 'outside' }).then(() => order.push('outside'));
      // Give the outside write every chance to overtake; it must not.
      await new Promise((r) => setTimeout(r, 200));
      order.push('tx-body-done');
      tx.update(ref, { owner: 'tx' });
    });
    order.push('tx-committed');
    await outside;
    expect(order.indexOf('outside')).toBeGreaterThan(order.indexOf('tx-body-done'));
    expect((await ref.get()).get('owner')).toBe('outside');
  });

  it('releases locks when the transaction callback fails', async () => {
    const ref = db.doc('locks/b');
    await ref.set({ v: 1 });
    await expect(
      db.runTransaction(async (tx) => {
        await tx.get(ref);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await ref.set({ v: 2 });
    expect((await ref.get()).get('v')).toBe(2);
  });

  it('reads queries and aggregations inside transactions', async () => {
    await db.doc('txq/a').set({ k: 1 });
    await db.doc('txq/b').set({ k: 2 });
    const result = await db.runTransaction(async (tx) => {
      const q = await tx.get(db.collection('txq').where('k', '>', 0));
      const agg = await tx.get(db.collection('txq').aggregate({ total: AggregateField.sum('k') }));
      tx.set(db.doc('txq/summary'), { count: q.size, total: agg.data().total });
      return q.size;
    });
    expect(result).toBe(2);
    expect((await db.doc('txq/summary').get()).data()).toEqual({ count: 2, total: 3 });
  });

  it('runs read-only transactions at a consistent snapshot', async () => {
    const ref = db.doc('ro/a');
    const w = await ref.set({ v: 1 });
    await ref.set({ v: 2 });
    const now = await db.runTransaction(async (tx) => (await tx.get(ref)).get('v'), { readOnly: true });
    expect(now).toBe(2);
    const past = await db.runTransaction(async (tx) => (await tx.getAll(ref))[0]!.get('v'), { readOnly: true, readTime: w.writeTime });
    expect(past).toBe(1);
  });

  it('lets a waiting write proceed once the transaction is rolled back', async () => {
    const ref = db.doc('locks/c');
    await ref.set({ v: 0 });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const hasLock = new Promise<void>((r) => (locked = r));
    const tx = db.runTransaction(async (t) => {
      await t.get(ref);
      locked();
      await held;
      throw new Error('rollback please');
    });
    let done = false;
    await hasLock;
    const write = ref.set({ v: 1 }).then(() => (done = true));
    // A negative check needs a grace period: the write must still be waiting for the lock.
    await new Promise((r) => setTimeout(r, 150));
    expect(done).toBe(false);
    release();
    await expect(tx).rejects.toThrow('rollback please');
    await write;
    await waitFor(() => (done ? true : undefined));
    expect((await ref.get()).get('v')).toBe(1);
  });
});
