import { MAX_ERROR_HISTORY, type JobError } from '@fq/worker/schema';
import { describe, expect, it } from 'vitest';
import { T0, audit, job } from '../../test/factories';
import { buildJobTimeline, submitterOf, type AuditEntry } from './timeline';

const failure = (over: Partial<JobError> = {}): JobError => ({
  at: T0 + 5_000,
  attempt: 1,
  errorClass: 'invalid' as const,
  code: 400,
  message: 'Request contains an invalid argument.',
  retryAfterMs: null,
  serverId: 'srv-a',
  model: 'gemini-2.5-flash',
  charge: 'attempt' as const,
  ...over,
});

const entry = (id: string, over: Parameters<typeof audit>[0]): AuditEntry => ({ id, ...audit(over) });

describe('buildJobTimeline', () => {
  it('a job that failed once, was redriven and succeeded: both attempts with server, outcome, upstream status and lease, the operator by e-mail with the reason', () => {
    // Through the schema: it keeps what the worker records per attempt.
    const doc = job({
      status: 'succeeded',
      userId: 'uid-7',
      userEmail: 'ann@example.com',
      source: 'server',
      admittedAt: T0 + 100,
      lastStartedAt: T0 + 20_000,
      completedAt: T0 + 23_000,
      payloadDeletedAt: T0 + 23_000,
      redriveCount: 1,
      errors: [failure({ startedAt: T0 + 4_000, leaseToken: 1, renewedAt: T0 + 4_500 })],
      result: { transcript: 'hi', model: 'gemini-2.5-flash', latencyMs: 23_000, upstreamMs: 2_500, tokens: 40, serverId: 'srv-b', startedAt: T0 + 20_000 },
    });
    const redrive = entry('a1', {
      at: T0 + 10_000,
      actor: { kind: 'admin', id: 'uid-op', email: 'op@example.com' },
      action: 'job.redrive',
      target: { kind: 'job', id: 'j1' },
      targetIds: ['j1'],
      reason: 'fixed the prompt',
    });
    const rows = buildJobTimeline('j1', doc, [redrive]);
    expect(rows.map((r) => [r.kind, r.title, r.who, r.outcome])).toEqual([
      ['submitted', 'Submitted (server)', 'ann@example.com', null],
      ['admitted', 'Admitted', null, null],
      ['attempt', 'Attempt 1', 'srv-a', 'failed: invalid (HTTP 400)'],
      ['operator', 'Redriven by an operator', 'op@example.com', null],
      ['attempt', 'Attempt 2', 'srv-b', 'succeeded'],
      ['payload', 'Audio deleted', null, null],
    ]);
    const [first, second] = rows.filter((r) => r.attempt).map((r) => r.attempt!);
    expect(first).toMatchObject({
      number: 1,
      startedAt: T0 + 4_000,
      endedAt: T0 + 5_000,
      errorClass: 'invalid',
      upstreamStatus: 400,
      lease: { token: 1, claimedAt: T0 + 4_000, renewedAt: T0 + 4_500 },
    });
    expect(rows[2]!.details).toEqual(['Request contains an invalid argument.', 'Lease #1, renewed']);
    expect(second).toMatchObject({ number: 2, startedAt: T0 + 20_000, endedAt: T0 + 23_000, serverId: 'srv-b', outcome: 'succeeded' });
    expect(rows[3]!.details).toEqual(['Reason: fixed the prompt']);
  });

  it('documents written before attempts recorded their start: a failed attempt sits at its end, the success at the last start, no server or lease', () => {
    const doc = job({
      status: 'succeeded',
      lastStartedAt: T0 + 9_000,
      completedAt: T0 + 9_500,
      errors: [failure({ at: T0 + 3_000, errorClass: 'overloaded', code: 503, charge: 'busy' })],
      result: { transcript: 'x', model: 'm', latencyMs: 1, upstreamMs: 1 },
    });
    const rows = buildJobTimeline('j1', doc, []);
    const attempts = rows.filter((r) => r.kind === 'attempt');
    expect(attempts.map((r) => [r.at, r.who, r.outcome, r.tone])).toEqual([
      [T0 + 3_000, 'srv-a', 'failed: overloaded (HTTP 503)', 'warn'],
      [T0 + 9_000, null, 'succeeded', 'ok'],
    ]);
    expect(attempts[0]!.attempt!.lease).toBeNull();
    expect(attempts[0]!.details).toContain('Not counted as an attempt: charged to the busy budget.');
    // No e-mail recorded: the uid.
    expect(rows[0]!.who).toBe('user-1');
  });

  it('a reclaimed lease, a running attempt with its live lease, and a dead letter at the end', () => {
    const lost = failure({ errorClass: 'lease_lost', code: null, message: 'lease of srv-a expired; reclaimed by srv-c', startedAt: T0 + 1_000, leaseToken: 1 });
    const running = job({
      status: 'running',
      attempts: 2,
      errors: [lost],
      lease: { owner: 'srv-b', token: 2, acquiredAt: T0 + 6_000, expiresAt: T0 + 36_000, heartbeatAt: T0 + 16_000 },
    });
    const rows = buildJobTimeline('j1', running, []).filter((r) => r.kind === 'attempt');
    expect(rows.map((r) => [r.title, r.who, r.outcome, r.tone])).toEqual([
      ['Attempt 1', 'srv-a', 'lease lost: reclaimed', 'warn'],
      ['Attempt 2', 'srv-b', 'running', 'info'],
    ]);
    expect(rows[1]!.attempt!.lease).toEqual({ token: 2, claimedAt: T0 + 6_000, renewedAt: T0 + 16_000, expiresAt: T0 + 36_000 });
    expect(rows[1]!.details).toEqual(['Lease #2, renewed']);

    const dead = job({ status: 'dead_lettered', attempts: 5, maxAttempts: 5, completedAt: T0 + 50_000, errors: [failure({ at: T0 + 50_000, errorClass: 'server', code: 500 })] });
    const end = buildJobTimeline('j1', dead, []).at(-1)!;
    expect(end).toMatchObject({ kind: 'ended', title: 'Moved to the dead letters', tone: 'error', details: ['5 of 5 attempts spent.'] });
  });

  it('a bulk action names the filter; entries for other jobs are ignored; attempts keep counting across redrives', () => {
    const doc = job({
      status: 'failed',
      completedAt: T0 + 30_000,
      errors: [failure({ at: T0 + 5_000, attempt: 1 }), failure({ at: T0 + 25_000, attempt: 1 })],
    });
    const bulk = entry('b1', { at: T0 + 10_000, action: 'job.redrive', target: { kind: 'job', id: 'status=failed' }, targetIds: ['x', 'j1', 'y'], actor: { kind: 'admin', id: 'uid-op', email: null } });
    const other = entry('o1', { at: T0 + 11_000, action: 'job.cancel', target: { kind: 'job', id: 'x' }, targetIds: ['x'] });
    const rows = buildJobTimeline('j1', doc, [other, bulk]);
    expect(rows.map((r) => r.title)).toEqual(['Submitted (client)', 'Attempt 1', 'Redriven by an operator', 'Attempt 2', 'Failed permanently']);
    const op = rows.find((r) => r.kind === 'operator')!;
    // No e-mail on the entry: the uid.
    expect(op).toMatchObject({ who: 'uid-op', details: ['One of 3 jobs matching status=failed.'] });
  });

  it("a cancel request shows who asked by e-mail, once: the audit entry's when there is one, else the request's", () => {
    const requested = job({ status: 'running', userEmail: 'ann@example.com', cancelRequest: { at: T0 + 2_000, by: 'user-1', reason: 'wrong file' } });
    const alone = buildJobTimeline('j1', requested, []).find((r) => r.kind === 'cancel_request');
    expect(alone).toMatchObject({ title: 'Cancel requested by the submitter', who: 'ann@example.com', details: ['Reason: wrong file'] });

    const byOperator = { ...requested, cancelRequest: { at: T0 + 2_000, by: 'uid-op', reason: null } };
    const audited = entry('c1', { at: T0 + 2_000, action: 'job.cancel', target: { kind: 'job', id: 'j1' }, targetIds: ['j1'], actor: { kind: 'admin', id: 'uid-op', email: 'op@example.com' } });
    const rows = buildJobTimeline('j1', byOperator, [audited]);
    expect(rows.filter((r) => r.kind === 'cancel_request')).toEqual([]);
    expect(rows.filter((r) => r.kind === 'operator').map((r) => r.who)).toEqual(['op@example.com']);
  });

  it('says when older failed attempts were dropped from the document', () => {
    const errors = Array.from({ length: MAX_ERROR_HISTORY }, (_, i) => failure({ at: T0 + 1_000 * (i + 1), errorClass: 'overloaded', code: 503, charge: 'busy' }));
    const rows = buildJobTimeline('j1', job({ status: 'waiting', availableAt: T0 + 99_000, errors }), []);
    expect(rows[0]).toMatchObject({ kind: 'truncated', title: `Only the latest ${MAX_ERROR_HISTORY} failed attempts are kept` });
    expect(rows.at(-1)).toMatchObject({ kind: 'scheduled', title: 'Next attempt due', at: T0 + 99_000 });
    expect(rows.filter((r) => r.kind === 'attempt')).toHaveLength(MAX_ERROR_HISTORY);
  });
});

describe('submitterOf', () => {
  it('shows the e-mail where recorded, else the uid', () => {
    expect(submitterOf({ userId: 'u1', userEmail: 'a@b.c' })).toBe('a@b.c');
    expect(submitterOf({ userId: 'u1', userEmail: null })).toBe('u1');
    expect(submitterOf({ userId: 'u1' })).toBe('u1');
  });
});
