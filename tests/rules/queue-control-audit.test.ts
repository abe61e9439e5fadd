/**
 * A queue control's audit entry must say what the control did. The fuzz (`npm run fuzz`,
 * control cases) found partial pauses the rules took recorded as resumes: the old check only
 * asked that a "resume" leave the queue not fully paused and a "pause" leave something
 * paused, which a pause or resume of some priorities satisfies either way.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { setLogLevel } from 'firebase/firestore';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ControlCommandInput } from '@fq/worker/core';
import { ADMIN_EMAIL, UID, startRulesEnv, type RulesEnv } from './support/env.js';
import { adminActor, auditWrite, runControl, type PlannedWrite } from './support/product-writes.js';

let env: RulesEnv;
const admin = adminActor(UID.admin, ADMIN_EMAIL);

beforeAll(async () => {
  env = await startRulesEnv('qaudit');
  setLogLevel('silent');
});

afterAll(async () => {
  await env?.stop();
});

const run = (input: ControlCommandInput, tamper?: (w: PlannedWrite[]) => void) => runControl(env.db('admin'), env.names, input, admin, tamper ? { tamper } : {});
const recordAs = (action: string, target?: string) => (w: PlannedWrite[]) => {
  const a = auditWrite(w).data!;
  a.action = action;
  if (target) a.target = { kind: 'queue', id: target };
};

describe('queue controls are audited as what they did', () => {
  // Each step runs on the state the previous ones left (one controls document).
  it('a pause of some priorities is not a resume, not even of another priority', async () => {
    await assertFails(run({ type: 'queue.pause', priorities: ['low'] }, recordAs('queue.resume')));
    await assertFails(run({ type: 'queue.pause', priorities: ['low'] }, recordAs('queue.resume', 'normal')));
    await assertSucceeds(run({ type: 'queue.pause', priorities: ['low', 'normal'] }));
  });

  it('a resume of some priorities is not a pause, not even of a priority still paused', async () => {
    await assertFails(run({ type: 'queue.resume', priorities: ['low'] }, recordAs('queue.pause')));
    await assertFails(run({ type: 'queue.resume', priorities: ['low'] }, recordAs('queue.pause', 'normal')));
    await assertSucceeds(run({ type: 'queue.resume', priorities: ['low'] }));
  });

  it('a whole-queue pause and resume are recorded as themselves', async () => {
    await assertFails(run({ type: 'queue.pause' }, recordAs('queue.resume', 'low')));
    await assertSucceeds(run({ type: 'queue.pause' }));
    await assertFails(run({ type: 'queue.resume', priorities: ['urgent'] }, recordAs('queue.pause', 'urgent')));
    await assertSucceeds(run({ type: 'queue.resume', priorities: ['urgent'] }));
    await assertFails(run({ type: 'queue.resume' }, recordAs('queue.pause', 'high')));
    await assertSucceeds(run({ type: 'queue.resume' }));
  });
});
