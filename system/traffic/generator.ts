import { LockHeldError, QueueError, seededRandom } from '@fq/worker/core';
import type { Queue } from '@fq/worker';
import { makeTestWav, type FakeGeminiClient } from '@fq/fake-gemini';
import { TrafficSchedule, trafficOptionsSchema, type EpisodeKind, type ResolvedTrafficOptions, type TrafficEvent, type TrafficOptions } from './plan.js';

export interface TrafficStats {
  ratePerSec: number;
  running: boolean;
  enqueued: number;
  /** Refused by the queue, by error code (RATE_LIMITED during bursts is expected). */
  rejected: Record<string, number>;
  /** Unexpected enqueue failures (store errors). */
  errors: number;
  /** Arrivals waiting for a free enqueue slot (a burst drains through here). */
  backlog: number;
  /** Arrivals dropped because the backlog of enqueues waiting to be sent was full (a stalled emulator). */
  skipped: number;
  bursts: number;
  episodes: number;
  activeEpisode: EpisodeKind | null;
  /** The demo's periodic named lock (`lock` option): times taken, found held by someone else, held now. */
  locks: { taken: number; busy: number; holding: boolean; lastToken: number | null };
  lastError: string | null;
}

export interface TrafficGeneratorDeps {
  queue: Queue;
  /** Control API of the fake Gemini; null (real Gemini) disables overload episodes. */
  gemini: FakeGeminiClient | null;
  options: TrafficOptions;
  now?: () => number;
  tickMs?: number;
  onEvent?: (message: string) => void;
}

/** Enqueue calls at once; a burst waits its turn in the backlog. */
const MAX_IN_FLIGHT = 8;
/** Arrivals waiting to be sent; beyond this (the store is stuck) new ones are dropped and counted. */
const MAX_BACKLOG = 1_000;

/**
 * Runs a TrafficSchedule against the system: enqueues through the server API (so jobs take
 * the same admission path as any backend), and drives overload episodes through the fake
 * Gemini's control API, restoring its baseline behaviour when an episode ends or traffic stops.
 */
export class TrafficGenerator {
  private readonly schedule: TrafficSchedule;
  private readonly options: ResolvedTrafficOptions;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<void>>();
  private backlog: Extract<TrafficEvent, { kind: 'enqueue' }>[] = [];
  private baseline: { capacity: number | null; outage: unknown } | null = null;
  private episodeChange: Promise<void> = Promise.resolve();
  private readonly counters: Omit<TrafficStats, 'ratePerSec' | 'running' | 'activeEpisode' | 'backlog' | 'locks'> & {
    locks: Omit<TrafficStats['locks'], 'holding'>;
  } = {
    enqueued: 0,
    rejected: {},
    errors: 0,
    skipped: 0,
    bursts: 0,
    episodes: 0,
    locks: { taken: 0, busy: 0, lastToken: null },
    lastError: null,
  };
  /** The lock hold in progress, and how to end it early (stop). */
  private hold: { done: Promise<void>; release: AbortController } | null = null;

  constructor(private readonly deps: TrafficGeneratorDeps) {
    this.now = deps.now ?? Date.now;
    const parsed = trafficOptionsSchema.parse(deps.options);
    // Without the fake (real Gemini) there is nothing to overload on purpose.
    this.options = deps.gemini ? parsed : { ...parsed, episodes: { ...parsed.episodes, everyMs: 0 } };
    this.schedule = new TrafficSchedule(this.options, seededRandom(this.options.seed), this.now());
  }

  async start(): Promise<void> {
    if (this.timer) return;
    if (this.deps.gemini) {
      const config = await this.deps.gemini.config();
      this.baseline = { capacity: config.capacity, outage: config.outage };
    }
    this.timer = setInterval(() => this.tick(), this.deps.tickMs ?? 250);
  }

  setRate(ratePerSec: number): void {
    this.schedule.setRate(ratePerSec, this.now());
    this.tick();
  }

  stats(): TrafficStats {
    return {
      ...this.counters,
      rejected: { ...this.counters.rejected },
      locks: { ...this.counters.locks, holding: this.hold !== null },
      ratePerSec: this.schedule.ratePerSec,
      running: this.timer !== null,
      backlog: this.backlog.length,
      activeEpisode: this.schedule.activeEpisode,
    };
  }

  /** Stops arrivals, drops the backlog, releases the demo lock, waits for enqueues in flight and restores the fake's baseline. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.backlog = [];
    const hold = this.hold;
    hold?.release.abort();
    await Promise.allSettled([...this.inFlight, hold?.done]);
    await this.episodeChange;
    if (this.schedule.activeEpisode) await this.restoreBaseline().catch(() => undefined);
  }

  private tick(): void {
    if (!this.timer) return;
    let burstCounted = false;
    for (const event of this.schedule.due(this.now())) {
      if (event.kind === 'enqueue') {
        if (event.burst && !burstCounted) {
          burstCounted = true;
          this.counters.bursts += 1;
          this.deps.onEvent?.(`burst: ${event.userId} submits a batch of low-priority jobs`);
        }
        if (this.backlog.length >= MAX_BACKLOG) this.counters.skipped += 1;
        else this.backlog.push(event);
      } else if (event.kind === 'lock') this.takeLock(event);
      else this.changeEpisode(event);
    }
    this.pump();
  }

  private pump(): void {
    while (this.timer && this.inFlight.size < MAX_IN_FLIGHT && this.backlog.length > 0) {
      this.enqueue(this.backlog.shift() as Extract<TrafficEvent, { kind: 'enqueue' }>);
    }
  }

  private enqueue(event: Extract<TrafficEvent, { kind: 'enqueue' }>): void {
    const audio = makeTestWav({ durationSec: event.audioSeconds, text: event.text, sampleRate: 8_000 });
    const done = this.deps.queue
      .enqueue({ audio, mimeType: 'audio/wav', userId: event.userId, priority: event.priority, metadata: { source: 'demo-traffic' } })
      .then(
        () => {
          this.counters.enqueued += 1;
        },
        (error: unknown) => {
          if (error instanceof QueueError) {
            this.counters.rejected[error.code] = (this.counters.rejected[error.code] ?? 0) + 1;
          } else {
            this.counters.errors += 1;
            this.counters.lastError = error instanceof Error ? error.message : String(error);
          }
        },
      )
      .finally(() => {
        this.inFlight.delete(done);
        this.pump();
      });
    this.inFlight.add(done);
  }

  /**
   * Takes the named lock and holds it like a maintenance job would: `withLock` renews the lease
   * every ttl/3 and releases it afterwards. Held by someone else (another demo, an operator's
   * tool) is counted, not an error; a take while the previous hold still runs is skipped.
   */
  private takeLock(event: Extract<TrafficEvent, { kind: 'lock' }>): void {
    if (this.hold) return;
    const release = new AbortController();
    const done = this.deps.queue.locks
      .withLock(event.name, { ttlMs: event.ttlMs, purpose: event.purpose }, async (lease, lost) => {
        if (this.counters.locks.taken === 0) {
          this.deps.onEvent?.(`demo lock: "${event.name}" is taken every so often and held ${Math.round(event.holdMs / 1000)} s (see the Locks page)`);
        }
        this.counters.locks.taken += 1;
        this.counters.locks.lastToken = lease.token;
        await holdFor(event.holdMs, [lost, release.signal]);
      })
      .catch((error: unknown) => {
        if (error instanceof LockHeldError) {
          this.counters.locks.busy += 1;
          return;
        }
        this.counters.errors += 1;
        this.counters.lastError = `lock ${event.name}: ${error instanceof Error ? error.message : String(error)}`;
      })
      .finally(() => {
        if (this.hold?.done === done) this.hold = null;
      });
    this.hold = { done, release };
  }

  private changeEpisode(event: Extract<TrafficEvent, { kind: 'episode_start' | 'episode_end' }>): void {
    const gemini = this.deps.gemini;
    if (!gemini) return;
    // Episode changes are applied in order, even when the control API is slow.
    this.episodeChange = this.episodeChange.then(async () => {
      try {
        if (event.kind === 'episode_start') {
          this.counters.episodes += 1;
          const seconds = Math.round((event.until - event.at) / 1000);
          if (event.episode === 'outage') {
            this.deps.onEvent?.(`overload episode: the fake Gemini answers every call 503 for ${seconds} s (the breaker opens)`);
            await gemini.configure({ outage: { kind: 'status', status: 503 } });
          } else {
            const capacity = this.options.episodes.capacity;
            this.deps.onEvent?.(`overload episode: the fake Gemini's capacity drops to ${capacity} for ${seconds} s (503s, adaptive limit backs off)`);
            await gemini.configure({ capacity });
          }
        } else {
          this.deps.onEvent?.(`overload episode over: the fake Gemini is back to normal`);
          await this.restoreBaseline();
        }
      } catch (error) {
        this.counters.errors += 1;
        this.counters.lastError = `fake Gemini control: ${error instanceof Error ? error.message : String(error)}`;
      }
    });
  }

  private async restoreBaseline(): Promise<void> {
    if (!this.deps.gemini || !this.baseline) return;
    await this.deps.gemini.configure({ capacity: this.baseline.capacity, outage: this.baseline.outage as null });
  }
}

/** Resolves after `ms`, or as soon as one of `signals` aborts. */
function holdFor(ms: number, signals: readonly AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    if (signals.some((s) => s.aborted)) return resolve();
    const done = () => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const s of signals) s.addEventListener('abort', done, { once: true });
  });
}
