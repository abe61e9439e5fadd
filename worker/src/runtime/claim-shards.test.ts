import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../core/ids.js';
import { JOB_SHARDS, listenedShards, shardRank } from '../core/coordination/rendezvous.js';
import { MemoryDatabase, MemoryStore } from '../adapters/memory/memory-store.js';
import type { ListenSnapshot, Query, Unsubscribe } from '../ports/store.js';
import type { CollectionKey } from '../schema/names.js';
import { makeWav } from '../testing/audio.js';
import { FakeClock } from '../testing/fake-clock.js';
import { FakeTranscriber } from '../testing/fake-transcriber.js';
import { TEST_CONFIG, uniquePrefix } from '../testing/engine-fixture.js';
import { MembersFlow } from '../testing/members-flow.js';
import { QueueWorker } from './worker.js';
import { createQueue } from './queue.js';
import { ORPHAN_AGE_MS, ORPHAN_CHECK_MS } from './claim-loop.js';

/**
 * Counts what the workers' queue-head listeners are billed: one read per job entering or
 * changing in a listener's result (the rest of a worker's reads depend on timing).
 */
class HeadReadCounter extends MemoryStore {
  headReads = 0;
  override listen<K extends CollectionKey>(query: Query<K>, onNext: (s: ListenSnapshot<K>) => void, onError: (e: Error) => void): Unsubscribe {
    const isHead = query.collection === 'jobs' && (query.where ?? []).some((f) => f.field === 'status' && f.value === 'queued');
    const seen = new Map<string, number>();
    return super.listen(
      query,
      (snapshot) => {
        if (isHead) {
          for (const d of snapshot.docs) if (seen.get(d.id) !== d.updateTime) this.headReads += 1;
          seen.clear();
          for (const d of snapshot.docs) seen.set(d.id, d.updateTime);
        }
        onNext(snapshot);
      },
      onError,
    );
  }
}

/**
 * Members flow whose slots can be shut (a slice of 0) and whose claim members can be a subset
 * (the servers with a slice above 0). Opening it notifies nobody, as a limit moved by time does.
 */
class SliceFlow extends MembersFlow {
  shut = false;
  constructor(
    clock: FakeClock,
    list: readonly string[],
    private readonly holders: readonly string[] | null,
  ) {
    super(clock, list);
  }
  override claimBudget(inFlight: number) {
    return this.shut ? { slots: 0, priorities: [], reason: 'at_limit' as const } : super.claimBudget(inFlight);
  }
  claimMembers(): readonly string[] | null {
    return this.holders ?? this.members();
  }
}

function fleet(
  running: readonly string[],
  members: readonly string[],
  claims = new Map<string, string>(),
  flowFor: (id: string, clock: FakeClock) => MembersFlow = (_id, clock) => new MembersFlow(clock, members),
) {
  const clock = new FakeClock();
  const shared = new MemoryDatabase();
  const prefix = uniquePrefix('shard');
  const config = { ...TEST_CONFIG, maxConcurrentRequests: 2 };
  const transcriber = new FakeTranscriber(clock, () => ({ kind: 'ok', delayMs: 20 }));
  const stores = new Map<string, HeadReadCounter>();
  const workers = running.map((id, i) => {
    const store = new HeadReadCounter({ shared, prefix, clock });
    stores.set(id, store);
    return new QueueWorker({
      store,
      transcriber,
      config,
      serverId: id,
      clock,
      random: seededRandom(i + 1),
      flowControl: flowFor(id, clock),
      observer: { claimed: (jobId) => void claims.set(jobId, id) },
    });
  });
  const queue = createQueue({ store: new MemoryStore({ shared, prefix, clock }), config, clock, clientId: 'api' });
  return { clock, workers, queue, transcriber, stores, claims };
}

let current: ReturnType<typeof fleet> | null = null;
afterEach(async () => {
  const f = current;
  current = null;
  if (!f) return;
  const stopping = Promise.all(f.workers.map((w) => w.stop({ graceMs: 1_000 })));
  await f.clock.advanceUntil(() => f.workers.every((w) => w.status().state === 'stopped'), 100, 60_000);
  await stopping;
});

describe('claim shards (idle workers listen to the shards they are first or second for)', () => {
  async function trickle(f: ReturnType<typeof fleet>, n: number, claims: Map<string, string>) {
    const jobs: { id: string; shard: number }[] = [];
    for (let i = 0; i < n; i++) {
      const { requestId } = await f.queue.enqueue({ audio: makeWav(0.2, { seed: i }), mimeType: 'audio/wav', userId: `u${i}` });
      await f.clock.advanceUntil(async () => (await f.queue.getJob(requestId))?.status === 'succeeded', 5, 10_000);
      const job = (await f.queue.getJob(requestId))!;
      jobs.push({ id: requestId, shard: job.shard! });
      expect(claims.get(requestId)).toBeDefined();
    }
    return jobs;
  }

  it('a new job is claimed at once by the first worker of its shard, and read by fewer workers than whole-head listening', async () => {
    const ids = ['w0', 'w1', 'w2', 'w3', 'w4'];
    const reads: number[] = [];
    for (const members of [ids, null]) {
      const f = (current = fleet(ids, members ?? []));
      const claims = f.claims;
      await Promise.all(f.workers.map((w) => w.start()));
      await f.clock.advance(500);
      const before = [...f.stores.values()].reduce((sum, s) => sum + s.headReads, 0);
      const jobs = await trickle(f, 16, claims);
      reads.push([...f.stores.values()].reduce((sum, s) => sum + s.headReads, 0) - before);
      if (members) {
        for (const j of jobs) {
          expect(j.shard).toBeGreaterThanOrEqual(0);
          // Idle fleet, one job at a time: the shard's first worker claims it, every time.
          expect(shardRank(claims.get(j.id)!, ids, j.shard)).toBe(0);
        }
        for (const id of ids) expect(listenedShards(id, ids, 2).length).toBeLessThan(JOB_SHARDS);
      }
      const stopping = Promise.all(f.workers.map((w) => w.stop({ graceMs: 1_000 })));
      await f.clock.advanceUntil(() => f.workers.every((w) => w.status().state === 'stopped'), 100, 60_000);
      await stopping;
      current = null;
    }
    // 16 jobs, 5 idle workers: each new job was read by its shard's two listeners, not by all five.
    expect(reads[0]).toBe(2 * 16);
    expect(reads[1]).toBe(5 * 16);
  });

  it('a job whose shard listeners are all gone is still claimed, by the orphaned-shard check', async () => {
    const members = ['w0', 'w1', 'gone-a', 'gone-b', 'gone-c', 'gone-d'];
    const f = (current = fleet(['w0', 'w1'], members));
    await Promise.all(f.workers.map((w) => w.start()));
    await f.clock.advance(500);
    // A shard that only the two dead members listen to.
    const orphan = [...Array(JOB_SHARDS).keys()].find((s) => !listenedShards('w0', members, 2).includes(s) && !listenedShards('w1', members, 2).includes(s));
    expect(orphan).toBeDefined();
    let requestId = '';
    for (let i = 0; ; i++) {
      const r = await f.queue.enqueue({ audio: makeWav(0.2, { seed: 100 + i }), mimeType: 'audio/wav', userId: `o${i}` });
      if ((await f.queue.getJob(r.requestId))!.shard === orphan) {
        requestId = r.requestId;
        break;
      }
      await f.clock.advanceUntil(async () => (await f.queue.getJob(r.requestId))?.status === 'succeeded', 5, 30_000);
    }
    const enqueuedAt = f.clock.now();
    await f.clock.advanceUntil(async () => (await f.queue.getJob(requestId))?.status === 'succeeded', 50, 60_000);
    expect(f.clock.now() - enqueuedAt).toBeLessThanOrEqual(ORPHAN_CHECK_MS + 1_000);
  });

  it('with the fleet limit below the servers, the one server with a slot listens to every shard: a job is claimed at once, not by the orphan check', async () => {
    // A fleet limit of 1 among 3 (an overload cut it): w1 and w2 hold slices of 0.
    const members = ['w0', 'w1', 'w2'];
    const flows = new Map<string, SliceFlow>();
    const f = (current = fleet(members, members, new Map(), (id, clock) => {
      const flow = new SliceFlow(clock, members, ['w0']);
      flow.shut = id !== 'w0';
      flows.set(id, flow);
      return flow;
    }));
    await Promise.all(f.workers.map((w) => w.start()));
    await f.clock.advance(500);
    // Jobs in shards that w0 would not listen to if every member could claim.
    const elsewhere = (shard: number) => !listenedShards('w0', members, 2).includes(shard);
    let checked = 0;
    for (let i = 0; checked < 3; i++) {
      const r = await f.queue.enqueue({ audio: makeWav(0.2, { seed: 200 + i }), mimeType: 'audio/wav', userId: `s${i}` });
      const enqueuedAt = f.clock.now();
      const shard = (await f.queue.getJob(r.requestId))!.shard!;
      await f.clock.advanceUntil(async () => (await f.queue.getJob(r.requestId))?.status === 'succeeded', 5, 30_000);
      expect(f.claims.get(r.requestId)).toBe('w0');
      if (!elsewhere(shard)) continue;
      checked += 1;
      // Claimed by its listener within the rendezvous spread, long before a job counts as orphaned.
      expect(f.clock.now() - enqueuedAt).toBeLessThan(ORPHAN_AGE_MS);
    }
  });

  it('a polling worker whose slot opens with no event still claims the waiting job, at its next sweep', async () => {
    const f = (current = fleet(['w0'], ['w0'], new Map(), (_id, clock) => {
      const flow = new SliceFlow(clock, ['w0'], null);
      flow.shut = true;
      return flow;
    }));
    const flow = f.workers[0]!.flow as SliceFlow;
    await f.workers[0]!.start();
    await f.clock.advance(500);
    const r = await f.queue.enqueue({ audio: makeWav(0.2, { seed: 300 }), mimeType: 'audio/wav', userId: 'p' });
    await f.clock.advance(1_000);
    expect((await f.queue.getJob(r.requestId))?.status).toBe('queued');
    // The slot opens; nothing tells the worker (no flow change, no freed permit, no listener).
    flow.shut = false;
    const openedAt = f.clock.now();
    await f.clock.advanceUntil(async () => (await f.queue.getJob(r.requestId))?.status === 'succeeded', 50, 60_000);
    // The worker's sweep pumps the claim loop every lease duration (at least 1 s).
    expect(f.clock.now() - openedAt).toBeLessThanOrEqual(Math.max(1_000, TEST_CONFIG.lease?.durationMs ?? 0) + 500);
  });

  // Firestore refuses a query past 30 disjunctions, and `priority in` x `shard in` multiplies:
  // with a priority paused (3 left), a lone worker's 16 shards make 48 and three workers'
  // look at the others' shards 30+. Each size of fleet must still claim, idle and busy.
  for (const size of [1, 2, 3]) {
    it(`with a priority paused, a fleet of ${size} still claims every job, idle and busy`, async () => {
      const ids = ['w0', 'w1', 'w2'].slice(0, size);
      const f = (current = fleet(ids, ids));
      await Promise.all(f.workers.map((w) => w.start()));
      await f.queue.control({ type: 'queue.pause', priorities: ['low'] }, { kind: 'admin', id: 'ops', email: null });
      await f.clock.advanceUntil(() => f.workers.every((w) => w.status().pausedPriorities.includes('low')), 10, 10_000);
      // Idle: one job at a time goes through the listeners.
      const idle = await f.queue.enqueue({ audio: makeWav(0.2, { seed: 1 }), mimeType: 'audio/wav', userId: 'idle' });
      await f.clock.advanceUntil(async () => (await f.queue.getJob(idle.requestId))?.status === 'succeeded', 10, 20_000);
      // Busy: more jobs than slots, so workers poll their shards and then the others'.
      const busy = await Promise.all(
        [...Array(6 * size).keys()].map((i) => f.queue.enqueue({ audio: makeWav(0.2, { seed: 10 + i }), mimeType: 'audio/wav', userId: `b${i % 4}` })),
      );
      await f.clock.advanceUntil(
        async () => (await Promise.all(busy.map((b) => f.queue.getJob(b.requestId)))).every((j) => j?.status === 'succeeded'),
        10,
        60_000,
      );
    });
  }
});
