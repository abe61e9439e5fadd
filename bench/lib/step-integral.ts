/**
 * The integral of a step function over time (pure): capacity that changes at given offsets
 * integrated over a run gives the calls (x service time) the upstream could have served.
 */
export interface Step {
  /** Offset (ms) from which `value` holds, until the next step. */
  atMs: number;
  value: number;
}

/**
 * Integral of the step function over [fromMs, toMs), in value x ms. Before the first step
 * (and without steps) `initial` holds. Steps need not be sorted.
 */
export function stepIntegral(initial: number, steps: readonly Step[], fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  const ordered = [...steps].sort((a, b) => a.atMs - b.atMs);
  let total = 0;
  let value = initial;
  let cursor = fromMs;
  for (const step of ordered) {
    if (step.atMs > cursor) {
      const until = Math.min(step.atMs, toMs);
      total += value * (until - cursor);
      cursor = until;
      if (cursor >= toMs) return total;
    }
    value = step.value;
  }
  return total + value * (toMs - cursor);
}
