import { describe, expect, it } from 'vitest';
import { clientSubmissionSchema, isQueueError, planSubmission, PRIORITY_TIER, seededRandom, TENANT_CLAIM, TIER_CLAIM, type SubmissionInput } from '@fq/worker';
import { ACCESS_CATEGORIES, accessCase } from './access-cases.js';
import { declaredFor, durationProblems } from './duration-oracle.js';
import { clientCase, SERVER_TIME } from './client-cases.js';
import { SERVER_CATEGORIES, serverCase } from './server-cases.js';

describe('fuzz case generators', () => {
  it('draw the same server cases for the same seed, covering every category', () => {
    const a = Array.from({ length: 400 }, (_, n) => serverCase(n, seededRandom(9 + n)));
    const b = Array.from({ length: 400 }, (_, n) => serverCase(n, seededRandom(9 + n)));
    expect(a.map((c) => c.notes)).toEqual(b.map((c) => c.notes));
    expect(new Set(a.flatMap((c) => c.categories))).toEqual(new Set(SERVER_CATEGORIES));
  });

  it('mark as must-refuse only inputs the pure planner refuses with a typed error', async () => {
    // The oracle is checked against the core: a false "must refuse" would blame the engine.
    const random = seededRandom(4);
    let refused = 0;
    for (let n = 0; n < 300; n++) {
      const c = serverCase(n, random);
      if (c.expect !== 'reject') continue;
      const outcome = await planSubmission(c.input as unknown as SubmissionInput, {
        now: 0,
        source: 'server',
        ...(c.options.jobId !== undefined ? { jobId: c.options.jobId as string } : {}),
      }).then(
        () => 'accepted',
        (error: unknown) => (isQueueError(error) ? 'typed' : `untyped ${String(error)}`),
      );
      expect(`#${n} ${c.notes.join('; ')}: ${outcome}`).toBe(`#${n} ${c.notes.join('; ')}: typed`);
      refused += 1;
    }
    expect(refused).toBeGreaterThan(150);
  });

  it('start browser cases from a submission the client schema accepts', async () => {
    const random = seededRandom(2);
    const controls = [];
    for (let n = 0; n < 60; n++) {
      const c = await clientCase(n, random, 'web');
      if (c.categories.includes('valid (control)')) controls.push(c);
    }
    expect(controls.length).toBeGreaterThan(0);
    for (const c of controls) {
      const job = { ...c.docs.job, createdAt: c.docs.job.createdAt === SERVER_TIME ? new Date() : c.docs.job.createdAt };
      expect(clientSubmissionSchema.safeParse(job).success).toBe(true);
      expect(c.docs.chunks.length).toBe((c.docs.job.audio as { chunkCount: number }).chunkCount);
    }
  });
});

describe('fuzz: tenants, tiers and declared durations', () => {
  const prefixes = { served: 'fz_run_', otherServed: 'fz_other_', unserved: 'fz_nobody_' };

  it('access cases cover every kind; only the run tenant with a tier its priority allows must pass', async () => {
    const random = seededRandom(3);
    const cases = await Promise.all(Array.from({ length: 2 * ACCESS_CATEGORIES.length }, (_, n) => accessCase(n, random, prefixes)));
    expect(new Set(cases.map((c) => c.categories[0]))).toEqual(new Set(ACCESS_CATEGORIES));
    for (const c of cases) {
      const ownTenant = c.claims[TENANT_CLAIM] === c.prefix && c.prefix === prefixes.served;
      const priority = c.docs.job.priority as string;
      const tierOk = ['normal', 'low'].includes(priority) || c.claims[TIER_CLAIM] === PRIORITY_TIER;
      expect({ n: c.n, denied: c.expect === 'denied' }).toEqual({ n: c.n, denied: !(ownTenant && tierOk) });
    }
  });

  it('the duration oracle wants the measured length and an honest correction flag', () => {
    const job = (durationSec: number, check: Record<string, unknown> | null) => ({ audio: { durationSec }, durationCheck: check });
    const check = (declaredSec: number | null, measuredSec: number, corrected: boolean) => ({ declaredSec, measuredSec, method: 'parsed', corrected, note: null });
    expect(durationProblems(job(0.2, check(3_600, 0.2, true)), 0.2, 3_600)).toEqual([]);
    expect(durationProblems(job(0.2, check(null, 0.2, false)), 0.2, undefined)).toEqual([]);
    expect(durationProblems(job(3_600, check(3_600, 0.2, false)), 0.2, 3_600)).toHaveLength(2);
    expect(durationProblems(job(0.2, null), 0.2, 0.2)).toEqual([expect.stringMatching(/without a durationCheck/)]);
    expect(declaredFor(0.2, 0)).toBeNull();
  });
});
