/** A count as read at a time (the stats document's dead-letter count). */
export interface CountSample {
  at: number;
  count: number;
}

/**
 * Adds a sample, keeping only changes (an unchanged count adds nothing) and what a window of
 * `windowMs` ending at the sample still needs: the samples inside it plus the last one before
 * it, which is the count at the window's start. So the list stays as short as the changes in
 * one window, however often the leader samples.
 */
export function addCountSample(samples: readonly CountSample[], sample: CountSample, windowMs: number): CountSample[] {
  const last = samples.at(-1);
  const next = last && last.count === sample.count ? [...samples] : [...samples, sample];
  const start = sample.at - windowMs;
  let firstInside = next.findIndex((s) => s.at > start);
  if (firstInside === -1) firstInside = next.length;
  return next.slice(Math.max(0, firstInside - 1));
}

/**
 * How much the count rose within the window ending at `now`: the latest count less the lowest
 * count the window saw (its starting count included). A drop (a redrive, the retention sweep)
 * lowers the baseline, so dead letters added after it still count; with no sample before the
 * window, the first sample is the baseline.
 */
export function deadLetterRise(samples: readonly CountSample[], now: number, windowMs: number): { rise: number; count: number } {
  if (samples.length === 0) return { rise: 0, count: 0 };
  const start = now - windowMs;
  let startIndex = samples.findIndex((s) => s.at > start);
  if (startIndex === -1) startIndex = samples.length;
  const seen = samples.slice(Math.max(0, startIndex - 1));
  const count = samples.at(-1)!.count;
  const lowest = Math.min(...seen.map((s) => s.count));
  return { rise: Math.max(0, count - lowest), count };
}
