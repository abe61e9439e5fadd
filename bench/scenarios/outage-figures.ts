import type { FakeCallLog } from '@fq/fake-gemini';
import { firstTransitionTo, notClosedIntervals, type Transition } from '../lib/breaker-timeline.js';
import { maxOverlap } from '../lib/sliding-window.js';
import { round } from '../lib/stats.js';

/**
 * What an outage (every call answered 503 from `outageStart` to `outageEnd`) did to the
 * breaker and the jobs (pure). Times are epoch ms: the fake, the emulator and the harness
 * share the machine's clock.
 */
export interface OutageInput {
  outageStart: number;
  outageEnd: number;
  history: readonly Transition[];
  log: FakeCallLog;
  /** Every error entry of every job (its time and what it was charged to, when recorded). */
  jobErrors: readonly { at: number; charge?: string | undefined }[];
}

export interface OutageFigures {
  /** Outage start -> the breaker's first opening after it; null when it never opened. */
  openAfterSec: number | null;
  /** Calls that reached the fake while the breaker was open or half-open (after the outage began). */
  callsWhileNotClosed: number;
  /** The most of those calls in flight at one moment (answers take rejectLatencyMs). */
  probesInFlightMax: number;
  /** Answer of the first call that succeeded while the breaker was not closed, after the outage. */
  firstSuccessfulProbeAt: number | null;
  /** That answer -> the breaker's transition to closed. */
  closedAfterProbeSec: number | null;
  /** Outage start -> closed again. */
  notClosedSec: number | null;
  /** Error entries written on jobs between the outage start and the closing, by what they were charged to ('attempt' when unrecorded). */
  errorsDuringOutageByCharge: Record<string, number>;
}

export function outageFigures(input: OutageInput): OutageFigures {
  const { outageStart, outageEnd, history, log } = input;
  const openAt = firstTransitionTo(history, 'open', outageStart);
  const intervals = notClosedIntervals(history).filter((i) => i.end === null || i.end >= outageStart);
  const inside = (t: number) => intervals.some((i) => t >= Math.max(i.start, outageStart) && (i.end === null || t < i.end));
  const probes = log.calls.filter((c) => inside(c.at));
  const firstOk = probes.filter((c) => c.outcome === 'ok' && c.at >= outageEnd && c.settledAt !== null).sort((a, b) => a.settledAt! - b.settledAt!)[0];
  const okAt = firstOk?.settledAt ?? null;
  const closedAt = firstOk ? firstTransitionTo(history, 'closed', firstOk.at) : null;
  const closedAgain = openAt === null ? null : firstTransitionTo(history, 'closed', openAt);
  const until = closedAgain ?? Infinity;
  const byCharge: Record<string, number> = {};
  for (const e of input.jobErrors) {
    if (e.at < outageStart || e.at > Math.max(until === Infinity ? outageEnd : until, outageEnd)) continue;
    const charge = e.charge ?? 'attempt';
    byCharge[charge] = (byCharge[charge] ?? 0) + 1;
  }
  return {
    openAfterSec: openAt === null ? null : round((openAt - outageStart) / 1000, 2),
    callsWhileNotClosed: probes.length,
    probesInFlightMax: maxOverlap(probes.map((c) => ({ start: c.at, end: c.settledAt ?? Infinity }))),
    firstSuccessfulProbeAt: okAt,
    closedAfterProbeSec: okAt !== null && closedAt !== null ? round((closedAt - okAt) / 1000, 2) : null,
    notClosedSec: closedAgain === null ? null : round((closedAgain - outageStart) / 1000, 1),
    errorsDuringOutageByCharge: byCharge,
  };
}
