import { describe, expect, it } from 'vitest';
import { delta, floodCost, floodGoalFigures, sideFigures, type Attempt, type JobView } from './flood-figures.js';

const T = 1_700_000_000_000;
const job = (id: string, patch: Partial<JobView> = {}): [string, JobView] => [id, { id, status: 'queued', createdAt: T, admittedAt: T + 100, rejectionCode: null, ...patch }];
const attempt = (jobId: string, outcome: Attempt['outcome'] = 'accepted', code: string | null = null): Attempt => ({ uid: 'u', jobId, outcome, code });

describe('sideFigures', () => {
  it('counts each attempt once: refused, errored, admitted (with its delay), rejected by code, or undecided', () => {
    const jobs = new Map([
      job('a', { admittedAt: T + 200 }),
      job('b', { status: 'succeeded', admittedAt: T + 400 }),
      job('c', { status: 'rejected', admittedAt: null, rejectionCode: 'RATE_LIMITED' }),
      job('d', { status: 'submitted', admittedAt: null }),
    ]);
    const figures = sideFigures(
      [attempt('a'), attempt('b'), attempt('c'), attempt('d'), attempt('gone'), attempt('x', 'refused', 'permission-denied'), attempt('y', 'refused', 'SUBMISSION_THROTTLED'), attempt('z', 'error', 'unavailable')],
      jobs,
    );
    expect(figures).toMatchObject({
      attempts: 8,
      accepted: 5,
      refused: 2,
      errors: 1,
      admitted: 2,
      rejectedByCode: { RATE_LIMITED: 1 },
      // Still submitted, or missing altogether.
      undecided: 2,
      refusedByCode: { 'permission-denied': 1, SUBMISSION_THROTTLED: 1 },
    });
    expect(figures.admissionDelayMs).toMatchObject({ count: 2, p50: 200, max: 400 });
  });
});

describe('floodCost', () => {
  it('bills the refusals what the flooder paid beyond its accepted submissions', () => {
    const cost = floodCost({ flooder: { reads: 0, writes: 33, deletes: 0 }, engine: { reads: 150, writes: 40, deletes: 10 }, accepted: 10, acceptedAll: 20, writesPerAccepted: 3 });
    expect(cost.refusedAttempts).toEqual({ reads: 0, writes: 3, deletes: 0 });
    expect(cost.engineOpsPerAcceptedSubmission).toBe(10);
    expect(floodCost({ flooder: null, engine: { reads: 0, writes: 0, deletes: 0 }, accepted: 0, acceptedAll: 0, writesPerAccepted: 3 })).toMatchObject({ refusedAttempts: null, engineOpsPerAcceptedSubmission: null });
  });

  it('delta subtracts a connection that did not exist before as zero', () => {
    expect(delta({ reads: 5, writes: 2, deletes: 1 }, null)).toEqual({ reads: 5, writes: 2, deletes: 1 });
    expect(delta({ reads: 5, writes: 2, deletes: 1 }, { reads: 1, writes: 2, deletes: 0 })).toEqual({ reads: 4, writes: 0, deletes: 1 });
  });
});

describe('floodGoalFigures', () => {
  it("judges the others' p95 against 1 s and counts every way a submission of theirs was not admitted", () => {
    const ok = sideFigures([attempt('a')], new Map([job('a', { admittedAt: T + 900 })]));
    const flooder = sideFigures([attempt('f'), attempt('g', 'refused', 'permission-denied')], new Map([job('f')]));
    const cost = floodCost({ flooder: { reads: 0, writes: 3, deletes: 0 }, engine: { reads: 10, writes: 5, deletes: 1 }, accepted: 1, acceptedAll: 2, writesPerAccepted: 3 });
    const figures = floodGoalFigures(ok, flooder, cost);
    expect(figures.othersAdmissionDelayP95Ms).toEqual({ value: 900, goal: '<= 1000', met: true, unit: 'ms' });
    expect(figures.othersNotAdmitted).toMatchObject({ value: 0, met: true });
    expect(figures.flooderRefused.value).toBe(1);
    expect(figures.refusedAttemptsBilledOps.value).toBe(0);

    const slow = sideFigures([attempt('a'), attempt('b', 'refused', 'SUBMISSION_THROTTLED')], new Map([job('a', { admittedAt: T + 1_500 })]));
    const missed = floodGoalFigures(slow, flooder, cost);
    expect(missed.othersAdmissionDelayP95Ms.met).toBe(false);
    expect(missed.othersNotAdmitted).toMatchObject({ value: 1, met: false });
  });
});
