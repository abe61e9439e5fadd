import { encodeDoc, type CollectionKey } from '@fq/worker/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T0, job, lock } from '../test/factories';
import { DocumentExistsError, PageCursorExpiredError } from './errors';
import { SERVER_TIME, type DataPort, type LiveMeta, type Mutation, type Sink } from './port';
import { jobSearchSpec, specs } from './queries';
import type { Row } from './rows';
import { at, docSpec, querySpec, where, type FieldFilter, type OrderBy } from './specs';

/**
 * The data-port contract: what the console relies on from ANY `DataPort`. One suite, run
 * against the test fake (`FakeData`, unit tests) and against the web-SDK adapter on a real
 * Firestore endpoint (our emulator, or another via FIRESTORE_EMULATOR_HOST), so the fake the
 * component tests stand on behaves like the thing it stands in for. Every case is stated as
 * Firestore behaves; where the fake differed, the fake was fixed.
 *
 * Cases keep apart by field names: documents of raw fields live in `locks` (they fail its
 * schema, so they come back as error rows with their raw fields), and a query on a field only
 * ever matches documents that have it, the case's own.
 */
export interface DataPortFixture {
  /** A client rules do not restrict (the Admin SDK's / the emulator's owner). */
  port: DataPort;
  /** A second client of the same database (another tab, another operator). */
  other: DataPort;
  /** A client refused every read, listener and write on `deniedCollection`. */
  denied: DataPort;
  deniedCollection: CollectionKey;
  cleanup(): Promise<void>;
}

type Event<T> = { kind: 'next'; value: T; meta: LiveMeta } | { kind: 'error'; error: Error };

const WAIT_MS = 20_000;

/** A listener's sink that keeps every event and lets a test wait for the one it expects. */
class Recorder<T> implements Sink<T> {
  readonly events: Event<T>[] = [];
  /** Events up to here were matched by an earlier wait; later waits look after them. */
  private consumed = 0;
  private wake: (() => void) | null = null;

  next(value: T, meta: LiveMeta): void {
    this.events.push({ kind: 'next', value, meta: { ...meta } });
    this.wake?.();
  }

  error(error: Error): void {
    this.events.push({ kind: 'error', error });
    this.wake?.();
  }

  /**
   * The next snapshot from the server (not from the cache, no local write pending) that
   * satisfies `pred`. Firestore may first show cached or pending states; the console renders
   * those too, but these are the states every adapter must reach.
   */
  async settled(pred: (value: T) => boolean, what: string): Promise<T> {
    const found = await this.find((e) => e.kind === 'next' && !e.meta.fromCache && !e.meta.hasPendingWrites && pred(e.value), what);
    return (found as Extract<Event<T>, { kind: 'next' }>).value;
  }

  async failure(): Promise<Error> {
    return ((await this.find((e) => e.kind === 'error', 'a listener error')) as Extract<Event<T>, { kind: 'error' }>).error;
  }

  private async find(match: (e: Event<T>) => boolean, what: string): Promise<Event<T>> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      for (let i = this.consumed; i < this.events.length; i++) {
        if (match(this.events[i]!)) {
          this.consumed = i + 1;
          return this.events[i]!;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; last event: ${describeEvent(this.events.at(-1))}`);
      // Woken by the next event, or by the deadline to fail with what was seen.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }
}

function describeEvent(e: Event<unknown> | undefined): string {
  if (!e) return 'none';
  if (e.kind === 'error') return `error ${e.error.message}`;
  return `${JSON.stringify(ids(e.value) ?? e.value)} ${JSON.stringify(e.meta)}`;
}

function ids(value: unknown): string[] | null {
  return Array.isArray(value) ? (value as Row<unknown>[]).map((r) => r.id) : null;
}

const idsOf = (rows: readonly Row<unknown>[]) => rows.map((r) => r.id);

/** The stored fields of a row that fails its schema (raw-field documents in `locks`). */
function rawOf(row: Row<unknown> | null): Record<string, unknown> {
  if (!row) throw new Error('expected a document, got none');
  if (row.ok) throw new Error(`expected ${row.id} to fail its schema (a raw-field document)`);
  return row.raw as Record<string, unknown>;
}

/** Epoch ms of a stored time, whichever form the adapter hands raw fields in (Date, Timestamp). */
function msOf(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (v !== null && typeof v === 'object' && typeof (v as { toMillis?: unknown }).toMillis === 'function') return (v as { toMillis(): number }).toMillis();
  throw new Error(`not a time: ${String(v)}`);
}

const setRaw = (id: string, data: Record<string, unknown>): Mutation => ({ op: 'set', collection: 'locks', id, data });

export function describeDataPortContract(label: string, makeFixture: () => Promise<DataPortFixture>): void {
  // Generous: the emulator runs on a shared, noisy machine.
  describe(`DataPort contract: ${label}`, { timeout: 60_000 }, () => {
    let fx: DataPortFixture;
    let port: DataPort;
    beforeAll(async () => {
      fx = await makeFixture();
      port = fx.port;
    }, 90_000);
    afterAll(async () => {
      await fx?.cleanup();
    });

    /** One page of a query on raw-field documents, as ids. */
    const page = async (filters: FieldFilter[], orderBy: OrderBy[] = [], limit = 20) =>
      idsOf((await port.getPage(querySpec('locks', { where: filters, orderBy, limit }), null)).rows);

    it('reads a document back decoded (times, bytes, nested maps), a missing one as null, a malformed one as an error row with its fields', async () => {
      const doc = job({ userId: 'rt', createdAt: T0 + 1, metadata: { a: 1, b: 'x', c: true, d: null } });
      const bytes = new Uint8Array([0, 1, 2, 255, 128]);
      await port.commitBatch([
        { op: 'set', collection: 'jobs', id: 'rt-1', data: encodeDoc('jobs', doc) },
        { op: 'set', collection: 'payloads', id: 'rt-1_0000', data: encodeDoc('payloads', { jobId: 'rt-1', userId: 'rt', index: 0, count: 1, data: bytes, createdAt: T0 }) },
        setRaw('rt-bad', { name: 'bad', token: 'seven' }),
      ]);
      const back = await fx.other.getDoc(docSpec('jobs', 'rt-1'));
      expect(back).toEqual({ id: 'rt-1', ok: true, data: doc });
      const chunk = await port.getDoc(docSpec('payloads', 'rt-1_0000'));
      expect(chunk?.ok && Array.from(chunk.data.data)).toEqual([0, 1, 2, 255, 128]);
      expect(await port.getDoc(docSpec('jobs', 'rt-missing'))).toBeNull();
      expect(rawOf(await port.getDoc(docSpec('locks', 'rt-bad')))).toEqual({ name: 'bad', token: 'seven' });
    });

    it('filters with == and ranges on times; a number never matches a time range (types must agree)', async () => {
      await port.commitBatch(
        [0, 1, 2, 3].map((i) => ({ op: 'set', collection: 'jobs', id: `cmp-${i}`, data: encodeDoc('jobs', job({ userId: 'cmp', createdAt: T0 + 10 * i })) }) as Mutation),
      );
      const inRange = await port.getPage(
        querySpec('jobs', { where: [where('createdAt', '>=', at(T0 + 10)), where('createdAt', '<', at(T0 + 30))], orderBy: [{ field: 'createdAt', direction: 'asc' }], limit: 10 }),
        null,
      );
      expect(idsOf(inRange.rows)).toEqual(['cmp-1', 'cmp-2']);
      const byUser = await port.getPage(querySpec('jobs', { where: [where('userId', '==', 'cmp')], orderBy: [{ field: 'createdAt', direction: 'desc' }], limit: 10 }), null);
      expect(idsOf(byUser.rows)).toEqual(['cmp-3', 'cmp-2', 'cmp-1', 'cmp-0']);
      const numeric = await port.getPage(querySpec('jobs', { where: [where('createdAt', '>=', 0)], limit: 50 }), null);
      expect(idsOf(numeric.rows).filter((id) => id.startsWith('cmp-'))).toEqual([]);
    });

    it('!= and not-in never match a document without the field or with null (not-in with null matches nothing); == null matches a stored null', async () => {
      await port.commitBatch([
        setRaw('ne-a', { ne: 1 }),
        setRaw('ne-b', { ne: 2 }),
        setRaw('ne-c', { ne: null }),
        setRaw('ne-d', { other: 1 }),
        setRaw('ne-e', { ne: 'x' }),
      ]);
      // Implicitly ordered by the field (numbers before strings), then by id.
      expect(await page([where('ne', '!=', 1)])).toEqual(['ne-b', 'ne-e']);
      expect(await page([where('ne', '!=', null)])).toEqual(['ne-a', 'ne-b', 'ne-e']);
      expect(await page([where('ne', 'not-in', [1, 'x'])])).toEqual(['ne-b']);
      expect(await page([where('ne', 'not-in', [1, null])])).toEqual([]);
      expect(await page([where('ne', '==', null)])).toEqual(['ne-c']);
      // `in` compares like ==, types included; the order is by id. (`in` with null is refused by querySpec.)
      expect(await page([where('ne', 'in', [2, 'x', '1'])])).toEqual(['ne-b', 'ne-e']);
    });

    it('array-contains matches an element of an array field, never an equal scalar', async () => {
      await port.commitBatch([
        setRaw('ac-a', { tags: ['x', 'y'] }),
        setRaw('ac-b', { tags: ['y'] }),
        setRaw('ac-c', { tags: 'x' }),
        setRaw('ac-d', { other: ['x'] }),
      ]);
      expect(await page([where('tags', 'array-contains', 'x')])).toEqual(['ac-a']);
      expect(await page([where('tags', 'array-contains', 'y')])).toEqual(['ac-a', 'ac-b']);
    });

    it("a job's audit entries (the job page's query): single and bulk entries that list it, newest first, none that do not", async () => {
      const entry = (at: number, targetId: string, targetIds: string[]) =>
        encodeDoc('audit', {
          at,
          actor: { kind: 'admin', id: 'op', email: 'op@example.com' },
          action: 'job.redrive',
          target: { kind: 'job', id: targetId },
          targetIds,
          reason: null,
          details: {},
          expireAt: null,
        });
      await port.commitBatch([
        { op: 'set', collection: 'audit', id: 'afj-1', data: entry(T0 + 1, 'afj-job', ['afj-job']) },
        { op: 'set', collection: 'audit', id: 'afj-2', data: entry(T0 + 3, 'status=failed', ['afj-other', 'afj-job']) },
        { op: 'set', collection: 'audit', id: 'afj-3', data: entry(T0 + 2, 'afj-other', ['afj-other']) },
        { op: 'set', collection: 'audit', id: 'afj-0', data: entry(T0 + 2, 'afj-job', ['afj-job']) },
      ]);
      const found = await fx.other.getPage(specs.auditForJob('afj-job', 10), null);
      expect(idsOf(found.rows)).toEqual(['afj-2', 'afj-0', 'afj-1']);
      expect(found.rows[0]).toMatchObject({ ok: true, data: { at: T0 + 3, actor: { email: 'op@example.com' }, targetIds: ['afj-other', 'afj-job'] } });
    });

    it('the job table by e-mail (its lowercased copy, with a status) and by job id prefix (a range on the document id, in id order, paged)', async () => {
      const put = (id: string, patch: Parameters<typeof job>[0]): Mutation => ({ op: 'set', collection: 'jobs', id, data: encodeDoc('jobs', job(patch)) });
      const ann = { userEmail: 'Ann@JSQ.example', userEmailLower: 'ann@jsq.example' };
      await port.commitBatch([
        put('jsq-b', { ...ann, status: 'failed', createdAt: T0 + 2 }),
        put('jsq-a', { ...ann, status: 'succeeded', createdAt: T0 + 3 }),
        put('jsq-c', { ...ann, status: 'failed', createdAt: T0 + 1 }),
        put('jsqz', { userEmail: 'bob@jsq.example', userEmailLower: 'bob@jsq.example', createdAt: T0 + 4 }),
        put('jsp-a', { createdAt: T0 }),
      ]);
      const byEmail = await fx.other.getPage(jobSearchSpec({ userEmail: 'ANN@jsq.example' }, 10), null);
      expect(idsOf(byEmail.rows)).toEqual(['jsq-a', 'jsq-b', 'jsq-c']);
      expect(idsOf((await fx.other.getPage(jobSearchSpec({ userEmail: 'ann@jsq.example', status: 'failed' }, 10), null)).rows)).toEqual(['jsq-b', 'jsq-c']);
      const first = await fx.other.getPage(jobSearchSpec({ idPrefix: 'jsq-' }, 2), null);
      expect(idsOf(first.rows)).toEqual(['jsq-a', 'jsq-b']);
      expect(idsOf((await fx.other.getPage(jobSearchSpec({ idPrefix: 'jsq-' }, 2), first.next)).rows)).toEqual(['jsq-c']);
      expect(idsOf((await fx.other.getPage(jobSearchSpec({ idPrefix: 'jsq' }, 10), null)).rows)).toEqual(['jsq-a', 'jsq-b', 'jsq-c', 'jsqz']);
    });

    it('orders by a field (documents without it are left out, null first, then by type), ties by id in the last direction; limit cuts', async () => {
      await port.commitBatch([
        setRaw('ob-a', { ob: 2 }),
        setRaw('ob-b', { ob: 1 }),
        setRaw('ob-c', { ob: 2 }),
        setRaw('ob-d', { ob: null }),
        setRaw('ob-e', { other: 0 }),
        setRaw('ob-f', { ob: 'a' }),
      ]);
      expect(await page([], [{ field: 'ob', direction: 'asc' }])).toEqual(['ob-d', 'ob-b', 'ob-a', 'ob-c', 'ob-f']);
      expect(await page([], [{ field: 'ob', direction: 'desc' }])).toEqual(['ob-f', 'ob-c', 'ob-a', 'ob-b', 'ob-d']);
      expect(await page([], [{ field: 'ob', direction: 'asc' }], 2)).toEqual(['ob-d', 'ob-b']);
      // A range without an order is ordered by its field first, not by id.
      expect(await page([where('ob', '>=', 1)])).toEqual(['ob-b', 'ob-a', 'ob-c']);
    });

    it('pages with cursors, past a cursor document deleted in between; an unknown cursor is refused', async () => {
      await port.commitBatch([0, 1, 2, 3, 4, 5, 6].map((i) => setRaw(`pg-${i}`, { pg: i })));
      const spec = querySpec('locks', { orderBy: [{ field: 'pg', direction: 'desc' }], limit: 3 });
      const first = await port.getPage(spec, null);
      expect(idsOf(first.rows)).toEqual(['pg-6', 'pg-5', 'pg-4']);
      await port.commitBatch([{ op: 'delete', collection: 'locks', id: 'pg-4' }]);
      const second = await port.getPage(spec, first.next);
      expect(idsOf(second.rows)).toEqual(['pg-3', 'pg-2', 'pg-1']);
      const third = await port.getPage(spec, second.next);
      expect(idsOf(third.rows)).toEqual(['pg-0']);
      expect(third.next).toBeNull();
      await expect(port.getPage(spec, { token: 'no-such-cursor' })).rejects.toBeInstanceOf(PageCursorExpiredError);
    });

    it('a document listener: nothing inside the watch call, then the current state, creation, change and deletion, nothing after unsubscribing', async () => {
      const rec = new Recorder<Row<unknown> | null>();
      const stop = port.watchDoc(docSpec('locks', 'ld-1'), rec);
      expect(rec.events).toEqual([]);
      await rec.settled((v) => v === null, 'no document yet');
      await port.commitBatch([setRaw('ld-1', { v: 1 })]);
      await rec.settled((v) => v !== null && rawOf(v).v === 1, 'the created document');
      await fx.other.commitBatch([{ op: 'update', collection: 'locks', id: 'ld-1', data: { v: 2 } }]);
      await rec.settled((v) => v !== null && rawOf(v).v === 2, 'the change from another client');
      await port.commitBatch([{ op: 'delete', collection: 'locks', id: 'ld-1' }]);
      await rec.settled((v) => v === null, 'the deletion');
      stop();
      const seen = rec.events.length;
      // A listener still open is the barrier: once it has the write, a live one would too.
      const barrier = new Recorder<Row<unknown> | null>();
      const stopBarrier = port.watchDoc(docSpec('locks', 'ld-1'), barrier);
      await barrier.settled((v) => v === null, 'the barrier listener');
      await port.commitBatch([setRaw('ld-1', { v: 3 })]);
      await barrier.settled((v) => v !== null, 'the write after unsubscribing');
      stopBarrier();
      expect(rec.events.length).toBe(seen);
    });

    it('a query listener: the current results first, then documents entering, changing and leaving, within the limit', async () => {
      await port.commitBatch([setRaw('lq-a', { lq: 1 }), setRaw('lq-b', { lq: 2 }), setRaw('lq-c', { lq: 3 })]);
      const rec = new Recorder<Row<unknown>[]>();
      const stop = port.watchQuery(querySpec('locks', { orderBy: [{ field: 'lq', direction: 'asc' }], limit: 2 }), rec);
      expect(rec.events).toEqual([]);
      const same = (want: string[]) => (rows: Row<unknown>[]) => JSON.stringify(idsOf(rows)) === JSON.stringify(want);
      await rec.settled(same(['lq-a', 'lq-b']), 'the first two');
      await fx.other.commitBatch([setRaw('lq-d', { lq: 0 })]);
      await rec.settled(same(['lq-d', 'lq-a']), 'a document entering at the top');
      await port.commitBatch([{ op: 'update', collection: 'locks', id: 'lq-a', data: { lq: 5 } }]);
      await rec.settled(same(['lq-d', 'lq-b']), 'a change moving a document out of the limit');
      await port.commitBatch([{ op: 'delete', collection: 'locks', id: 'lq-d' }]);
      const last = await rec.settled(same(['lq-b', 'lq-c']), 'a deletion');
      expect(rawOf(last[1]!)).toEqual({ lq: 3 });
      stop();
    });

    it('writes: set replaces, merge merges nested maps, update sets field paths, undefined fields are left out, server timestamps take the commit time', async () => {
      await port.commitBatch([setRaw('w-1', { a: { x: 1, y: 2 }, b: 1, gone: 1 })]);
      await port.commitBatch([setRaw('w-1', { a: { x: 1, y: 2 }, b: 1 })]);
      expect(rawOf(await port.getDoc(docSpec('locks', 'w-1')))).toEqual({ a: { x: 1, y: 2 }, b: 1 });
      const before = Date.now();
      await port.commitBatch([{ op: 'set', collection: 'locks', id: 'w-1', data: { a: { x: 3 }, c: SERVER_TIME, d: { at: SERVER_TIME } }, merge: true }]);
      const after = Date.now();
      const merged = rawOf(await port.getDoc(docSpec('locks', 'w-1')));
      expect(merged).toMatchObject({ a: { x: 3, y: 2 }, b: 1 });
      // The emulator's clock is this machine's; allow for a coarse clock and a slow commit.
      for (const t of [msOf(merged.c), msOf((merged.d as { at: unknown }).at)]) {
        expect(t).toBeGreaterThanOrEqual(before - 2_000);
        expect(t).toBeLessThanOrEqual(after + 2_000);
      }
      await port.commitBatch([{ op: 'update', collection: 'locks', id: 'w-1', data: { 'a.y': 4, b: { z: 1 } } }]);
      expect(rawOf(await port.getDoc(docSpec('locks', 'w-1')))).toMatchObject({ a: { x: 3, y: 4 }, b: { z: 1 } });
      await port.commitBatch([setRaw('w-2', { k: 1, u: undefined, m: { n: 1, u: undefined } })]);
      expect(rawOf(await port.getDoc(docSpec('locks', 'w-2')))).toEqual({ k: 1, m: { n: 1 } });
      expect(await page([where('u', '==', null)])).not.toContain('w-2');
    });

    it('a batch is all or nothing: an update of a missing document fails with not-found, SERVER_TIME in an array with invalid-argument', async () => {
      await expect(
        port.commitBatch([setRaw('at-1', { v: 1 }), { op: 'update', collection: 'locks', id: 'at-missing', data: { v: 1 } }]),
      ).rejects.toMatchObject({ code: 'not-found' });
      expect(await port.getDoc(docSpec('locks', 'at-1'))).toBeNull();
      await expect(port.commitBatch([setRaw('at-1', { v: 1 }), setRaw('at-2', { list: [SERVER_TIME] })])).rejects.toMatchObject({ code: 'invalid-argument' });
      expect(await port.getDoc(docSpec('locks', 'at-1'))).toBeNull();
      // Mutations apply in order: an update may follow the set that creates its document.
      await port.commitBatch([setRaw('at-3', { v: 1 }), { op: 'update', collection: 'locks', id: 'at-3', data: { w: 2 } }]);
      expect(rawOf(await port.getDoc(docSpec('locks', 'at-3')))).toEqual({ v: 1, w: 2 });
    });

    it('create refuses an existing document (DocumentExistsError, already-exists) in a batch and in a transaction, writing nothing; a null id makes a new document', async () => {
      await port.commitBatch([setRaw('cr-1', { v: 1 })]);
      const batch = port.commitBatch([setRaw('cr-2', { v: 2 }), { op: 'create', collection: 'locks', id: 'cr-1', data: { v: 3 } }]);
      await expect(batch).rejects.toBeInstanceOf(DocumentExistsError);
      await expect(batch).rejects.toMatchObject({ code: 'already-exists' });
      const tx = port.transact(async () => ({ mutations: [setRaw('cr-2', { v: 2 }), { op: 'create', collection: 'locks', id: 'cr-1', data: { v: 3 } }], result: null }));
      await expect(tx).rejects.toBeInstanceOf(DocumentExistsError);
      expect(await port.getDoc(docSpec('locks', 'cr-2'))).toBeNull();
      expect(rawOf(await port.getDoc(docSpec('locks', 'cr-1')))).toEqual({ v: 1 });
      await port.commitBatch([{ op: 'create', collection: 'locks', id: 'cr-3', data: { v: 4 } }]);
      expect(rawOf(await port.getDoc(docSpec('locks', 'cr-3')))).toEqual({ v: 4 });
      await port.commitBatch([{ op: 'create', collection: 'locks', id: null, data: { crNew: 'made' } }]);
      expect(await page([where('crNew', '==', 'made')])).toHaveLength(1);
    });

    it('transactions read documents whole (views drop inline audio), abort untouched on a plan error, and serialize read-modify-writes from two clients', async () => {
      const audio = new Uint8Array(300).fill(7);
      const inline = job({ userId: 'tx', source: 'server', audio: { mimeType: 'audio/wav', bytes: audio.length, chunkCount: 0 }, inlineAudio: audio });
      await port.commitBatch([
        { op: 'set', collection: 'jobs', id: 'tx-inline', data: encodeDoc('jobs', inline) },
        { op: 'set', collection: 'locks', id: 'tx-ctr', data: encodeDoc('locks', lock({ name: 'tx-ctr', token: 0 })) },
      ]);
      const shown = await port.getDoc(docSpec('jobs', 'tx-inline'));
      expect(shown?.ok && shown.data.inlineAudio).toBeNull();
      const whole = await port.transact(async (tx) => ({ mutations: [], result: await tx.get(docSpec('jobs', 'tx-inline')) }));
      expect(whole?.ok && whole.data.inlineAudio).toEqual(audio);

      const refusal = new Error('the plan refuses');
      const aborted = port.transact(async (tx) => {
        await tx.get(docSpec('locks', 'tx-ctr'));
        throw refusal;
      });
      await expect(aborted).rejects.toBe(refusal);

      const increment = (client: DataPort) =>
        client.transact(async (tx) => {
          const row = await tx.get(docSpec('locks', 'tx-ctr'));
          if (!row?.ok) throw new Error('counter missing');
          const next = { ...row.data, token: row.data.token + 1 };
          return { mutations: [{ op: 'set', collection: 'locks', id: 'tx-ctr', data: encodeDoc('locks', next) }], result: next.token };
        });
      const results = await Promise.all([increment(port), increment(fx.other), increment(port)]);
      expect([...results].sort()).toEqual([1, 2, 3]);
      const final = await port.getDoc(docSpec('locks', 'tx-ctr'));
      expect(final?.ok && final.data.token).toBe(3);
    });

    it('deletes: the document reads as null and leaves query results; deleting a missing one is no error', async () => {
      await port.commitBatch([setRaw('del-a', { del: 1 }), setRaw('del-b', { del: 2 })]);
      await port.commitBatch([{ op: 'delete', collection: 'locks', id: 'del-a' }, { op: 'delete', collection: 'locks', id: 'del-never' }]);
      expect(await port.getDoc(docSpec('locks', 'del-a'))).toBeNull();
      expect(await page([where('del', '>=', 0)])).toEqual(['del-b']);
    });

    it('a refused client: reads, pages and writes fail with permission-denied writing nothing; its listener gets the error and nothing after', async () => {
      const c = fx.deniedCollection;
      await expect(fx.denied.getDoc(docSpec(c, 'pd-1'))).rejects.toMatchObject({ code: 'permission-denied' });
      await expect(fx.denied.getPage(querySpec(c, { limit: 5 }), null)).rejects.toMatchObject({ code: 'permission-denied' });
      await expect(fx.denied.commitBatch([{ op: 'set', collection: c, id: 'pd-1', data: { v: 1 } }])).rejects.toMatchObject({ code: 'permission-denied' });
      await expect(fx.denied.transact(async (tx) => ({ mutations: [], result: await tx.get(docSpec(c, 'pd-1')) }))).rejects.toMatchObject({ code: 'permission-denied' });
      expect(await port.getDoc(docSpec(c, 'pd-1'))).toBeNull();

      const rec = new Recorder<Row<unknown> | null>();
      const stop = fx.denied.watchDoc(docSpec(c, 'pd-1'), rec);
      expect(rec.events).toEqual([]);
      expect(await rec.failure()).toMatchObject({ code: 'permission-denied' });
      const seen = rec.events.length;
      const barrier = new Recorder<Row<unknown> | null>();
      const stopBarrier = port.watchDoc(docSpec(c, 'pd-1'), barrier);
      await barrier.settled((v) => v === null, 'the barrier listener');
      await port.commitBatch([{ op: 'set', collection: c, id: 'pd-1', data: { v: 1 } }]);
      await barrier.settled((v) => v !== null, 'the write the dead listener must not see');
      stopBarrier();
      stop();
      expect(rec.events.length).toBe(seen);
    });

    it('newId gives distinct ids that documents can be created under', async () => {
      const made = Array.from({ length: 50 }, () => port.newId('locks'));
      expect(new Set(made).size).toBe(50);
      await port.commitBatch([{ op: 'create', collection: 'locks', id: made[0]!, data: { nid: 1 } }]);
      expect(rawOf(await port.getDoc(docSpec('locks', made[0]!)))).toEqual({ nid: 1 });
    });
  });
}
