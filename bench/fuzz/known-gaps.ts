import type { Verdict } from './verdict.js';

/**
 * Engine gaps the fuzzer found that are outside bench/ (worker/ owns them). They stay
 * violations (`npm run fuzz` fails on them); the smoke test in `npm test` tolerates exactly
 * these and nothing else, so a new problem still fails it. Remove an entry once the engine
 * is fixed; each carries the repro and the proposed fix.
 */
export interface KnownGap {
  id: string;
  summary: string;
  repro: string;
  fix: string;
  matches(verdict: Verdict, problem: string): boolean;
}

export const KNOWN_GAPS: readonly KnownGap[] = [];

/** The known gap a violation belongs to, or null when it is new. */
export function knownGapOf(verdict: Verdict, problem: string): KnownGap | null {
  return KNOWN_GAPS.find((g) => g.matches(verdict, problem)) ?? null;
}
