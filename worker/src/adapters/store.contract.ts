import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobDocSchema, type JobDoc } from '../schema/job.js';
import type { LockDoc } from '../schema/coordination.js';
import type { CollectionKey } from '../schema/names.js';
import { encodeDoc } from '../schema/documents.js';
import {
  AlreadyExistsError,
  at,
  DocumentDecodeError,
  MissingDocumentError,
  type DocStore,
  type LenientRead,
  type ListenSnapshot,
} from '../ports/store.js';
import { waitFor } from '../testing/wait.js';

/**
 * The store contract: what the queue engine relies on from ANY DocStore. Run against the
 * memory adapter and against Firestore (our emulator, or Google's via FIRESTORE_EMULATOR_HOST).
 * `makeStore` must return a store on a fresh, empty namespace (unique prefix).
 */
export interface StoreFixture {
  store: DocStore;
  /** Another client of the same database (another "server"). */
  other: DocStore;
  /** Stores `data` as it is, bypassing the schema (as a browser or an admin can). */
  writeRaw(collection: CollectionKey, id: string, data: Record<string, unknown>): Promise<void>;
  cleanup(): Promise<void>;
}

/** A stored job (encoded: Dates for times) with some fields replaced by raw values. */
function rawJob(patch: Record<string, unknown>, base: Partial<JobDoc> = {}): Record<string, unknown> {
  return { ...encodeDoc('jobs', job(base)), ...patch };
}

export function job(patch: Partial<JobDoc> = {}): JobDoc {
  const t = 1_700_000_000_000;
  return {
    ...jobDocSchema.parse({
      status: 'queued',
      priority: 'normal',
      userId: 'u1',
      audio: { mimeType: 'audio/wav', bytes: 10, chunkCount: 1 },
      source: 'server',
      createdAt: t,
      updatedAt: t,
      maxAttempts: 3,
    }),
    ...patch,
  };
}

function lock(name: string, token: number): LockDoc {
  return { name, holder: null, token, acquiredAt: null, renewedAt: null, expiresAt: null, purpose: null, releasedAt: null, releasedBy: null };
}

export function describeStoreContract(label: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`DocStore contract: ${label}`, () => {
    let fx: StoreFixture;
    let store: DocStore;
    beforeAll(async () => {
      fx = await makeStore();
      store = fx.store;
    });
    afterAll(async () => {
      await fx?.cleanup();
    });

    it('round-trips documents with times, nested maps and bytes; missing documents are null', async () => {
      const doc = job({ lease: { owner: 's1', token: 3, acquiredAt: 5, expiresAt: 1_700_000_060_123, heartbeatAt: 7 }, fence: 3, status: 'running', metadata: { a: 1, b: 'x', c: true, d: null } });
      await store.commit([{ op: 'set', collection: 'jobs', id: 'rt1', data: doc }]);
      const back = await fx.other.get('jobs', 'rt1');
      expect(back.doc).toEqual(doc);
      expect(back.readTime).toBeGreaterThan(0);
      const bytes = new Uint8Array([0, 1, 2, 255, 128]);
      await store.commit([{ op: 'set', collection: 'payloads', id: 'rt1_0000', data: { jobId: 'rt1', userId: 'u', index: 0, count: 1, data: bytes, createdAt: 9 } }]);
      const chunk = await store.get('payloads', 'rt1_0000');
      expect(Array.from(chunk.doc!.data)).toEqual([0, 1, 2, 255, 128]);
      expect((await store.get('jobs', 'nope')).doc).toBeNull();
    });

    it('queries with equality, range on timestamps, nested fields, order, limit and paging', async () => {
      const base = 1_700_000_100_000;
      await store.commit([
        { op: 'set', collection: 'jobs', id: 'q-a', data: job({ status: 'queued', rank: 30, userId: 'qa', priority: 'low' }) },
        { op: 'set', collection: 'jobs', id: 'q-b', data: job({ status: 'queued', rank: 10, userId: 'qa', priority: 'high' }) },
        { op: 'set', collection: 'jobs', id: 'q-c', data: job({ status: 'queued', rank: 20, userId: 'qb' }) },
        { op: 'set', collection: 'jobs', id: 'q-d', data: job({ status: 'waiting', rank: 5, userId: 'qa', availableAt: base + 1_000 }) },
        { op: 'set', collection: 'jobs', id: 'q-e', data: job({ status: 'waiting', rank: 6, userId: 'qa', availableAt: base + 9_000 }) },
        {
          op: 'set',
          collection: 'jobs',
          id: 'q-f',
          data: job({ status: 'running', userId: 'qa', fence: 1, lease: { owner: 'srv-q', token: 1, acquiredAt: base, expiresAt: base + 500, heartbeatAt: base } }),
        },
      ]);
      const queued = await store.query({ collection: 'jobs', where: [{ field: 'status', op: '==', value: 'queued' }, { field: 'userId', op: 'in', value: ['qa', 'qb'] }], orderBy: [{ field: 'rank' }], limit: 2 });
      expect(queued.docs.map((d) => d.id)).toEqual(['q-b', 'q-c']);
      const page2 = await store.query({ collection: 'jobs', where: [{ field: 'status', op: '==', value: 'queued' }, { field: 'userId', op: 'in', value: ['qa', 'qb'] }], orderBy: [{ field: 'rank' }], limit: 2, startAfterId: 'q-c' });
      expect(page2.docs.map((d) => d.id)).toEqual(['q-a']);
      const due = await store.query({ collection: 'jobs', where: [{ field: 'status', op: '==', value: 'waiting' }, { field: 'availableAt', op: '<=', value: at(base + 5_000) }], orderBy: [{ field: 'availableAt' }] });
      expect(due.docs.map((d) => d.id)).toEqual(['q-d']);
      const mine = await store.query({ collection: 'jobs', where: [{ field: 'lease.owner', op: '==', value: 'srv-q' }] });
      expect(mine.docs.map((d) => d.id)).toEqual(['q-f']);
      const desc = await store.query({ collection: 'jobs', where: [{ field: 'userId', op: '==', value: 'qa' }, { field: 'status', op: '==', value: 'queued' }], orderBy: [{ field: 'rank', direction: 'desc' }] });
      expect(desc.docs.map((d) => d.id)).toEqual(['q-a', 'q-b']);
      expect(await store.count({ collection: 'jobs', where: [{ field: 'userId', op: '==', value: 'qa' }] })).toBe(5);
      expect(await store.count({ collection: 'jobs', where: [{ field: 'userId', op: '==', value: 'nobody' }] })).toBe(0);
    });

    it('pages on after a cursor document that no longer matches the query, in id order without orderBy', async () => {
      const where = [{ field: 'userId', op: '==' as const, value: 'cursor' }];
      await store.commit(['c-1', 'c-2', 'c-3', 'c-4'].map((id) => ({ op: 'set' as const, collection: 'jobs' as const, id, data: job({ userId: 'cursor' }) })));
      const first = await store.query({ collection: 'jobs', where, limit: 2 });
      expect(first.docs.map((d) => d.id)).toEqual(['c-1', 'c-2']);
      // The last one seen leaves the result set before the next page is read.
      await store.commit([{ op: 'set', collection: 'jobs', id: 'c-2', data: job({ userId: 'moved' }) }]);
      const next = await fx.other.query({ collection: 'jobs', where, limit: 2, startAfterId: 'c-2' });
      expect(next.docs.map((d) => d.id)).toEqual(['c-3', 'c-4']);
      await store.commit([{ op: 'delete', collection: 'jobs', id: 'c-2' }]);
      const over = await store.query({ collection: 'jobs', where, limit: 2, startAfterId: 'c-2' });
      expect(over.docs.map((d) => d.id)).toEqual(['c-1', 'c-3']);
    });

    it('projection queries return only the selected fields, decoded, in query order', async () => {
      const t = 1_700_000_200_000;
      await store.commit([
        { op: 'set', collection: 'jobs', id: 'p-a', data: job({ userId: 'proj', rank: 2, position: 7, estimatedWaitMs: 900, positionAt: t, metadata: { big: 'x'.repeat(500) } }) },
        { op: 'set', collection: 'jobs', id: 'p-b', data: job({ userId: 'proj', rank: 1 }) },
      ]);
      const { docs, readTime } = await fx.other.select(
        { collection: 'jobs', where: [{ field: 'userId', op: '==', value: 'proj' }], orderBy: [{ field: 'rank' }] },
        ['priority', 'position', 'estimatedWaitMs', 'positionAt'],
      );
      expect(readTime).toBeGreaterThan(0);
      expect(docs.map((d) => d.id)).toEqual(['p-b', 'p-a']);
      expect(docs[1]!.data).toEqual({ priority: 'normal', position: 7, estimatedWaitMs: 900, positionAt: t });
      expect(docs[0]!.data).toEqual({ priority: 'normal', position: null, estimatedWaitMs: null, positionAt: null });
      expect(docs[0]!.updateTime).toBeGreaterThan(0);
    });

    it('patches fields without a read, only if the document is unchanged since a projection saw it', async () => {
      await store.commit([{ op: 'set', collection: 'jobs', id: 'pt', data: job({ userId: 'patch', rank: 5 }) }]);
      const seen = async () =>
        (await store.select({ collection: 'jobs', where: [{ field: 'userId', op: '==', value: 'patch' }] }, ['position'])).docs[0]!;
      const first = await seen();
      expect(await fx.other.patch('jobs', 'pt', { position: 3, estimatedWaitMs: 1_000, positionAt: 1_700_000_300_000 }, { ifVersion: first.version })).toBe(true);
      expect((await store.get('jobs', 'pt')).doc).toMatchObject({ position: 3, estimatedWaitMs: 1_000, positionAt: 1_700_000_300_000, rank: 5, status: 'queued' });
      // The version moved with that write: the old one no longer matches, and nothing changes.
      expect(await store.patch('jobs', 'pt', { position: 9 }, { ifVersion: first.version })).toBe(false);
      const second = await seen();
      expect(second.data.position).toBe(3);
      await store.commit([{ op: 'set', collection: 'jobs', id: 'pt', data: job({ userId: 'patch', rank: 5, status: 'running' }) }]);
      expect(await store.patch('jobs', 'pt', { position: 1 }, { ifVersion: second.version })).toBe(false);
      expect((await store.get('jobs', 'pt')).doc).toMatchObject({ status: 'running', position: null });
      expect(await store.patch('jobs', 'no-such-job', { position: 1 })).toBe(false);
      expect((await store.get('jobs', 'no-such-job')).doc).toBeNull();
    });

    it('commitIf writes a batch only when every guard holds, and returns the new versions', async () => {
      await store.commit([{ op: 'set', collection: 'jobs', id: 'g1', data: job({ userId: 'guard', rank: 1 }) }]);
      const read = await store.get('jobs', 'g1');
      expect(read.version).not.toBeNull();
      expect((await store.get('jobs', 'g-none')).version).toBeNull();
      // Version matches, the new document does not exist: both writes land atomically.
      const ok = await store.commitIf([
        { op: 'set', collection: 'jobs', id: 'g1', data: job({ userId: 'guard', rank: 2 }), guard: { ifVersion: read.version! } },
        { op: 'set', collection: 'jobs', id: 'g2', data: job({ userId: 'guard', rank: 3 }), guard: { ifMissing: true } },
      ]);
      expect(ok.ok).toBe(true);
      if (!ok.ok) return;
      expect((await store.get('jobs', 'g1')).doc?.rank).toBe(2);
      // The returned version is the document's version: it guards the next write.
      const next = await store.commitIf([{ op: 'set', collection: 'jobs', id: 'g1', data: job({ userId: 'guard', rank: 4 }), guard: { ifVersion: ok.versions[0]! } }]);
      expect(next.ok).toBe(true);
      // A stale version (another writer in between) fails the whole batch: nothing is written.
      const stale = await fx.other.commitIf([
        { op: 'set', collection: 'jobs', id: 'g3', data: job({ userId: 'guard', rank: 9 }) },
        { op: 'set', collection: 'jobs', id: 'g1', data: job({ userId: 'guard', rank: 5 }), guard: { ifVersion: read.version! } },
      ]);
      expect(stale).toEqual({ ok: false });
      expect((await store.get('jobs', 'g1')).doc?.rank).toBe(4);
      expect((await store.get('jobs', 'g3')).doc).toBeNull();
      // ifMissing on an existing document, and a guarded write of a deleted one, both fail.
      expect(await store.commitIf([{ op: 'set', collection: 'jobs', id: 'g2', data: job(), guard: { ifMissing: true } }])).toEqual({ ok: false });
      const g2 = await store.get('jobs', 'g2');
      const del = await store.commitIf([{ op: 'delete', collection: 'jobs', id: 'g2', guard: { ifVersion: g2.version! } }]);
      expect(del.ok).toBe(true);
      expect(await store.commitIf([{ op: 'set', collection: 'jobs', id: 'g2', data: job(), guard: { ifVersion: g2.version! } }])).toEqual({ ok: false });
      expect((await store.get('jobs', 'g2')).doc).toBeNull();
    });

    it('query and listener snapshots carry versions that guard a write', async () => {
      await store.commit([{ op: 'set', collection: 'jobs', id: 'gv1', data: job({ userId: 'gv', rank: 1 }) }]);
      const { docs } = await store.query({ collection: 'jobs', where: [{ field: 'userId', op: '==', value: 'gv' }] });
      const seen: ListenSnapshot<'jobs'>[] = [];
      const stop = store.listen({ collection: 'jobs', where: [{ field: 'userId', op: '==', value: 'gv' }] }, (s) => seen.push(s), () => {});
      await waitFor(() => seen.length > 0);
      stop();
      const fromListener = seen.at(-1)!.docs[0]!;
      const first = await store.commitIf([{ op: 'set', collection: 'jobs', id: 'gv1', data: job({ userId: 'gv', rank: 2 }), guard: { ifVersion: fromListener.version } }]);
      expect(first.ok).toBe(true);
      // The query's version is the same, now stale, one.
      expect(await store.commitIf([{ op: 'set', collection: 'jobs', id: 'gv1', data: job({ userId: 'gv', rank: 3 }), guard: { ifVersion: docs[0]!.version } }])).toEqual({ ok: false });
    });

    it('serializes concurrent read-modify-write transactions from two clients (no lost update)', async () => {
      await store.commit([{ op: 'set', collection: 'locks', id: 'ctr', data: lock('ctr', 0) }]);
      const bump = (s: DocStore) =>
        s.runTransaction(async (tx) => {
          const cur = await tx.get('locks', 'ctr');
          tx.set('locks', 'ctr', { ...cur!, token: cur!.token + 1 });
          return cur!.token + 1;
        });
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => bump(i % 2 ? store : fx.other)));
      expect(new Set(results).size).toBe(8);
      expect((await store.get('locks', 'ctr')).doc!.token).toBe(8);
    });

    it('gives a transaction the store time of its reads', async () => {
      const before = (await store.get('locks', 'ctr')).readTime;
      const txNow = await store.runTransaction(async (tx) => {
        await tx.get('locks', 'ctr');
        return tx.now();
      });
      expect(txNow).toBeGreaterThanOrEqual(before);
      expect(Math.abs(store.now() - txNow)).toBeLessThan(60_000);
    });

    it('create fails on an existing document and the whole transaction writes nothing', async () => {
      await store.commit([{ op: 'set', collection: 'locks', id: 'exists', data: lock('exists', 1) }]);
      const attempt = store.runTransaction(async (tx) => {
        await tx.get('locks', 'exists');
        tx.set('locks', 'side-effect', lock('side-effect', 1));
        tx.create('locks', 'exists', lock('exists', 2));
      });
      await expect(attempt).rejects.toBeInstanceOf(AlreadyExistsError);
      expect((await store.get('locks', 'side-effect')).doc).toBeNull();
      expect((await store.get('locks', 'exists')).doc!.token).toBe(1);
    });

    it('an error thrown inside a transaction aborts it', async () => {
      await expect(
        store.runTransaction(async (tx) => {
          await tx.get('locks', 'exists');
          tx.set('locks', 'exists', lock('exists', 99));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await store.get('locks', 'exists')).doc!.token).toBe(1);
    });

    it('listeners deliver the current result set, then every change, until unsubscribed', async () => {
      const seen: ListenSnapshot<'jobs'>[] = [];
      const errors: Error[] = [];
      const unsubscribe = fx.other.listen(
        { collection: 'jobs', where: [{ field: 'userId', op: '==', value: 'lsn' }, { field: 'status', op: '==', value: 'queued' }], orderBy: [{ field: 'rank' }], limit: 2 },
        (s) => seen.push(s),
        (e) => errors.push(e),
      );
      await waitFor(() => seen.length >= 1, { what: 'first snapshot' });
      expect(seen[0]!.docs).toEqual([]);
      await store.commit([{ op: 'set', collection: 'jobs', id: 'l1', data: job({ userId: 'lsn', rank: 2 }) }]);
      await waitFor(() => seen.at(-1)!.docs.length === 1, { what: 'added doc' });
      await store.commit([
        { op: 'set', collection: 'jobs', id: 'l2', data: job({ userId: 'lsn', rank: 1 }) },
        { op: 'set', collection: 'jobs', id: 'l3', data: job({ userId: 'lsn', rank: 3 }) },
      ]);
      await waitFor(() => seen.at(-1)!.docs.map((d) => d.id).join() === 'l2,l1', { what: 'limit-2 head' });
      await store.commit([{ op: 'set', collection: 'jobs', id: 'l2', data: job({ userId: 'lsn', rank: 1, status: 'running' }) }]);
      await waitFor(() => seen.at(-1)!.docs.map((d) => d.id).join() === 'l1,l3', { what: 'head after claim' });
      unsubscribe();
      const count = seen.length;
      await store.commit([{ op: 'delete', collection: 'jobs', id: 'l1' }]);
      const probe = await store.get('jobs', 'l1');
      expect(probe.doc).toBeNull();
      expect(seen.length).toBe(count);
      expect(errors).toEqual([]);
    });

    it('refuses a query past 30 disjunctions (in x in), as a query and through a listener, and runs one at 30', async () => {
      const where = (shards: number) => [
        { field: 'status', op: '==' as const, value: 'queued' },
        { field: 'priority', op: 'in' as const, value: ['urgent', 'high', 'normal'] },
        { field: 'shard', op: 'in' as const, value: [...Array(shards).keys()] },
      ];
      const q = (shards: number) => ({ collection: 'jobs' as const, where: where(shards), orderBy: [{ field: 'rank' }], limit: 5 });
      await store.commit([{ op: 'set', collection: 'jobs', id: 'dnf-1', data: job({ userId: 'dnf', shard: 3, rank: 1 }) }]);
      expect((await store.query(q(10))).docs.map((d) => d.id)).toContain('dnf-1');
      await expect(store.query(q(11))).rejects.toThrow();
      const errors: Error[] = [];
      const unsubscribe = store.listen(q(11), () => undefined, (e) => errors.push(e));
      await waitFor(() => errors.length > 0, { what: 'listener error for 33 disjunctions' });
      unsubscribe();
    });

    it('document listeners report creation, change and deletion', async () => {
      const seen: (number | null)[] = [];
      const unsubscribe = fx.other.listenDoc('locks', 'watched', (r) => seen.push(r.doc?.token ?? null), () => {});
      await waitFor(() => seen.length >= 1);
      await store.commit([{ op: 'set', collection: 'locks', id: 'watched', data: lock('watched', 4) }]);
      await waitFor(() => seen.at(-1) === 4);
      await store.commit([{ op: 'delete', collection: 'locks', id: 'watched' }]);
      await waitFor(() => seen.length >= 3 && seen.at(-1) === null);
      unsubscribe();
      expect(seen[0]).toBeNull();
    });

    it('lists documents that fail their schema as undecodable (raw fields, issues) in query and listener results', async () => {
      await fx.writeRaw('jobs', 'u-bad', rawJob({ metadata: { a: { b: 1 } } }, { userId: 'undec', rank: 1 }));
      await store.commit([{ op: 'set', collection: 'jobs', id: 'u-good', data: job({ userId: 'undec', rank: 2 }) }]);
      const where = [{ field: 'userId', op: '==' as const, value: 'undec' }];
      const result = await fx.other.query({ collection: 'jobs', where, orderBy: [{ field: 'rank' }] });
      expect(result.docs.map((d) => d.id)).toEqual(['u-good']);
      expect(result.undecodable.map((d) => d.id)).toEqual(['u-bad']);
      const bad = result.undecodable[0]!;
      expect(bad.error).toBeInstanceOf(DocumentDecodeError);
      expect(bad.error.issues.map((i) => i.path)).toEqual(['metadata.a']);
      expect(bad.raw).toMatchObject({ userId: 'undec', status: 'queued', metadata: { a: { b: 1 } } });
      expect(bad.updateTime).toBeGreaterThan(0);
      await expect(store.get('jobs', 'u-bad')).rejects.toBeInstanceOf(DocumentDecodeError);

      const seen: ListenSnapshot<'jobs'>[] = [];
      const unsubscribe = store.listen({ collection: 'jobs', where }, (s) => seen.push(s), () => {});
      await waitFor(() => seen.length >= 1, { what: 'first snapshot' });
      expect(seen[0]!.undecodable.map((d) => d.id)).toEqual(['u-bad']);
      expect(seen[0]!.docs.map((d) => d.id)).toEqual(['u-good']);
      // Once it is readable, it moves to docs.
      await fx.other.commit([{ op: 'set', collection: 'jobs', id: 'u-bad', data: job({ userId: 'undec', rank: 1 }) }]);
      await waitFor(() => seen.at(-1)!.docs.length === 2, { what: 'repaired doc' });
      expect(seen.at(-1)!.undecodable).toEqual([]);
      unsubscribe();
    });

    it('getLenient returns an undecodable document; update replaces some fields and keeps the rest as stored', async () => {
      await fx.writeRaw('jobs', 'len-bad', rawJob({ sessionId: 42, metadata: { a: [1, 2] }, legacy: 'kept' }, { userId: 'lenient' }));
      await store.commit([{ op: 'set', collection: 'jobs', id: 'len-ok', data: job({ userId: 'lenient' }) }]);
      const reads = await store.runTransaction(async (tx) => {
        const out: Record<string, LenientRead<'jobs'>> = {};
        for (const id of ['len-missing', 'len-ok', 'len-bad']) out[id] = await tx.getLenient('jobs', id);
        // Replace the unreadable metadata only: the document is still unreadable (sessionId).
        tx.update('jobs', 'len-bad', { metadata: {}, status: 'rejected' });
        return out;
      });
      expect(reads['len-missing']).toEqual({ kind: 'missing' });
      expect(reads['len-ok']).toMatchObject({ kind: 'decoded', doc: { userId: 'lenient', status: 'queued' } });
      const bad = reads['len-bad']!;
      expect(bad.kind).toBe('undecodable');
      if (bad.kind !== 'undecodable') return;
      expect(bad.raw).toMatchObject({ sessionId: 42, metadata: { a: [1, 2] }, legacy: 'kept' });
      expect(bad.error.issues.map((i) => i.path).sort()).toEqual(['metadata.a', 'sessionId']);

      const after = await fx.other.runTransaction((tx) => tx.getLenient('jobs', 'len-bad'));
      expect(after.kind).toBe('undecodable');
      if (after.kind === 'undecodable') {
        expect(after.raw).toMatchObject({ sessionId: 42, metadata: {}, status: 'rejected', legacy: 'kept', userId: 'lenient' });
        expect(after.error.issues.map((i) => i.path)).toEqual(['sessionId']);
      }
      await store.runTransaction(async (tx) => {
        await tx.getLenient('jobs', 'len-bad');
        tx.update('jobs', 'len-bad', { sessionId: null });
      });
      expect((await store.get('jobs', 'len-bad')).doc).toMatchObject({ status: 'rejected', sessionId: null, metadata: {}, userId: 'lenient' });
    });

    it('update of a missing document fails the transaction and writes nothing', async () => {
      const attempt = store.runTransaction(async (tx) => {
        await tx.get('locks', 'upd-missing');
        tx.set('locks', 'upd-side-effect', lock('upd-side-effect', 1));
        tx.update('locks', 'upd-missing', { token: 2 });
      });
      await expect(attempt).rejects.toBeInstanceOf(MissingDocumentError);
      expect((await store.get('locks', 'upd-side-effect')).doc).toBeNull();
      expect((await store.get('locks', 'upd-missing')).doc).toBeNull();
    });

    it('meters reads, writes and deletes', async () => {
      const m0 = { ...store.meter };
      await store.commit([
        { op: 'set', collection: 'locks', id: 'm1', data: lock('m1', 1) },
        { op: 'delete', collection: 'locks', id: 'm1' },
      ]);
      await store.get('locks', 'm1');
      expect(store.meter.writes - m0.writes).toBe(1);
      expect(store.meter.deletes - m0.deletes).toBe(1);
      expect(store.meter.reads - m0.reads).toBe(1);
    });
  });
}
