import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientSubmissionSchema } from '../schema/job.js';
import { planSubmission } from '../core/submission.js';
import { rendezvousDelayMs, rendezvousRank } from '../core/coordination/rendezvous.js';
import { MemoryStore } from '../adapters/memory/memory-store.js';
import { Admission } from '../engine/admission.js';
import { makeWav } from '../testing/audio.js';
import { FakeClock } from '../testing/fake-clock.js';
import { engineContext, uniquePrefix } from '../testing/engine-fixture.js';
import { SubmissionAdmitter } from './submission-admitter.js';

const SPREAD_MS = 1_000;
const FLEET = ['s1', 's2'];

let running: SubmissionAdmitter[] = [];
afterEach(() => {
  for (const a of running) a.stop();
  running = [];
});

/** A job id that `s1` would, by the hashed delay alone, look at only late in the spread. */
function lateJobId(): string {
  for (let i = 0; ; i++) {
    const id = `late-${i}`;
    if (rendezvousDelayMs('s1', id, SPREAD_MS) > 0.8 * SPREAD_MS && rendezvousDelayMs('s2', id, SPREAD_MS) > 0.8 * SPREAD_MS) return id;
  }
}

async function submit(store: MemoryStore, jobId: string): Promise<void> {
  const plan = await planSubmission({ audio: makeWav(0.2), mimeType: 'audio/wav', userId: 'u1' }, { now: store.now(), source: 'client', jobId });
  await store.commit(plan.chunks.map((c) => ({ op: 'set' as const, collection: 'payloads' as const, id: c.id, data: c.doc })));
  store.writeRaw('jobs', plan.jobId, clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }));
}

function fleet(members: (() => readonly string[] | null) | undefined) {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock, prefix: uniquePrefix('rdv') });
  const admitters = FLEET.map((serverId) => {
    const ctx = engineContext(store, { serverId, clock });
    return new SubmissionAdmitter(ctx, new Admission(ctx), SPREAD_MS, members);
  });
  running.push(...admitters);
  return { clock, store, admitters };
}

const statusOf = async (store: MemoryStore, id: string) => (await store.get('jobs', id)).doc?.status ?? null;

/** Fires the timers due now, without moving the fake clock, until `id` is admitted (real time passes: hashing is async). */
async function admittedWithoutTimePassing(clock: FakeClock, store: MemoryStore, id: string): Promise<void> {
  await vi.waitFor(
    async () => {
      await clock.advance(0);
      expect(await statusOf(store, id)).toBe('queued');
    },
    { timeout: 10_000, interval: 20 },
  );
}

describe('SubmissionAdmitter timing', () => {
  it('with the fleet known, the first worker in the rendezvous order decides a submission at once', async () => {
    const { clock, store, admitters } = fleet(() => FLEET);
    const id = lateJobId();
    expect(FLEET.map((s) => rendezvousRank(s, FLEET, id)).sort()).toEqual([0, 1]);
    await submit(store, id);
    const submittedAt = clock.now();
    for (const a of admitters) a.start();
    await admittedWithoutTimePassing(clock, store, id);
    expect(clock.now()).toBe(submittedAt);
  });

  it('without it, each worker waits its hashed delay and the earliest decides', async () => {
    const { clock, store, admitters } = fleet(undefined);
    const id = lateJobId();
    await submit(store, id);
    for (const a of admitters) a.start();
    const earliest = Math.min(...FLEET.map((s) => rendezvousDelayMs(s, id, SPREAD_MS)));
    await clock.advance(Math.floor(earliest) - 1);
    expect(await statusOf(store, id)).toBe('submitted');
    await clock.advance(2);
    await admittedWithoutTimePassing(clock, store, id);
  });
});
