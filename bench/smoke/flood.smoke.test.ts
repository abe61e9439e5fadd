import { SUBMISSION_QUOTA_DEFAULTS } from '@fq/worker';
import { describe, expect, it } from 'vitest';
import { measureFlood } from '../scenarios/flood.js';

/**
 * Smoke version of the flood scenario (`npm run bench -- --scenario flood`): real workers,
 * our emulator enforcing firestore.rules, one web SDK user flooding while five submit
 * normally. It asserts what holds on any machine, however loaded: the rules let the flooder
 * through only within the quota, its refusals are billed nothing, and nothing of the other
 * users is refused, rejected or left undecided. Their admission delay (the goal, p95 <= 1 s)
 * is printed, never asserted.
 */
const log = (m: string) => console.log(`[flood smoke] ${m}`);

describe('flood smoke', () => {
  it('one user floods: refused within the quota for free, the others all admitted', async () => {
    const result = await measureFlood(
      { workers: 2, concurrency: 4, others: 5, otherRatePerSec: 0.5, calmMs: 0, floodPhaseMs: 4_000, floodSubmissions: 200, floodLanes: 8, unprotected: false, decideTimeoutMs: 60_000 },
      3,
      log,
    );
    const side = result.protected;
    const { flooder, others, cost } = side.flood;
    console.log(`flood smoke ${JSON.stringify({ figures: result.figures, flooder: { ...flooder, admissionDelayMs: undefined }, cost })}`);
    expect(side.quota).toEqual(SUBMISSION_QUOTA_DEFAULTS);

    expect(flooder.attempts).toBe(200);
    expect(flooder.errors).toBe(0);
    expect(flooder.accepted).toBeGreaterThanOrEqual(1);
    // A window holds perWindow, and a new one opens no sooner than windowMs after the last.
    const windows = Math.floor(flooder.durationMs / SUBMISSION_QUOTA_DEFAULTS.windowMs) + 1;
    expect(flooder.accepted).toBeLessThanOrEqual(windows * SUBMISSION_QUOTA_DEFAULTS.perWindow);
    expect(flooder.refused).toBe(200 - flooder.accepted);
    expect(flooder.refusedByCode).toEqual({ 'permission-denied': flooder.refused });
    expect(flooder.undecided).toBe(0);
    // Refused requests store nothing: the flooder's connection paid for its accepted submissions only.
    expect(cost.refusedAttempts).toEqual({ reads: 0, writes: 0, deletes: 0 });

    expect(others.attempts).toBeGreaterThan(0);
    expect({ refused: others.refused, errors: others.errors, rejected: others.rejectedByCode, undecided: others.undecided }).toEqual({
      refused: 0,
      errors: 0,
      rejected: {},
      undecided: 0,
    });
    expect(others.admitted).toBe(others.attempts);
    expect(result.figures.othersAdmissionDelayP95Ms).toMatchObject({ goal: '<= 1000', unit: 'ms' });
    expect(result.figures.othersNotAdmitted).toMatchObject({ value: 0, met: true });
  }, 240_000);
});
