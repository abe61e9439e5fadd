import { seededRandom } from '@fq/worker';

/**
 * The chaos run's timeline, drawn from a seed before the run starts (pure: the same seed
 * gives the same kills and faults at the same offsets, so a failing run can be replayed).
 */
export type FaultAction =
  | { kind: 'kill-worker'; pick: number }
  | { kind: 'upstream-503'; count: number }
  | { kind: 'upstream-429'; count: number; retryDelayMs: number }
  | { kind: 'drop-streams' }
  | { kind: 'fail-commits'; count: number; status: 'ABORTED' | 'UNAVAILABLE' };

export interface ScheduledFault {
  atMs: number;
  action: FaultAction;
}

export interface ScheduleOptions {
  seed: number;
  durationMs: number;
  /** Mean gap between worker kills (each kill is followed by a restart). */
  killEveryMs: number;
  /** Mean gap between other faults. */
  faultEveryMs: number;
  /**
   * Counted 503 bursts (the next n calls answer 503). Off when the fake runs a steady error
   * rate instead: counts are used up by whichever calls come first (a breaker's probes), a
   * rate is not. The other faults keep their draws and times either way. Default true.
   */
  upstream503Bursts?: boolean;
}

/** Gaps uniformly within +-50 % of the mean: regular enough to bound the run, never in step. */
function times(random: () => number, durationMs: number, meanMs: number): number[] {
  const out: number[] = [];
  for (let t = meanMs * (0.5 + random()); t < durationMs; t += meanMs * (0.5 + random())) out.push(Math.round(t));
  return out;
}

export function chaosSchedule(options: ScheduleOptions): ScheduledFault[] {
  const random = seededRandom(options.seed);
  const kills = times(random, options.durationMs, options.killEveryMs).map((atMs): ScheduledFault => ({
    atMs,
    action: { kind: 'kill-worker', pick: random() },
  }));
  const faults = times(random, options.durationMs, options.faultEveryMs).map((atMs): ScheduledFault => {
    const r = random();
    const count = 1 + Math.floor(random() * 4);
    const action: FaultAction =
      r < 0.2
        ? { kind: 'upstream-503', count: 4 * count }
        : r < 0.4
          ? { kind: 'upstream-429', count: 2 * count, retryDelayMs: 500 + Math.floor(random() * 1_500) }
          : r < 0.6
            ? { kind: 'drop-streams' }
            : r < 0.8
              ? { kind: 'fail-commits', count, status: 'ABORTED' }
              : { kind: 'fail-commits', count, status: 'UNAVAILABLE' };
    return { atMs, action };
  });
  const kept = options.upstream503Bursts === false ? faults.filter((f) => f.action.kind !== 'upstream-503') : faults;
  return [...kills, ...kept].sort((a, b) => a.atMs - b.atMs);
}
