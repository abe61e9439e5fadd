import { describe, expect, it } from 'vitest';
import { jobDocSchema, type JobDoc, type Priority } from '../schema/job.js';
import { decodeDoc } from '../schema/documents.js';
import type { QueueStatsDoc } from '../schema/analytics.js';
import { ETA_TOLERANCE, positionBucket } from '../core/queue-position.js';
import { MemoryStore } from '../adapters/memory/memory-store.js';
import { FakeClock } from '../testing/fake-clock.js';
import { engineContext } from '../testing/engine-fixture.js';
import { PositionRefresher, type PositionRun } from './queue-positions.js';

const TICK_MS = 10_000;

function queued(rank: number, priority: Priority = 'normal'): JobDoc {
  return jobDocSchema.parse({
    status: 'queued',
    priority,
    userId: `u${rank % 7}`,
    audio: { mimeType: 'audio/wav', bytes: 100, chunkCount: 1 },
    source: 'client',
    createdAt: rank,
    updatedAt: rank,
    admittedAt: rank,
    rank,
    maxAttempts: 3,
  });
}

function statsDoc(now: number, patch: Partial<QueueStatsDoc> = {}): QueueStatsDoc {
  return decodeDoc('stats', {
    at: now,
    leaderId: 'leader',
    leaderTerm: 1,
    queuedByPriority: { normal: 1 },
    byStatus: {},
    inFlight: 1,
    activeServers: 1,
    throughputPerMin: 60_000 / TICK_MS, // one job per tick
    successRate: 1,
    p50Ms: null,
    p95Ms: null,
    avgServiceMs: TICK_MS,
    fleetConcurrency: 1,
    oldestQueuedAt: null,
    firestoreOpsPerJob: null,
    ...patch,
  });
}

/** A queue of `n` jobs, a refresher, and a per-job count of the position writes that landed. */
async function setup(n: number, headSize: number, priorityOf: (i: number) => Priority = () => 'normal') {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock });
  const ctx = engineContext(store, { serverId: 'leader', clock, config: { queuePositions: { headSize, refreshIntervalMs: TICK_MS } } });
  const ids = Array.from({ length: n }, (_, i) => `job${String(i).padStart(4, '0')}`);
  for (let i = 0; i < n; i += 400) {
    await store.commit(ids.slice(i, i + 400).map((id, j) => ({ op: 'set' as const, collection: 'jobs' as const, id, data: queued(i + j + 1, priorityOf(i + j)) })));
  }
  const writes = new Map<string, number>();
  const patch = store.patch.bind(store);
  store.patch = async (collection, id, fields, options) => {
    const ok = await patch(collection, id, fields, options);
    if (!('position' in fields)) return ok;
    if (ok) writes.set(id, (writes.get(id) ?? 0) + 1);
    return ok;
  };
  let stats = statsDoc(clock.now());
  const refresher = new PositionRefresher(ctx, () => stats);
  return {
    clock,
    store,
    ids,
    writes,
    refresher,
    setStats: (patch: Partial<QueueStatsDoc>) => void (stats = statsDoc(clock.now(), patch)),
    /** Claimable jobs in claim order (the fields that matter here). */
    async queue(): Promise<{ id: string; job: Pick<JobDoc, 'priority' | 'position' | 'estimatedWaitMs' | 'positionAt'> }[]> {
      const { docs } = await store.select(
        { collection: 'jobs', where: [{ field: 'status', op: '==', value: 'queued' }], orderBy: [{ field: 'rank' }] },
        ['priority', 'position', 'estimatedWaitMs', 'positionAt'],
      );
      return docs.map((d) => ({ id: d.id, job: d.data }));
    },
    /** The fleet starts the first `k` jobs (claim order). */
    async start(k: number): Promise<void> {
      const { docs } = await store.select({ collection: 'jobs', where: [{ field: 'status', op: '==', value: 'queued' }], orderBy: [{ field: 'rank' }], limit: k }, ['status']);
      for (const d of docs) await patch('jobs', d.id, { status: 'running' });
    },
  };
}

/** Boundaries a job crosses moving from `from` to the head. */
function crossings(from: number): number {
  let n = 0;
  for (let p = from; p > 0; p--) if (positionBucket(p) !== positionBucket(p - 1)) n += 1;
  return n;
}

describe('PositionRefresher (leader duty) on a draining queue', () => {
  // Hundreds of refresh runs over a few hundred jobs: seconds on a loaded machine.
  it('keeps every head position in its true bucket as the queue drains, with one write per bucket crossed', { timeout: 120_000 }, async () => {
    const n = 300;
    const q = await setup(n, 500);
    const tracked: number[] = [];
    let runs = 0;
    for (;;) {
      await q.refresher.run();
      runs += 1;
      const queue = await q.queue();
      if (queue.length === 0) break;
      // Every claimable job shows a position in the bucket of its true position, and an ETA
      // of (ahead + 1) completions at one per tick.
      // (Checked in plain code: hundreds of thousands of expect() calls would dominate the run.)
      const wrong = queue.filter(({ job }, ahead) => {
        if (job.position === null || job.positionAt === null || job.estimatedWaitMs === null) return true;
        const shown = job.estimatedWaitMs - (q.clock.now() - job.positionAt);
        return positionBucket(job.position) !== positionBucket(ahead) || Math.abs(shown - (ahead + 1) * TICK_MS) > 0.2 * (ahead + 1) * TICK_MS + 5_000;
      });
      expect(wrong.map((w) => `${w.id}: ${JSON.stringify(w.job)}`)).toEqual([]);
      const last = queue.find((x) => x.id === q.ids.at(-1));
      if (last) tracked.push(last.job.position!);
      await q.start(1);
      await q.clock.advance(TICK_MS);
    }
    expect(runs).toBe(n + 1);
    // The last job's position only moves towards the head, bucket by bucket, down to 0.
    expect(tracked[0]).toBe(n - 1);
    expect(tracked.at(-1)).toBe(0);
    expect(tracked.every((p, i) => i === 0 || p <= tracked[i - 1]!)).toBe(true);
    // Written when it crosses into each bucket: its true position at that moment.
    expect([...new Set(tracked)]).toEqual([299, 199, 99, 49, 19, 9, 4, 2, 1, 0]);
    // Writes per job: its first position, then one per boundary crossed; the steady drain
    // matches the ETA, so no ETA rewrites. A naive refresh would have written O(n) each.
    expect(q.ids.filter((id, i) => (q.writes.get(id) ?? 0) !== 1 + crossings(i))).toEqual([]);
    const total = [...q.writes.values()].reduce((a, b) => a + b, 0);
    expect(total / n).toBeLessThan(12);
    expect(Math.max(...q.writes.values())).toBeLessThanOrEqual(2 * Math.log2(n));
  });

  it('stays logarithmic when the ETA model is wrong (stats claim twice the real pace)', { timeout: 120_000 }, async () => {
    const n = 200;
    const q = await setup(n, 500);
    q.setStats({ throughputPerMin: 2 * (60_000 / TICK_MS) });
    for (let runs = 0; runs <= n; runs++) {
      await q.refresher.run();
      await q.start(1);
      await q.clock.advance(TICK_MS);
    }
    // Each ETA rewrite needs the shown wait to be 20% off again, so the remaining wait shrinks
    // by a fifth between two of them: at most log_1.2(n) on top of the bucket writes, against
    // the n writes a per-dequeue refresh would make.
    const max = Math.max(...q.writes.values());
    expect(max).toBeGreaterThan(1 + crossings(n - 1)); // some ETA rewrites happened...
    expect(max).toBeLessThanOrEqual(1 + crossings(n - 1) + Math.ceil(Math.log(n) / Math.log(1 + ETA_TOLERANCE))); // ...logarithmically many
    expect(max).toBeLessThan(n / 5);
  });

  it('leaves jobs beyond the window alone until they reach it, and reads at most the window', async () => {
    const q = await setup(150, 40);
    const run = await q.refresher.run();
    expect(run).toMatchObject<Partial<PositionRun>>({ read: 40, stale: 0 });
    const queue = await q.queue();
    expect(queue.slice(0, 40).every((x) => x.job.position !== null)).toBe(true);
    expect(queue.slice(40).every((x) => x.job.position === null)).toBe(true);
    await q.start(20);
    await q.clock.advance(TICK_MS);
    await q.refresher.run();
    const after = await q.queue();
    expect(after[39]!.job.position).toBe(39); // the former 59th, now inside the window
  });

  it('gives paused priorities no ETA and does not count them against others', async () => {
    const q = await setup(6, 100, (i) => (i % 2 === 0 ? 'low' : 'high'));
    q.setStats({ pausedPriorities: ['low'] });
    await q.refresher.run();
    const queue = await q.queue();
    expect(queue.map((x) => [x.job.priority, x.job.position, x.job.estimatedWaitMs])).toEqual([
      ['low', 0, null],
      ['high', 0, TICK_MS],
      ['low', 1, null],
      ['high', 1, 2 * TICK_MS],
      ['low', 2, null],
      ['high', 2, 3 * TICK_MS],
    ]);
    // Resumed: the held jobs get an ETA, and the others move back behind them.
    q.setStats({ pausedPriorities: [] });
    await q.clock.advance(1_000);
    const run = await q.refresher.run();
    expect(run.written.eta + run.written.bucket).toBeGreaterThan(0);
    expect((await q.queue()).map((x) => x.job.position)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('never writes a job that changed after the leader read it (claimed meanwhile)', async () => {
    const q = await setup(5, 100);
    const select = q.store.select.bind(q.store);
    let raced = false;
    q.store.select = async (query, fields) => {
      const result = await select(query, fields);
      if (!raced) {
        raced = true;
        await q.start(2); // two workers claim between the leader's read and its writes
      }
      return result as never;
    };
    const run = await q.refresher.run();
    expect(run).toMatchObject({ read: 5, stale: 2 });
    const running = (await q.store.query({ collection: 'jobs', where: [{ field: 'status', op: '==', value: 'running' }] })).docs;
    expect(running.map((d) => d.data.position)).toEqual([null, null]);
  });

  it('skips the read when the stats say the queue is empty', async () => {
    const q = await setup(3, 100);
    q.setStats({ queuedByPriority: { urgent: 0, high: 0, normal: 0, low: 0 } });
    const reads = q.store.meter.reads;
    expect(await q.refresher.run()).toMatchObject({ read: 0 });
    expect(q.store.meter.reads).toBe(reads);
  });
});
