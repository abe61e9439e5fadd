import type { ClientEnv } from './client-run.js';
import { runClientCase } from './client-run.js';
import { validClientDocs, type ClientCase } from './client-cases.js';
import type { Verdict } from './verdict.js';

/**
 * Head-of-line check: submissions the rules accept but the engine cannot read (metadata
 * values the rules do not type-check) must not block everyone else's. The engine admits from
 * the oldest `submitted` jobs (a limited query); if it skips unreadable ones without
 * rejecting them, enough of them at the head starve every later submission.
 */
export async function poisonHeadCheck(env: ClientEnv, count: number, n0: number): Promise<Verdict> {
  const poison: ClientCase[] = [];
  for (let i = 0; i < count; i++) {
    const docs = await validClientDocs(n0 + i, 'fz-poisoner');
    docs.job.metadata = { nested: { value: i } };
    poison.push({ n: n0 + i, via: 'web', uid: 'fz-poisoner', categories: ['poison'], notes: [], docs });
  }
  // Written one after another so their createdAt order is the order here.
  for (const c of poison) await runClientCase({ ...env, decideTimeoutMs: 0 }, c);
  const victim: ClientCase = {
    n: n0 + count,
    via: 'web',
    uid: 'fz-victim',
    categories: ['valid (control)', `behind ${count} unreadable submissions`],
    notes: [`a valid submission after ${count} rules-valid, engine-unreadable ones (metadata values that are maps)`],
    docs: await validClientDocs(n0 + count, 'fz-victim'),
  };
  const verdict = await runClientCase(env, victim);
  return { ...verdict, path: 'web', categories: ['head-of-line: valid submission behind unreadable ones'] };
}
