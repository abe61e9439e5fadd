import type { CapacityStep, FakeCallLog } from '@fq/fake-gemini';
import { perSecond, summarizeCalls, type PerSecond } from '../lib/call-log-figures.js';
import { round } from '../lib/stats.js';
import { stepIntegral } from '../lib/step-integral.js';

/**
 * Goodput against a capacity that moves (pure). The limit is the capacity integral: the
 * jobs the upstream could have finished between the schedule's start (the release) and the
 * last success, sum over phases of capacity x phase length / service time.
 */
export interface CapacityPhase {
  fromSec: number;
  toSec: number;
  capacity: number;
  successes: number;
  /** Successes answered in the phase / (capacity x phase length / service time). */
  shareOfCapacity: number | null;
}

export interface CapacityStepSide {
  calls: number;
  successes: number;
  /** Release to the last success's answer, at the fake. */
  windowSec: number;
  capacityIntegralJobs: number;
  goodputShareOfIntegral: number | null;
  wastedCallsPerSuccess: number | null;
  rejections: Record<string, number>;
  phases: CapacityPhase[];
  /** Calls per second by arrival (JSON only). */
  perSecond: PerSecond;
}

export function capacityStepSide(log: FakeCallLog, schedule: readonly CapacityStep[], initialCapacity: number, serviceMs: number): CapacityStepSide {
  const s = summarizeCalls(log);
  const endMs = s.lastSuccessMs ?? 0;
  const steps = schedule.map((x) => ({ atMs: x.atMs, value: x.capacity ?? 0 }));
  const integralJobs = stepIntegral(initialCapacity, steps, 0, endMs) / serviceMs;
  const bounds = [...new Set([0, ...steps.map((x) => x.atMs).filter((t) => t > 0 && t < endMs), endMs])].sort((a, b) => a - b);
  const phases: CapacityPhase[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i]!;
    const to = bounds[i + 1]!;
    const capacity = stepIntegral(initialCapacity, steps, from, to) / (to - from);
    // Answers landing exactly on the last success belong to the last phase.
    const last = i + 2 === bounds.length;
    const successes = log.calls.filter((c) => {
      if (c.outcome !== 'ok' || c.settledAt === null) return false;
      const t = c.settledAt - log.startedAt;
      return t >= from && (t < to || (last && t === to));
    }).length;
    const possible = (capacity * (to - from)) / serviceMs;
    phases.push({ fromSec: round(from / 1000, 1), toSec: round(to / 1000, 1), capacity: round(capacity, 2), successes, shareOfCapacity: possible > 0 ? round(successes / possible, 3) : null });
  }
  return {
    calls: s.calls,
    successes: s.successes,
    windowSec: round(endMs / 1000, 1),
    capacityIntegralJobs: round(integralJobs, 1),
    goodputShareOfIntegral: integralJobs > 0 ? round(s.successes / integralJobs, 3) : null,
    wastedCallsPerSuccess: s.wastedPerSuccess,
    rejections: s.byStatus,
    phases,
    perSecond: perSecond(log),
  };
}
