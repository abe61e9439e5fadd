/**
 * Estimates the offset between a browser's clock and Firestore's clock, so times the queue
 * writes (positions, ETAs, submission windows, heartbeat ages) are judged in Firestore time,
 * not by a browser clock that may be minutes off. Used by the console and `@fq/client`.
 *
 * Samples are (Firestore time written into a document, browser time when that fresh write
 * arrived). `local - server` = clock offset + delivery delay; delay is never negative, so the
 * minimum over recent samples is the tightest estimate. Old samples age out so a corrected
 * browser clock is picked up.
 */
export interface OffsetEstimate {
  /** browser ms - Firestore ms; subtract it from Date.now() to get Firestore time. */
  offsetMs: number;
  samples: number;
}

export interface ServerClock {
  observe(serverMs: number, localMs: number): void;
  estimate(): OffsetEstimate | null;
  /** Firestore time now, by the estimate (browser clock when there is none yet). */
  serverNow(localNow: number): number;
  subscribe(listener: () => void): () => void;
}

export function createServerClock(options: { maxSamples?: number; maxSampleAgeMs?: number } = {}): ServerClock {
  const maxSamples = options.maxSamples ?? 32;
  const maxAge = options.maxSampleAgeMs ?? 10 * 60_000;
  let samples: { offset: number; localMs: number }[] = [];
  let current: OffsetEstimate | null = null;
  const listeners = new Set<() => void>();

  const recompute = (now: number) => {
    samples = samples.filter((s) => now - s.localMs <= maxAge).slice(-maxSamples);
    const next =
      samples.length === 0 ? null : { offsetMs: Math.min(...samples.map((s) => s.offset)), samples: samples.length };
    const changed = next?.offsetMs !== current?.offsetMs || next?.samples !== current?.samples;
    current = next;
    if (changed) for (const l of listeners) l();
  };

  return {
    observe(serverMs, localMs) {
      if (!Number.isFinite(serverMs) || !Number.isFinite(localMs)) return;
      samples.push({ offset: localMs - serverMs, localMs });
      recompute(localMs);
    },
    estimate: () => current,
    serverNow: (localNow) => localNow - (current?.offsetMs ?? 0),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
