import { z } from 'zod';
import { PRIORITIES, type Priority } from '@fq/worker/schema';

/**
 * The demo traffic as a pure schedule: given the time, what should happen now (jobs to
 * enqueue, a burst from one user, an overload episode starting or ending). Randomness is
 * injected, so the same seed gives the same traffic and tests need no real time.
 */
export const trafficOptionsSchema = z.object({
  /** Mean steady arrivals per second (Poisson process); 0 = off. */
  ratePerSec: z.number().nonnegative().max(1_000),
  users: z
    .array(z.object({ id: z.string().min(1).max(128), weight: z.number().positive() }))
    .min(1)
    .default([
      { id: 'demo-alice', weight: 4 },
      { id: 'demo-bob', weight: 2 },
      { id: 'demo-carol', weight: 2 },
      { id: 'demo-dave', weight: 1 },
      { id: 'demo-erin', weight: 1 },
      { id: 'demo-frank', weight: 1 },
    ]),
  priorityWeights: z
    .partialRecord(z.enum(PRIORITIES), z.number().nonnegative())
    .default({ urgent: 0.05, high: 0.2, normal: 0.55, low: 0.2 }),
  audioSeconds: z
    .object({ min: z.number().positive(), max: z.number().positive() })
    .refine((a) => a.min <= a.max, 'audioSeconds.min must not exceed max')
    .default({ min: 1, max: 8 }),
  /** Every `everyMs`, one user submits `jobs` at once (0 = no bursts). */
  burst: z
    .object({ everyMs: z.number().int().nonnegative(), jobs: z.number().int().positive().max(500) })
    .default({ everyMs: 40_000, jobs: 15 }),
  /**
   * Every `everyMs`, an overload episode of `durationMs` on the fake Gemini, cycling through
   * `kinds`: `capacity` lowers its capacity to `capacity` (503s, the adaptive limit drops),
   * `outage` answers every call 503 (the breaker opens). everyMs 0 = none.
   */
  episodes: z
    .object({
      everyMs: z.number().int().nonnegative(),
      durationMs: z.number().int().positive(),
      kinds: z.array(z.enum(['capacity', 'outage'])).min(1),
      capacity: z.number().int().nonnegative(),
    })
    .refine((e) => e.everyMs === 0 || e.durationMs < e.everyMs, 'episodes.durationMs must be shorter than everyMs')
    .default({ everyMs: 90_000, durationMs: 25_000, kinds: ['capacity', 'outage'], capacity: 1 }),
  /**
   * Every `everyMs`, the demo takes the named distributed lock through the worker API
   * (`queue.locks`) and holds it `holdMs`, its `ttlMs` lease renewed meanwhile, as a periodic
   * maintenance job would: the Locks page shows a holder, an expiry and a fencing token that
   * grows. The first one comes `min(everyMs, 5 s)` after the start. everyMs 0 = never.
   */
  lock: z
    .object({
      name: z.string().min(1).max(128),
      everyMs: z.number().int().nonnegative(),
      holdMs: z.number().int().positive(),
      ttlMs: z.number().int().positive(),
      purpose: z.string().max(200),
    })
    .refine((l) => l.everyMs === 0 || l.holdMs < l.everyMs, 'lock.holdMs must be shorter than everyMs')
    .default({ name: 'demo-usage-report', everyMs: 30_000, holdMs: 12_000, ttlMs: 9_000, purpose: 'demo: exports the usage report' }),
  seed: z.number().int().default(42),
});
export type TrafficOptions = z.input<typeof trafficOptionsSchema>;
export type ResolvedTrafficOptions = z.output<typeof trafficOptionsSchema>;
export type EpisodeKind = ResolvedTrafficOptions['episodes']['kinds'][number];

export type TrafficEvent =
  | { kind: 'enqueue'; at: number; userId: string; priority: Priority; audioSeconds: number; text: string; burst: boolean }
  | { kind: 'episode_start'; at: number; episode: EpisodeKind; until: number }
  | { kind: 'episode_end'; at: number; episode: EpisodeKind }
  | { kind: 'lock'; at: number; name: string; holdMs: number; ttlMs: number; purpose: string };

/** At most this many seconds of arrivals are caught up after a stall (a suspended laptop). */
const MAX_CATCH_UP_SEC = 5;

const SENTENCES = [
  'Please move the weekly review to Thursday afternoon.',
  'The shipment left the warehouse this morning and should arrive on Monday.',
  'Remind me to call the dentist before five.',
  'Our quarterly numbers look better than we expected.',
  'Can you summarise the meeting notes for the team?',
  'The river was quiet and the harbor lights were already on.',
  'Add two litres of milk and a loaf of bread to the list.',
  'The presentation needs one more slide about the budget.',
  'We will run the load test again after the deploy.',
  'Thank you for calling; I will get back to you tomorrow.',
] as const;

export function weightedPick<T>(items: readonly T[], weight: (item: T) => number, random: () => number): T {
  const total = items.reduce((sum, item) => sum + Math.max(0, weight(item)), 0);
  if (!(total > 0)) return items[0] as T;
  let x = random() * total;
  for (const item of items) {
    x -= Math.max(0, weight(item));
    if (x < 0) return item;
  }
  return items[items.length - 1] as T;
}

/** Exponential inter-arrival time (ms) of a Poisson process with `ratePerSec`. */
export function nextGapMs(ratePerSec: number, random: () => number): number {
  return (-Math.log(1 - random()) / ratePerSec) * 1000;
}

export class TrafficSchedule {
  private options: ResolvedTrafficOptions;
  private nextArrivalAt: number;
  private nextBurstAt: number;
  private nextEpisodeAt: number;
  private nextLockAt: number;
  private episodeIndex = 0;
  private active: { episode: EpisodeKind; until: number } | null = null;

  constructor(
    options: TrafficOptions,
    private readonly random: () => number,
    startMs: number,
  ) {
    this.options = trafficOptionsSchema.parse(options);
    this.nextArrivalAt = this.options.ratePerSec > 0 ? startMs + nextGapMs(this.options.ratePerSec, random) : Infinity;
    this.nextBurstAt = this.options.burst.everyMs > 0 ? startMs + this.options.burst.everyMs : Infinity;
    this.nextEpisodeAt = this.options.episodes.everyMs > 0 ? startMs + this.options.episodes.everyMs : Infinity;
    this.nextLockAt = this.firstLock(startMs);
  }

  private firstLock(now: number): number {
    const every = this.options.lock.everyMs;
    return this.options.ratePerSec > 0 && every > 0 ? now + Math.min(every, 5_000) : Infinity;
  }

  get ratePerSec(): number {
    return this.options.ratePerSec;
  }

  get activeEpisode(): EpisodeKind | null {
    return this.active?.episode ?? null;
  }

  /** Changes the steady rate from `now` on; 0 stops arrivals, bursts, episodes and the lock. */
  setRate(ratePerSec: number, now: number): void {
    this.options = trafficOptionsSchema.parse({ ...this.options, ratePerSec });
    const on = ratePerSec > 0;
    this.nextArrivalAt = on ? now + nextGapMs(ratePerSec, this.random) : Infinity;
    this.nextBurstAt = on && this.options.burst.everyMs > 0 ? now + this.options.burst.everyMs : Infinity;
    this.nextEpisodeAt = on && this.options.episodes.everyMs > 0 ? now + this.options.episodes.everyMs : Infinity;
    this.nextLockAt = this.firstLock(now);
  }

  /** Everything due at or before `now`, in time order. */
  due(now: number): TrafficEvent[] {
    const events: TrafficEvent[] = [];
    if (this.active && (this.active.until <= now || this.options.ratePerSec === 0)) {
      events.push({ kind: 'episode_end', at: Math.min(now, this.active.until), episode: this.active.episode });
      this.active = null;
    }
    if (this.options.ratePerSec === 0) return events;

    const oldest = now - MAX_CATCH_UP_SEC * 1000;
    if (this.nextArrivalAt < oldest) this.nextArrivalAt = oldest;
    while (this.nextArrivalAt <= now) {
      events.push(this.job(this.nextArrivalAt, false));
      this.nextArrivalAt += nextGapMs(this.options.ratePerSec, this.random);
    }
    if (this.nextBurstAt <= now) {
      const user = weightedPick(this.options.users, (u) => u.weight, this.random);
      for (let i = 0; i < this.options.burst.jobs; i++) events.push({ ...this.job(now, true), userId: user.id });
      while (this.nextBurstAt <= now) this.nextBurstAt += this.options.burst.everyMs;
    }
    if (!this.active && this.nextEpisodeAt <= now) {
      const kinds = this.options.episodes.kinds;
      const episode = kinds[this.episodeIndex % kinds.length] as EpisodeKind;
      this.episodeIndex += 1;
      const until = now + this.options.episodes.durationMs;
      this.active = { episode, until };
      events.push({ kind: 'episode_start', at: now, episode, until });
      while (this.nextEpisodeAt <= now) this.nextEpisodeAt += this.options.episodes.everyMs;
    }
    if (this.nextLockAt <= now) {
      const { name, holdMs, ttlMs, purpose } = this.options.lock;
      events.push({ kind: 'lock', at: now, name, holdMs, ttlMs, purpose });
      // One take per period, however long a stall was (a lock is no backlog to catch up on).
      while (this.nextLockAt <= now) this.nextLockAt += this.options.lock.everyMs;
    }
    return events.sort((a, b) => a.at - b.at);
  }

  private job(at: number, burst: boolean): Extract<TrafficEvent, { kind: 'enqueue' }> {
    const { users, priorityWeights, audioSeconds } = this.options;
    const user = weightedPick(users, (u) => u.weight, this.random);
    const priority = weightedPick(PRIORITIES, (p) => priorityWeights[p] ?? 0, this.random);
    const seconds = audioSeconds.min + this.random() * (audioSeconds.max - audioSeconds.min);
    const text = SENTENCES[Math.floor(this.random() * SENTENCES.length)] as string;
    return { kind: 'enqueue', at, userId: user.id, priority: burst ? 'low' : priority, audioSeconds: Math.round(seconds * 10) / 10, text, burst };
  }
}
