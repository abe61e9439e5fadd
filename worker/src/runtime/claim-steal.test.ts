import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../core/ids.js';
import { JOB_SHARDS, listenedShards, polledShards, shardOf, shardRank } from '../core/coordination/rendezvous.js';
import { MemoryDatabase, MemoryStore } from '../adapters/memory/memory-store.js';
import { makeWav } from '../testing/audio.js';
import { FakeClock } from '../testing/fake-clock.js';
import { FakeTranscriber } from '../testing/fake-transcriber.js';
import { TEST_CONFIG, uniquePrefix } from '../testing/engine-fixture.js';
import { MembersFlow } from '../testing/members-flow.js';
import { QueueWorker } from './worker.js';
import { createQueue } from './queue.js';
import { ORPHAN_CHECK_MS, STEAL_AGE_MS } from './claim-loop.js';

/**
 * A busy worker freeing a slot looks at its own shards, then at the others' head. A job there
 * that just arrived is its shard's listeners' to claim: taking it raced them (the lost races
 * of the 12-worker cost bench were mostly this). These pin both sides: the listener gets it
 * with no lost race, and with no listener alive the busy worker still takes it soon after
 * STEAL_AGE_MS, not at the orphaned-shard check.
 */
const JOB_MS = 300;

function fleet(running: readonly string[], members: readonly string[]) {
  const clock = new FakeClock();
  const shared = new MemoryDatabase();
  const prefix = uniquePrefix('steal');
  const config = { ...TEST_CONFIG, maxConcurrentRequests: 2, queuePositions: { enabled: false } };
  const transcriber = new FakeTranscriber(clock, () => ({ kind: 'ok', delayMs: JOB_MS }));
  const claims = new Map<string, { by: string; at: number; route: string | undefined }>();
  const conflicts: { by: string; jobId: string; route: string | undefined }[] = [];
  const workers = running.map(
    (id, i) =>
      new QueueWorker({
        store: new MemoryStore({ shared, prefix, clock }),
        transcriber,
        config,
        serverId: id,
        clock,
        random: seededRandom(i + 1),
        flowControl: new MembersFlow(clock, members),
        observer: {
          claimed: (jobId, route) => void claims.set(jobId, { by: id, at: clock.now(), route }),
          claimConflict: (jobId, route) => void conflicts.push({ by: id, jobId, route }),
        },
      }),
  );
  const queue = createQueue({ store: new MemoryStore({ shared, prefix, clock }), config, clock, clientId: 'api' });
  return { clock, workers, queue, claims, conflicts };
}

/** A job id whose shard passes `pick`. */
function idIn(pick: (shard: number) => boolean, tag: string): string {
  for (let i = 0; i < 10_000; i++) if (pick(shardOf(`${tag}-${i}`))) return `${tag}-${i}`;
  throw new Error(`no id for ${tag}`);
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

async function makeBusy(f: ReturnType<typeof fleet>, worker: string, ids: readonly string[]) {
  for (const [i, jobId] of ids.entries()) await f.queue.enqueue({ audio: makeWav(0.2, { seed: i }), mimeType: 'audio/wav', userId: `busy${i}` }, { jobId });
  await f.clock.advanceUntil(() => ids.every((id) => f.claims.get(id)?.by === worker), 5, 5_000);
}

describe('a busy worker leaves a fresh job of another shard to its listeners', () => {
  it('it goes to the shard\'s rendezvous order (here the freed worker, now listening), not to the look', async () => {
    const members = ['w0', 'w1'];
    const f = (current = fleet(members, members));
    await Promise.all(f.workers.map((w) => w.start()));
    await f.clock.advance(500);
    // w0 busy with two jobs of its own shards. The new job sits in a shard w0 looks at only as
    // "the others", where w0 is first in the rendezvous order and w1 second (w1's listener
    // waits the claim spread). w0's freed slot looks within that spread: it leaves the job,
    // listens (two members, two replicas: every shard), and claims it as the shard's first
    // listener. The old look took it at once, racing w1 whenever w1's listener was quicker
    // (this store answers instantly, so only the route shows the difference).
    const mine = polledShards('w0', members);
    const busy = [idIn((s) => mine.includes(s), 'own-a'), idIn((s) => mine.includes(s), 'own-b')];
    await makeBusy(f, 'w0', busy);
    const firstEnds = Math.min(...busy.map((id) => f.claims.get(id)!.at)) + JOB_MS;
    await f.clock.advance(firstEnds - 5 - f.clock.now());
    const target = idIn((s) => !mine.includes(s) && shardRank('w1', members, s) === 1, 'target');
    await f.queue.enqueue({ audio: makeWav(0.2, { seed: 9 }), mimeType: 'audio/wav', userId: 'late' }, { jobId: target });
    await f.clock.advanceUntil(async () => (await f.queue.getJob(target))?.status === 'succeeded', 1, 5_000);
    expect(f.claims.get(target)).toMatchObject({ by: 'w0', route: 'listen' });
    expect(f.conflicts).toEqual([]);
  });

  it('with its listeners gone, the busy worker takes it once it is STEAL_AGE_MS old, long before the orphan check', async () => {
    const members = ['w0', 'gone-a', 'gone-b', 'gone-c'];
    const f = (current = fleet(['w0'], members));
    await Promise.all(f.workers.map((w) => w.start()));
    await f.clock.advance(500);
    const listened = listenedShards('w0', members, 2);
    const polled = polledShards('w0', members);
    expect(listened.length + polled.length).toBeLessThan(2 * JOB_SHARDS);
    const busy = [idIn((s) => listened.includes(s), 'busy-a'), idIn((s) => listened.includes(s), 'busy-b')];
    await makeBusy(f, 'w0', busy);
    await f.clock.advance(Math.min(...busy.map((id) => f.claims.get(id)!.at)) + JOB_MS - 150 - f.clock.now());
    const target = idIn((s) => !listened.includes(s) && !polled.includes(s), 'stranded');
    await f.queue.enqueue({ audio: makeWav(0.2, { seed: 9 }), mimeType: 'audio/wav', userId: 'late' }, { jobId: target });
    const enqueuedAt = f.clock.now();
    await f.clock.advanceUntil(() => f.claims.has(target), 5, ORPHAN_CHECK_MS + 5_000);
    const delay = f.claims.get(target)!.at - enqueuedAt;
    // Found 150 ms old by the freed slot's look (fresh: the premise), left, and read again
    // once STEAL_AGE_MS old.
    expect(STEAL_AGE_MS).toBeGreaterThan(150);
    expect(delay).toBeGreaterThanOrEqual(STEAL_AGE_MS - 20);
    expect(delay).toBeLessThan(STEAL_AGE_MS + 500);
    expect(f.claims.get(target)?.route).toBe('others');
    expect(f.conflicts).toEqual([]);
  });
});
