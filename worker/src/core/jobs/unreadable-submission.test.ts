import { describe, expect, it } from 'vitest';
import { clientSubmissionSchema, MAX_AUDIO_CHUNKS } from '../../schema/job.js';
import { decodeDoc, encodeFields } from '../../schema/documents.js';
import { planUnreadableRejection, type FieldIssue } from './unreadable-submission.js';

const t0 = 1_700_000_000_000;
const args = { now: t0 + 5_000, retentionMs: 60_000 };

/** A stored browser submission (as the rules accept it), with `patch` applied. */
function stored(patch: Record<string, unknown>): Record<string, unknown> {
  const valid = clientSubmissionSchema.encode({
    status: 'submitted',
    priority: 'high',
    userId: 'alice',
    sessionId: 's-1',
    idempotencyKey: null,
    metadata: { file: 'talk.wav' },
    audio: { mimeType: 'audio/wav', bytes: 2_000_000, chunkCount: 3, durationSec: 60, sha256: 'a'.repeat(64) },
    source: 'client',
    createdAt: t0,
  });
  return { ...valid, ...patch };
}

function issuesOf(raw: Record<string, unknown>): FieldIssue[] {
  try {
    decodeDoc('jobs', raw);
  } catch (error) {
    return (error as { issues: { path: PropertyKey[]; message: string }[] }).issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  }
  throw new Error('expected an unreadable document');
}

function plan(raw: Record<string, unknown>) {
  const p = planUnreadableRejection(raw, issuesOf(raw), args);
  return { ...p, after: { ...raw, ...encodeFields('jobs', p.fields) } };
}

describe('planUnreadableRejection', () => {
  it('rejects with INVALID_JOB, resets the fields that failed and keeps the valid metadata entries', () => {
    const raw = stored({ metadata: { file: 'talk.wav', nested: { a: 1 }, list: [1], long: 'x'.repeat(2_000), n: 3 }, sessionId: 's'.repeat(200) });
    const p = plan(raw);
    expect(p.readable).toBe(true);
    expect(p.chunkCount).toBe(3);
    const job = decodeDoc('jobs', p.after);
    expect(job).toMatchObject({
      status: 'rejected',
      priority: 'high',
      userId: 'alice',
      sessionId: null,
      metadata: { file: 'talk.wav', n: 3 },
      audio: { chunkCount: 3, bytes: 2_000_000 },
      createdAt: t0,
      updatedAt: args.now,
      completedAt: args.now,
      payloadDeletedAt: args.now,
      expireAt: args.now + args.retentionMs,
      maxAttempts: 1,
      rejection: { code: 'INVALID_JOB', retryAfterMs: null, existingJobId: null },
    });
    expect(job.rejection!.message).toMatch(/^the submitted job does not match the job schema/);
    expect(job.rejection!.message).toMatch(/metadata\.nested: must be a string of at most 1,024 characters, a finite number, a boolean or null/);
    expect(job.rejection!.message).toMatch(/sessionId: must be at most 128 characters/);
    // Only the fields that failed and the rejection's own fields are written.
    expect(Object.keys(p.fields).sort()).toEqual(
      ['availableAt', 'completedAt', 'estimatedWaitMs', 'expireAt', 'lease', 'maxAttempts', 'metadata', 'payloadDeletedAt', 'position', 'positionAt', 'rejection', 'sessionId', 'status', 'updatedAt'].sort(),
    );
  });

  it('drops every metadata entry when the map itself is unusable', () => {
    expect(plan(stored({ metadata: ['a'] })).fields.metadata).toEqual({});
    expect(plan(stored({ metadata: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i])) })).fields.metadata).toEqual({});
  });

  it('leaves a required field it cannot repair as written: still rejected, not readable', () => {
    const p = plan(stored({ priority: 'URGENT', extra: 'kept' }));
    expect(p.readable).toBe(false);
    expect(p.fields).not.toHaveProperty('priority');
    expect(p.fields).toMatchObject({ status: 'rejected', rejection: { code: 'INVALID_JOB' } });
    expect(p.after).toMatchObject({ priority: 'URGENT', extra: 'kept', status: 'rejected' });
  });

  it('deletes every possible chunk id when the audio descriptor is unreadable', () => {
    expect(plan(stored({ audio: { bytes: 'many' } })).chunkCount).toBe(MAX_AUDIO_CHUNKS);
    expect(plan(stored({ audio: null })).chunkCount).toBe(MAX_AUDIO_CHUNKS);
  });

  it('keeps a valid maxAttempts and bounds the message to five issues', () => {
    const raw = stored({ maxAttempts: 4, sessionId: 1, idempotencyKey: 2, metadata: { a: {}, b: {}, c: {}, d: {}, e: {} } });
    const p = plan(raw);
    expect(p.fields).not.toHaveProperty('maxAttempts');
    expect(p.readable).toBe(true);
    expect(p.message).toMatch(/\(and 2 more\)$/);
    expect(p.message.length).toBeLessThan(1_500);
  });
});
