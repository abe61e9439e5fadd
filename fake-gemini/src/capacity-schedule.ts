import type { CapacityStep } from './config.js';

/**
 * The capacity in force `offsetMs` after the schedule's start: the last step at or before
 * the offset, else `base` (the model's plain `capacity`). Steps need not be sorted.
 * null = unlimited.
 */
export function capacityAt(base: number | null, schedule: readonly CapacityStep[] | null, offsetMs: number): number | null {
  if (!schedule || schedule.length === 0) return base;
  let found: CapacityStep | null = null;
  for (const step of schedule) {
    if (step.atMs <= offsetMs && (found === null || step.atMs >= found.atMs)) found = step;
  }
  return found ? found.capacity : base;
}
