import type { ClientEnv } from './client-run.js';
import { runClientCase } from './client-run.js';
import { validClientDocs, type ClientCase } from './client-cases.js';
import type { Verdict } from './verdict.js';

/**
 * Head-of-line check: `submitted` jobs the engine cannot read (a metadata number that is
 * NaN; the job schema wants finite ones) must not block everyone else's. The engine admits
 * from the oldest `submitted` jobs (a limited query); if it skipped unreadable ones without
 * rejecting them, enough of them at the head would starve every later submission. The rules
 * refuse such a job from a browser (they agree with the schema, see
 * tests/rules/schema-agreement.test.ts), so the poison is written as a buggy backend would,
 * with the admin SDK; the victim is a browser's submission.
 */
export async function poisonHeadCheck(env: ClientEnv, count: number, n0: number): Promise<Verdict> {
  const poison: ClientCase[] = [];
  for (let i = 0; i < count; i++) {
    const docs = await validClientDocs(n0 + i, 'fz-poisoner');
    docs.job.metadata = { score: Number.NaN, index: i };
    poison.push({ n: n0 + i, via: 'admin', uid: 'fz-poisoner', categories: ['poison'], notes: [], docs });
  }
  // Written one after another so their createdAt order is the order here.
  let refused = 0;
  for (const c of poison) {
    const written = await runClientCase({ ...env, decideTimeoutMs: 0 }, c);
    if (written.outcome === 'denied' || written.outcome === 'refused-locally') refused += 1;
  }
  const victim: ClientCase = {
    n: n0 + count,
    via: 'web',
    uid: 'fz-victim',
    categories: ['valid (control)', `behind ${count} unreadable submissions`],
    notes: [`a valid submission after ${count} engine-unreadable ones (NaN metadata, written with the admin SDK)`],
    docs: await validClientDocs(n0 + count, 'fz-victim'),
  };
  const verdict = await runClientCase(env, victim);
  // If the poison was not written, nothing stands in the victim's way and the check proves nothing.
  const vacuous = refused > 0 ? [`${refused} of ${count} poison submissions were not written: the check needs documents the engine cannot read`] : [];
  return { ...verdict, path: 'web', categories: ['head-of-line: valid submission behind unreadable ones'], violations: [...verdict.violations, ...vacuous] };
}
