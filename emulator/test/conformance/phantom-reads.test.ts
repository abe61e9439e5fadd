/**
 * Serializable read-write transactions over queries: Firestore (and Google's emulator) lock
 * the range a transaction's query read, so a concurrent commit that would change the
 * query's result aborts the transaction, and the SDK's retry sees the new state. Before this
 * the emulator only locked the documents a query returned, so an insert into the result set
 * slipped past (a phantom read). Also: a read-only transaction refuses writes on the wire.
 */
import type { CollectionReference } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { randomId, useAdmin } from './harness.js';

const env = useAdmin('conf-phantom');
const col = (): CollectionReference => env.db.collection(randomId('tasks'));

describe('phantom reads in read-write transactions', () => {
  it('aborts and retries a transaction whose query result a concurrent insert changes', async () => {
    const tasks = col();
    await tasks.doc('t1').set({ status: 'open' });
    await tasks.doc('t2').set({ status: 'done' });
    const summary = tasks.doc('summary');
    let attempts = 0;
    await env.db.runTransaction(async (tx) => {
      attempts++;
      const open = await tx.get(tasks.where('status', '==', 'open'));
      // A concurrent, non-transactional insert into the range the query read.
      if (attempts === 1) await tasks.doc('t3').set({ status: 'open' });
      tx.set(summary, { open: open.size });
    });
    expect(attempts).toBe(2);
    expect((await summary.get()).get('open')).toBe(2);
  });

  it('aborts a transaction whose aggregation a concurrent insert changes', async () => {
    const tasks = col();
    await tasks.doc('t1').set({ status: 'open', points: 3 });
    const summary = tasks.doc('summary');
    let attempts = 0;
    await env.db.runTransaction(async (tx) => {
      attempts++;
      const agg = await tx.get(tasks.where('status', '==', 'open').aggregate({ n: (await import('firebase-admin/firestore')).AggregateField.sum('points') }));
      if (attempts === 1) await tasks.doc('t2').set({ status: 'open', points: 4 });
      tx.set(summary, { points: agg.data().n });
    });
    expect(attempts).toBe(2);
    expect((await summary.get()).get('points')).toBe(7);
  });

  it('aborts when a document is changed so that it enters the result', async () => {
    const tasks = col();
    await tasks.doc('t1').set({ status: 'open' });
    await tasks.doc('t2').set({ status: 'done' });
    let attempts = 0;
    const sizes: number[] = [];
    await env.db.runTransaction(async (tx) => {
      attempts++;
      const open = await tx.get(tasks.where('status', '==', 'open'));
      sizes.push(open.size);
      if (attempts === 1) await tasks.doc('t2').update({ status: 'open' });
      tx.set(tasks.doc('summary'), { open: open.size });
    });
    expect(sizes).toEqual([1, 2]);
  });

  it('does not abort for writes outside the range (other filter value, past a limit, other collection)', async () => {
    const tasks = col();
    for (const [id, rank] of [['a', 1], ['b', 2], ['c', 3]] as const) await tasks.doc(id).set({ status: 'open', rank });
    let attempts = 0;
    await env.db.runTransaction(async (tx) => {
      attempts++;
      const top = await tx.get(tasks.where('status', '==', 'open').orderBy('rank').limit(2));
      if (attempts === 1) {
        await tasks.doc('d').set({ status: 'done', rank: 0 });
        await tasks.doc('e').set({ status: 'open', rank: 10 });
        await col().doc('x').set({ status: 'open', rank: 0 });
      }
      tx.set(tasks.doc('summary'), { top: top.docs.map((d) => d.id) });
    });
    expect(attempts).toBe(1);
    expect((await tasks.doc('summary').get()).get('top')).toEqual(['a', 'b']);
  });

  it('aborts a limit query when a document enters before its last result', async () => {
    const tasks = col();
    for (const [id, rank] of [['a', 1], ['b', 2], ['c', 3]] as const) await tasks.doc(id).set({ status: 'open', rank });
    const tops: string[][] = [];
    await env.db.runTransaction(async (tx) => {
      const top = await tx.get(tasks.where('status', '==', 'open').orderBy('rank').limit(2));
      tops.push(top.docs.map((d) => d.id));
      if (tops.length === 1) await tasks.doc('z').set({ status: 'open', rank: 0 });
      tx.set(tasks.doc('summary'), { top: tops[tops.length - 1] });
    });
    expect(tops).toEqual([
      ['a', 'b'],
      ['z', 'a'],
    ]);
  });

  it('a read-only transaction refuses a commit with writes (INVALID_ARGUMENT on the wire)', async () => {
    const base = `${env.target.url}/v1/projects/${env.projectId}/databases/(default)/documents`;
    const post = async (verb: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      const res = await fetch(`${base}:${verb}`, { method: 'POST', headers: { Authorization: 'Bearer owner' }, body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const begun = await post('beginTransaction', { options: { readOnly: {} } });
    expect(begun.status).toBe(200);
    const name = `projects/${env.projectId}/databases/(default)/documents/${randomId()}/doc`;
    const commit = await post('commit', { transaction: begun.json.transaction, writes: [{ update: { name, fields: { a: { integerValue: '1' } } } }] });
    expect(commit.status).toBe(400);
    expect((commit.json.error as { status: string }).status).toBe('INVALID_ARGUMENT');
    expect((await env.db.doc(name.split('/documents/')[1]!).get()).exists).toBe(false);
  });
});
