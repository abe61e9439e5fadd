import type { FakeCallLog, FakeCallRecord } from '@fq/fake-gemini';
import type { TimedEvent } from './sliding-window.js';

/**
 * What the fake Gemini's call log says about a run (pure): counts by outcome, when the last
 * success was answered, events for sliding windows. Offsets are ms from the log's start
 * (the fake's stats start, which the benches reset at the release).
 */
export interface UpstreamSummary {
  calls: number;
  successes: number;
  /** Answers other than 200 by status ('reset' and 'aborted' for calls without one). */
  byStatus: Record<string, number>;
  byReason: Record<string, number>;
  /** (calls - successes) / successes; null without a success. */
  wastedPerSuccess: number | null;
  /** Offset of the last success's answer; null without one. */
  lastSuccessMs: number | null;
}

export function summarizeCalls(log: FakeCallLog): UpstreamSummary {
  const byStatus: Record<string, number> = {};
  const byReason: Record<string, number> = {};
  let successes = 0;
  let last: number | null = null;
  for (const c of log.calls) {
    if (c.outcome === 'ok') {
      successes += 1;
      if (c.settledAt !== null) last = Math.max(last ?? 0, c.settledAt - log.startedAt);
      continue;
    }
    const key = c.status === null ? c.outcome : String(c.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
    if (c.reason) byReason[c.reason] = (byReason[c.reason] ?? 0) + 1;
  }
  const calls = log.calls.length;
  return {
    calls,
    successes,
    byStatus,
    byReason,
    wastedPerSuccess: successes === 0 ? null : Math.round(((calls - successes) / successes) * 1000) / 1000,
    lastSuccessMs: last,
  };
}

/** One event per call matching `keep`, at its arrival, weighing 1 (or its tokens). */
export function callEvents(calls: readonly FakeCallRecord[], keep: (c: FakeCallRecord) => boolean = () => true, weight: 'calls' | 'tokens' = 'calls'): TimedEvent[] {
  return calls.filter(keep).map((c) => ({ at: c.at, weight: weight === 'tokens' ? c.tokens : 1 }));
}

export const isSuccess = (c: FakeCallRecord): boolean => c.outcome === 'ok';

/**
 * Calls per second of the run by arrival (index = whole seconds after the log's start):
 * answered, refused (any non-200 answer), and billed tokens; for the JSON, to redraw a run.
 */
export interface PerSecond {
  ok: number[];
  refused: number[];
  tokens: number[];
}

export function perSecond(log: FakeCallLog): PerSecond {
  const out: PerSecond = { ok: [], refused: [], tokens: [] };
  const last = log.calls.reduce((m, c) => Math.max(m, c.at), log.startedAt);
  const length = Math.floor((last - log.startedAt) / 1000) + 1;
  for (const key of ['ok', 'refused', 'tokens'] as const) out[key] = new Array<number>(log.calls.length ? length : 0).fill(0);
  for (const c of log.calls) {
    const i = Math.floor((c.at - log.startedAt) / 1000);
    if (i < 0) continue;
    if (c.outcome === 'ok') {
      out.ok[i]! += 1;
      out.tokens[i]! += c.tokens;
    } else if (c.outcome === 'rejected') out.refused[i]! += 1;
  }
  return out;
}
