/** Wall-clock source in nanoseconds since the epoch; injectable for tests. */
export interface Clock {
  nowNanos(): bigint;
}

export const systemClock: Clock = {
  // performance.timeOrigin + now() carries sub-millisecond precision.
  nowNanos: () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n,
};

/**
 * The commit clock: strictly increasing, microsecond-aligned (Firestore timestamps have
 * microsecond precision), never repeating even when the wall clock stalls or goes back.
 */
export class CommitClock {
  private last = 0n;

  constructor(private readonly clock: Clock = systemClock) {}

  /** Allocates the next commit time. */
  next(): bigint {
    const now = this.clock.nowNanos();
    const aligned = now - (now % 1000n);
    this.last = aligned > this.last ? aligned : this.last + 1000n;
    return this.last;
  }

  /**
   * A read time: now, or the latest commit time if the wall clock lags. It is reserved, so
   * every later commit gets a strictly greater time (a snapshot at R never gains a change
   * stamped R afterwards).
   */
  readTime(): bigint {
    const now = this.clock.nowNanos();
    const aligned = now - (now % 1000n);
    if (aligned > this.last) this.last = aligned;
    return this.last;
  }

  nowNanos(): bigint {
    return this.clock.nowNanos();
  }

  /**
   * Makes every later commit and read time come after `time` (data imported with its own
   * update times, possibly from a clock ahead of this one).
   */
  observe(time: bigint): void {
    if (time > this.last) this.last = time;
  }
}
