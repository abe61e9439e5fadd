import { describe, expect, it } from 'vitest';
import { bulkControlDocSchema } from '../../schema/bulk.js';
import { QueryTooComplexError, UnregisteredQueryError } from '../../schema/queries.js';
import { classifyBulkError, decideBulkPageFailure, planUnreadableBulk } from './bulk-failure.js';

/** An error the way firebase-admin reports a gRPC status. */
const grpc = (code: number, text: string) => Object.assign(new Error(`${code} ${text}`), { code });

describe('bulk failure: which page query errors a carrier gives up on', () => {
  it('a missing index, a malformed query or an out-of-range value is permanent, by number, by name or as the memory store says it', () => {
    expect(classifyBulkError(grpc(9, 'FAILED_PRECONDITION: The query requires an index.'))).toEqual({ permanent: true, code: 'FAILED_PRECONDITION' });
    expect(classifyBulkError(grpc(3, 'INVALID_ARGUMENT: bad filter'))).toEqual({ permanent: true, code: 'INVALID_ARGUMENT' });
    expect(classifyBulkError(grpc(11, 'OUT_OF_RANGE'))).toEqual({ permanent: true, code: 'OUT_OF_RANGE' });
    expect(classifyBulkError(grpc(12, 'UNIMPLEMENTED'))).toEqual({ permanent: true, code: 'UNIMPLEMENTED' });
    expect(classifyBulkError(Object.assign(new Error('web'), { code: 'failed-precondition' }))).toEqual({ permanent: true, code: 'FAILED_PRECONDITION' });
    expect(classifyBulkError(new UnregisteredQueryError('jobs', 'x'))).toEqual({ permanent: true, code: 'FAILED_PRECONDITION' });
    expect(classifyBulkError(new QueryTooComplexError('jobs', 40))).toEqual({ permanent: true, code: 'INVALID_ARGUMENT' });
  });

  it("the store's passing trouble, one server's credentials and errors it does not know are not", () => {
    for (const code of [1, 2, 4, 7, 8, 10, 13, 14, 16]) expect(classifyBulkError(grpc(code, 'x')), `code ${code}`).toEqual({ permanent: false });
    expect(classifyBulkError(Object.assign(new Error('web'), { code: 'unavailable' }))).toEqual({ permanent: false });
    expect(classifyBulkError(new Error('socket hang up'))).toEqual({ permanent: false });
    expect(classifyBulkError(new TypeError('x is undefined'))).toEqual({ permanent: false });
    expect(classifyBulkError('a string')).toEqual({ permanent: false });
    expect(classifyBulkError(null)).toEqual({ permanent: false });
  });

  it('retries every failure with the backoff of a step; after the last attempt it gives up on a permanent one and hands back a passing one', () => {
    const index = grpc(9, 'FAILED_PRECONDITION: The query requires an index. You can create it here: https://console.firebase.google.com/...');
    expect(decideBulkPageFailure(index, 1, 3)).toEqual({ kind: 'retry', afterMs: 200 });
    expect(decideBulkPageFailure(index, 2, 3)).toEqual({ kind: 'retry', afterMs: 400 });
    const given = decideBulkPageFailure(index, 3, 3);
    expect(given).toEqual({ kind: 'give-up', lastError: expect.stringContaining('The store refused the query for the next page (FAILED_PRECONDITION) 3 times: 9 FAILED_PRECONDITION: The query requires an index') });
    const unavailable = grpc(14, 'UNAVAILABLE: connection reset');
    expect(decideBulkPageFailure(unavailable, 1, 3)).toEqual({ kind: 'retry', afterMs: 200 });
    expect(decideBulkPageFailure(unavailable, 3, 3)).toEqual({ kind: 'hand-back' });
    expect(decideBulkPageFailure(index, 1, 1)).toEqual({ kind: 'give-up', lastError: expect.stringContaining('(FAILED_PRECONDITION) once:') });
  });

  it('keeps the reason within what the document holds', () => {
    const decision = decideBulkPageFailure(grpc(3, `INVALID_ARGUMENT: ${'x'.repeat(5_000)}`), 3, 3);
    expect(decision.kind === 'give-up' && decision.lastError.length).toBe(1_000);
  });
});

describe('bulk failure: a running control nobody can read', () => {
  const raw = {
    state: 'running',
    filter: { status: 'exploded' },
    progress: { matched: 32, done: 30, skipped: 2, failed: 0, skippedByReason: { PAYLOAD_GONE: 2 }, steps: 2, lastError: null },
    carrier: null,
    carrierExpiresAt: null,
  };
  const issues = [{ path: 'filter.status', message: 'Invalid option: expected one of "submitted"|"queued"' }];

  it('ends failed with why, its progress kept, and no lease left on it', () => {
    const fields = planUnreadableBulk(raw, issues, { now: 50_000, serverId: 'w1' });
    expect(fields).toMatchObject({ state: 'failed', stopRequested: false, carrier: null, carrierExpiresAt: null, finishedAt: 50_000, updatedAt: 50_000 });
    expect(fields!.progress).toMatchObject({ matched: 32, done: 30, skipped: 2, skippedByReason: { PAYLOAD_GONE: 2 }, steps: 2 });
    expect(fields!.progress!.lastError).toBe(
      'Server w1 cannot read this bulk control (filter.status: Invalid option: expected one of "submitted"|"queued"), so no server can carry it: fix the document (or run a version that reads it) and Resume.',
    );
    // What it writes is what the schema takes for those fields.
    expect(() => bulkControlDocSchema.pick({ progress: true, state: true }).parse(fields)).not.toThrow();
    // Progress itself unreadable: counted from nothing rather than kept broken.
    expect(planUnreadableBulk({ ...raw, progress: 'garbage' }, issues, { now: 50_000, serverId: 'w1' })!.progress).toMatchObject({ matched: 0, done: 0 });
  });

  it("leaves one that is not running, and one another server's lease still covers; takes one whose lease ran out or is its own", () => {
    expect(planUnreadableBulk({ ...raw, state: 'stopped' }, issues, { now: 50_000, serverId: 'w1' })).toBeNull();
    expect(planUnreadableBulk({ ...raw, carrier: 'w2', carrierExpiresAt: 60_000 }, issues, { now: 50_000, serverId: 'w1' })).toBeNull();
    // A Firestore Timestamp as the SDK returns it.
    expect(planUnreadableBulk({ ...raw, carrier: 'w2', carrierExpiresAt: { toMillis: () => 60_000 } }, issues, { now: 50_000, serverId: 'w1' })).toBeNull();
    expect(planUnreadableBulk({ ...raw, carrier: 'w2', carrierExpiresAt: 40_000 }, issues, { now: 50_000, serverId: 'w1' })).toMatchObject({ state: 'failed' });
    expect(planUnreadableBulk({ ...raw, carrier: 'w1', carrierExpiresAt: 60_000 }, issues, { now: 50_000, serverId: 'w1' })).toMatchObject({ state: 'failed' });
  });
});
