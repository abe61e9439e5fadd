/**
 * `durationCheck` (how admission measured a job's audio) is the engine's record: a browser's
 * submission cannot carry one, and an operator control keeps it exactly as admission wrote
 * it (the control rewrites the whole job document).
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { setLogLevel, type DocumentData } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, UID, startRulesEnv, type RulesEnv } from './support/env.js';
import { chunk, job, seed } from './support/fixtures.js';
import { adminActor, commitBatch, planUserSubmission, runControl, submissionWrites, type PlannedWrite } from './support/product-writes.js';

let env: RulesEnv;
const admin = adminActor(UID.admin, ADMIN_EMAIL);
const CHECK = { declaredSec: 100, measuredSec: 2, method: 'parsed' as const, corrected: true, note: null };

beforeAll(async () => {
  env = await startRulesEnv('duration');
  setLogLevel('silent');
  const measured = (id: string) => [
    { collection: 'jobs' as const, id, data: job(UID.alice, 'waiting', { durationCheck: CHECK }) },
    { collection: 'payloads' as const, id: `${id}_0000`, data: chunk(id, UID.alice) },
  ];
  await seed(env, [...measured('kept'), ...measured('forged'), ...measured('dropped')]);
});

afterAll(async () => {
  await env?.stop();
});

const jobWrite = (writes: PlannedWrite[]) => writes.find((w) => w.collection === 'jobs')!.data!;

describe('durationCheck is written by the engine only', () => {
  it('an operator retry keeps it as admission wrote it', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.retry', jobIds: ['kept'] }, admin));
  });

  it('an operator control that changes it, or drops it, is refused', async () => {
    await assertFails(
      runControl(env.db('admin'), env.names, { type: 'job.retry', jobIds: ['forged'] }, admin, {
        tamper: (writes) => void Object.assign(jobWrite(writes), { durationCheck: { ...CHECK, corrected: false, measuredSec: 100 } }),
      }),
    );
    await assertFails(
      runControl(env.db('admin'), env.names, { type: 'job.retry', jobIds: ['dropped'] }, admin, {
        tamper: (writes) => void delete (jobWrite(writes) as DocumentData).durationCheck,
      }),
    );
  });

  it('a browser submission that brings its own is refused', async () => {
    const writes = submissionWrites(await planUserSubmission(UID.alice, { priority: 'normal' }));
    Object.assign(jobWrite(writes), { durationCheck: { ...CHECK, corrected: false } });
    await assertFails(commitBatch(env.db('alice'), env.names, writes));
    // The same submission without it passes: the refusal is the field's.
    delete (jobWrite(writes) as DocumentData).durationCheck;
    await expect(commitBatch(env.db('alice'), env.names, writes)).resolves.toBeUndefined();
  });
});
