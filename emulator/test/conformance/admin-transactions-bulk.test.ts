/**
 * Ported from googleapis/nodejs-firestore dev/system-test/firestore.ts ("Transaction class",
 * "WriteBatch class", "BulkWriter class" with "recursiveDelete()", "CollectionGroup class"
 * partition queries), run with firebase-admin 13 (gRPC; the BulkWriter retry case also over
 * REST with \`preferRest\`, as the SDK's REST system-test run does).
 */
import type { CollectionReference, DocumentReference } from 'firebase-admin/firestore';
import { FieldPath, FieldValue } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { codeOf, failure, randomId, useAdmin, waitFor } from './harness.js';

const env = useAdmin('conf-admin-tx');
const col = (): CollectionReference => env.db.collection(randomId('node_'));

/** A promise and its resolver (the tests coordinate two transactions without sleeping). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('firestore.ts: Transaction class', () => {
  it('get(), getAll() with a field mask and get(query) inside a transaction', async () => {
    const c = col();
    await Promise.all([c.doc('doc1').set({ f: 'a', b: 'b', foo: 'bar' }), c.doc('doc2').set({ f: 'a', b: 'b' })]);
    const [foo, all, masked, fromQuery] = await env.db.runTransaction(async (tx) => {
      const one = await tx.get(c.doc('doc1'));
      const both = await tx.getAll(c.doc('doc1'), c.doc('doc2'));
      const maskedDocs = await tx.getAll(c.doc('doc1'), c.doc('doc2'), { fieldMask: ['f'] });
      const q = await tx.get(c.where('foo', '==', 'bar'));
      return [one.get('foo') as string, both.length, maskedDocs.map((d) => d.data()), q.docs[0]!.get('foo') as string] as const;
    });
    expect([foo, all, masked, fromQuery]).toEqual(['bar', 2, [{ f: 'a' }, { f: 'a' }], 'bar']);
  });

  it('set(), update() with arrayRemove after a read, and delete()', async () => {
    const ref = col().doc('doc');
    await env.db.runTransaction(async (tx) => void tx.set(ref, { foo: 'foobar' }));
    expect((await ref.get()).get('foo')).toBe('foobar');
    await ref.set({ boo: ['ghost', 'sebastian'], moo: 'chicken' });
    await env.db.runTransaction(async (tx) => {
      await tx.get(ref);
      tx.update(ref, { boo: FieldValue.arrayRemove('sebastian'), moo: 'cow' });
    });
    expect((await ref.get()).data()).toEqual({ boo: ['ghost'], moo: 'cow' });
    await env.db.runTransaction(async (tx) => void tx.delete(ref));
    expect((await ref.get()).exists).toBe(false);
  });

  it('does not retry a transaction whose update finds no document', async () => {
    let attempts = 0;
    const err = await failure(
      env.db.runTransaction(async (tx) => {
        attempts++;
        tx.update(env.db.collection('col').doc(), { foo: 'b' });
      }),
    );
    expect(err.message).toMatch(/No document to update/);
    expect(attempts).toBe(1);
  });

  it('retries transactions that fail with contention (3 attempts in all, both writes land)', async () => {
    const ref = col().doc('doc');
    let attempts = 0;
    const ready = [deferred(), deferred()];
    const first = env.db.runTransaction(async (tx) => {
      attempts++;
      await tx.get(ref);
      ready[0]!.resolve();
      await ready[1]!.promise;
      tx.set(ref, { first: true }, { merge: true });
    });
    const second = env.db.runTransaction(async (tx) => {
      attempts++;
      await tx.get(ref);
      ready[1]!.resolve();
      await ready[0]!.promise;
      tx.set(ref, { second: true }, { merge: true });
    });
    await first;
    await second;
    expect(attempts).toBe(3);
    expect((await ref.get()).data()).toEqual({ first: true, second: true });
  });

  it('supports read-only transactions, at the latest time and at a custom read time', async () => {
    const ref = col().doc('doc');
    const write = await ref.set({ foo: 1 });
    await ref.set({ foo: 2 });
    expect((await env.db.runTransaction((tx) => tx.get(ref), { readOnly: true })).get('foo')).toBe(2);
    const past = await env.db.runTransaction((tx) => tx.get(ref), { readOnly: true, readTime: write.writeTime });
    expect(past.exists).toBe(true);
    expect(past.get('foo')).toBe(1);
  });

  it('fails a read-only transaction with writes (no retry, nothing written)', async () => {
    let attempts = 0;
    const ref = col().doc('doc');
    // Today's SDK refuses before sending; the emulator answers such a commit INVALID_ARGUMENT
    // too (see phantom-reads.test.ts).
    const err = await failure(
      env.db.runTransaction(
        async (tx) => {
          attempts++;
          tx.set(ref, {});
        },
        { readOnly: true },
      ),
    );
    expect(err.message).toMatch(/read-only transactions cannot execute writes/);
    expect(attempts).toBe(1);
    expect((await ref.get()).exists).toBe(false);
  });

  it('refuses reads after writes', async () => {
    const ref = col().doc('doc');
    const err = await failure(
      env.db.runTransaction(async (tx) => {
        tx.set(ref, { a: 1 });
        await tx.get(ref);
      }),
    );
    expect(err.message).toMatch(/reads to be executed before all writes/);
    expect((await ref.get()).exists).toBe(false);
  });
});

describe('firestore.ts: WriteBatch class', () => {
  it('supports empty batches, create, set, update and delete', async () => {
    await env.db.batch().commit();
    const ref = col().doc();
    await env.db.batch().create(ref, { foo: 'a' }).commit();
    expect((await ref.get()).get('foo')).toBe('a');
    await env.db.batch().set(ref, { foo: 'a' }).update(ref, { foo: 'b' }).commit();
    expect((await ref.get()).get('foo')).toBe('b');
    await env.db.batch().set(ref, { foo: 'a' }).delete(ref).commit();
    expect((await ref.get()).exists).toBe(false);
  });

  it('omits document transforms from write results', async () => {
    const c = col();
    const results = await env.db.batch().set(c.doc(), { foo: 'a' }).set(c.doc(), { foo: FieldValue.serverTimestamp() }).commit();
    expect(results).toHaveLength(2);
  });

  it('enforces that an updated document exists, and refuses reserved ids', async () => {
    const err = await failure(env.db.batch().update(col().doc(), { foo: 'b' }).commit());
    expect(err.message).toMatch(/No document to update/);
    expect(await codeOf(env.db.batch().set(col().doc('__doc__'), { foo: 'a' }).commit())).toBe(3);
  });

  it('fails the whole batch atomically when one precondition fails (lastUpdateTime, exists)', async () => {
    // The queue's lock-free steps: claim with an updateTime precondition, complete with the
    // payload delete in the same commit. A stale precondition must leave every write undone.
    const c = col();
    const job = c.doc('job');
    const payload = c.doc('job-payload');
    const other = c.doc('other');
    const first = await job.set({ status: 'queued' });
    await payload.set({ data: 'x' });
    const seen: string[][] = [];
    const unsubscribe = c.onSnapshot((s) => seen.push(s.docs.map((d) => `${d.id}:${JSON.stringify(d.data())}`)));
    const claimed = await job.update({ status: 'running' }, { lastUpdateTime: first.writeTime });
    expect(claimed.writeTime.toMillis()).toBeGreaterThanOrEqual(first.writeTime.toMillis());

    // Stale lastUpdateTime on the job: FAILED_PRECONDITION; the delete and the new document do not happen.
    const stale = env.db.batch().update(job, { status: 'done' }, { lastUpdateTime: first.writeTime }).delete(payload).set(other, { v: 1 });
    expect(await codeOf(stale.commit())).toBe(9);
    // A failing precondition on a later write undoes the earlier ones too.
    const late = env.db.batch().set(other, { v: 2 }).delete(payload, { lastUpdateTime: first.writeTime });
    expect(await codeOf(late.commit())).toBe(9);
    // exists preconditions: create of an existing document, update of a missing one.
    expect(await codeOf(env.db.batch().set(other, { v: 3 }).create(job, { status: 'x' }).commit())).toBe(6);
    expect(await codeOf(env.db.batch().set(other, { v: 4 }).update(c.doc('missing'), { v: 1 }).commit())).toBe(5);
    expect(await codeOf(env.db.batch().set(other, { v: 5 }).delete(c.doc('missing'), { exists: true }).commit())).toBe(5);
    const now = await Promise.all([job.get(), payload.get(), other.get()]);
    expect(now.map((d) => d.exists)).toEqual([true, true, false]);
    expect(now[0]!.get('status')).toBe('running');
    expect(now[0]!.updateTime!.isEqual(claimed.writeTime)).toBe(true);

    // With the current update time the same batch commits, all of it at one commit time.
    const done = await env.db.batch().update(job, { status: 'done' }, { lastUpdateTime: claimed.writeTime }).delete(payload, { exists: true }).set(other, { v: 6 }).commit();
    expect(new Set(done.map((r) => r.writeTime.valueOf())).size).toBe(1);
    expect((await payload.get()).exists).toBe(false);
    // Listeners never saw a failed batch's writes: the job went queued -> running -> done in one step each.
    const last = 'job:{"status":"done"} other:{"v":6}';
    await waitFor(() => (seen.some((docs) => docs.join(' ') === last) ? true : undefined));
    unsubscribe();
    const states = seen.map((docs) => docs.join(' '));
    expect(states.some((s) => s.includes('other:{"v":1}') || s.includes('other:{"v":2}') || s.includes('"status":"x"'))).toBe(false);
    expect(states[states.length - 1]).toBe(last);
  });
});

describe('firestore.ts: BulkWriter class', () => {
  it('creates, sets, updates and deletes with write times', async () => {
    const c = col();
    await c.doc('u').set({ foo: 'bar' });
    await c.doc('d').set({ foo: 'bar' });
    const writer = env.db.bulkWriter();
    const created = writer.create(c.doc('c'), { foo: 'bar' });
    const set = writer.set(c.doc('s'), { foo: 'bar' });
    const updated = writer.update(c.doc('u'), { foo: 'bar2' });
    const deleted = writer.delete(c.doc('d'));
    await writer.close();
    for (const op of [created, set, updated]) expect((await op).writeTime.toMillis()).toBeGreaterThan(0);
    expect((await deleted).writeTime).toBeDefined();
    expect((await c.doc('c').get()).data()).toEqual({ foo: 'bar' });
    expect((await c.doc('u').get()).data()).toEqual({ foo: 'bar2' });
    expect((await c.doc('d').get()).exists).toBe(false);
  });

  it('can write the same document twice', async () => {
    const ref = col().doc('doc1');
    const writer = env.db.bulkWriter();
    const ops = [writer.set(ref, { foo: 'bar' }), writer.set(ref, { foo: 'bar2' })];
    await writer.close();
    for (const op of ops) expect((await op).writeTime).toBeDefined();
    expect(['bar', 'bar2']).toContain((await ref.get()).get('foo'));
  });

  it('retries failed writes through the error callback, then reports INVALID_ARGUMENT', async () => {
    const writer = env.db.bulkWriter();
    let retries = 0;
    writer.onWriteError((error) => {
      retries = error.failedAttempts;
      return error.failedAttempts < 3;
    });
    const op = codeOf(writer.create(col().doc('__doc__'), { foo: 'bar' }));
    await writer.close();
    expect(await op).toBe(3);
    expect(retries).toBe(3);
  });
});

// The SDK's REST run of the same case: Firestore fails the whole BatchWrite request with
// HTTP 400 INVALID_ARGUMENT for the reserved id, and BulkWriter retries the failed batch.
describe('firestore.ts: BulkWriter class over REST (preferRest)', () => {
  const rest = useAdmin('conf-admin-rest', { preferRest: true });

  it('retries failed writes through the error callback, then reports INVALID_ARGUMENT', async () => {
    const writer = rest.db.bulkWriter();
    let retries = 0;
    writer.onWriteError((error) => {
      retries = error.failedAttempts;
      return error.failedAttempts < 3;
    });
    const op = codeOf(writer.create(rest.db.collection(randomId('node_')).doc('__doc__'), { foo: 'bar' }));
    await writer.close();
    expect(await op).toBe(3);
    expect(retries).toBe(3);
  });

  // REST has no Listen ("only available via gRPC or WebChannel"): the SDK switches to gRPC.
  it('listens with preferRest (the SDK opens gRPC for Listen; REST :listen is 501)', async () => {
    const c = rest.db.collection(randomId('node_'));
    await c.doc('a').set({ n: 1 });
    const ids = await new Promise<string[]>((resolve, reject) => {
      const stop = c.onSnapshot((snap) => {
        stop();
        resolve(snap.docs.map((d) => d.id));
      }, reject);
    });
    expect(ids).toEqual(['a']);
    const database = `projects/${rest.projectId}/databases/(default)`;
    const res = await fetch(`${rest.target.url}/v1/${database}/documents:listen`, { method: 'POST', headers: { Authorization: 'Bearer owner' }, body: '{}' });
    expect(res.status).toBe(501);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/only available via gRPC or WebChannel/);
  });

  it('a BatchWrite with one invalid document id writes nothing and answers 400 INVALID_ARGUMENT', async () => {
    const database = `projects/${rest.projectId}/databases/(default)`;
    const coll = randomId('node_');
    const write = (id: string): unknown => ({ update: { name: `${database}/documents/${coll}/${id}`, fields: { foo: { stringValue: 'bar' } } } });
    const res = await fetch(`${rest.target.url}/v1/${database}/documents:batchWrite`, {
      method: 'POST',
      headers: { Authorization: 'Bearer owner' },
      body: JSON.stringify({ writes: [write('ok'), write('__doc__')] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('INVALID_ARGUMENT');
    expect((await rest.db.collection(coll).doc('ok').get()).exists).toBe(false);
  });
});

describe('firestore.ts: recursiveDelete()', () => {
  async function tree(): Promise<CollectionReference> {
    const c = col();
    const batch = env.db.batch();
    batch.set(c.doc('anna'), { name: 'anna' });
    batch.set(c.doc('bob'), { name: 'bob' });
    batch.set(c.doc('bob/parentsCol/charlie'), { name: 'charlie' });
    batch.set(c.doc('bob/parentsCol/daniel'), { name: 'daniel' });
    batch.set(c.doc('bob/parentsCol/daniel/childCol/ernie'), { name: 'ernie' });
    batch.set(c.doc('bob/parentsCol/daniel/childCol/francis'), { name: 'francis' });
    await batch.commit();
    return c;
  }

  async function countDocument(ref: DocumentReference): Promise<number> {
    let n = 0;
    for (const c of await ref.listCollections()) n += await countCollection(c);
    return n;
  }

  async function countCollection(ref: CollectionReference): Promise<number> {
    let n = 0;
    for (const d of await ref.listDocuments()) n += (await countDocument(d)) + 1;
    return n;
  }

  it('deletes a top-level collection', async () => {
    const c = await tree();
    await env.db.recursiveDelete(c);
    expect(await countCollection(c)).toBe(0);
  });

  it('deletes a nested collection', async () => {
    const c = await tree();
    const nested = c.doc('bob').collection('parentsCol');
    await env.db.recursiveDelete(nested);
    expect(await countCollection(nested)).toBe(0);
    expect(await countCollection(c)).toBe(2);
  });

  it('deletes a nested document and a leaf document', async () => {
    const c = await tree();
    const daniel = c.doc('bob/parentsCol/daniel');
    await env.db.recursiveDelete(daniel);
    expect((await daniel.get()).exists).toBe(false);
    expect(await countDocument(c.doc('bob'))).toBe(1);
    expect(await countCollection(c)).toBe(3);
    const d = await tree();
    const ernie = d.doc('bob/parentsCol/daniel/childCol/ernie');
    await env.db.recursiveDelete(ernie);
    expect((await ernie.get()).exists).toBe(false);
    expect(await countCollection(d)).toBe(5);
  });

  it('does not affect other collections, and reports each delete to a custom BulkWriter', async () => {
    const c = await tree();
    const other = col();
    await other.doc('doggo').set({ name: 'goodboi' });
    await env.db.recursiveDelete(other);
    expect(await countCollection(c)).toBe(6);
    expect(await countCollection(other)).toBe(0);
    const writer = env.db.bulkWriter();
    let results = 0;
    writer.onWriteResult(() => results++);
    await env.db.recursiveDelete(c, writer);
    await writer.close();
    expect(results).toBe(6);
  });
});

describe('firestore.ts: CollectionGroup partition queries', () => {
  const documentCount = 2 * 128 + 127;

  it('partitions a collection group into at most the desired count, covering every document once', async () => {
    const c = col();
    const batch = env.db.batch();
    for (let i = 0; i < documentCount; i++) batch.create(c.doc(), { title: 'post', author: 'author' });
    await batch.commit();
    const group = env.db.collectionGroup(c.id);
    const partitions = [];
    for await (const p of group.getPartitions(3)) partitions.push(p);
    // 383 documents, partitions of at least 128: the 3 partitions asked for.
    expect(partitions.length).toBe(3);
    expect(partitions[0]!.startAt).toBeUndefined();
    for (let i = 0; i < partitions.length - 1; i++) {
      expect((partitions[i]!.endBefore![0] as DocumentReference).isEqual(partitions[i + 1]!.startAt![0] as DocumentReference)).toBe(true);
    }
    expect(partitions[partitions.length - 1]!.endBefore).toBeUndefined();
    const seen = new Set<string>();
    for (const p of partitions) for (const d of (await p.toQuery().get()).docs) seen.add(d.ref.path);
    expect(seen.size).toBe(documentCount);
    let manual = 0;
    for (const p of partitions) {
      let q: FirebaseFirestore.Query = group.orderBy(FieldPath.documentId());
      if (p.startAt) q = q.startAt(...p.startAt);
      if (p.endBefore) q = q.endBefore(...p.endBefore);
      manual += (await q.get()).size;
    }
    expect(manual).toBe(documentCount);
  });

  it('answers one unbounded partition for an empty collection group', async () => {
    const partitions = [];
    for await (const p of env.db.collectionGroup(randomId('empty')).getPartitions(3)) partitions.push(p);
    expect(partitions).toHaveLength(1);
    expect(partitions[0]!.startAt).toBeUndefined();
    expect(partitions[0]!.endBefore).toBeUndefined();
  });
});
