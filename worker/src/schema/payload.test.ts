import { describe, expect, it } from 'vitest';
import { admitSubmission } from '../core/jobs/transitions.js';
import { planSubmission, type SubmissionPlan } from '../core/submission.js';
import { commitRequestSize, documentStorageSize, SERVER_TIME, type WriteSpec } from '../testing/firestore-request-size.js';
import { makeWav } from '../testing/audio.js';
import { decodeDoc, encodeDoc } from './documents.js';
import { clientSubmissionSchema, MAX_ERROR_HISTORY } from './job.js';
import { collectionNames } from './names.js';
import { base64Length, FIRESTORE_LIMITS, PAYLOAD_LIMITS } from './payload.js';

const now = 1_700_000_000_000;

/** The longest names Firestore and our schemas allow. */
const PROJECT = 'p'.repeat(30);
const DATABASE = 'd'.repeat(63);
const PREFIX = 'x'.repeat(64);
const names = collectionNames(PREFIX);
const docName = (collection: string, id: string) => `projects/${PROJECT}/databases/${DATABASE}/documents/${collection}/${id}`;

/** Audio of exactly `bytes` bytes: a WAV header, then noise (compressed audio looks random). */
function audioOf(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let x = 0x9e3779b9;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  out.set(makeWav(0.01).subarray(0, 44));
  return out;
}

/** The largest submission the schema and the rules accept, field by field. */
async function largestSubmission(): Promise<SubmissionPlan> {
  // Control characters are the worst case for JSON: each one is escaped to 6 bytes (\u0001).
  const value = '\u0001'.repeat(1024);
  const metadata = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`${String(i).padStart(2, '0')}${'k'.repeat(62)}`, value]));
  return planSubmission(
    {
      audio: audioOf(PAYLOAD_LIMITS.maxAudioBytes),
      mimeType: 'audio/x-wav',
      userId: 'u'.repeat(128),
      priority: 'urgent',
      sessionId: 's'.repeat(128),
      idempotencyKey: 'i'.repeat(256),
      metadata,
      durationSec: 86_399.123456789,
    },
    { now, source: 'client', jobId: 'j'.repeat(128) },
  );
}

/** The browser's batch (useTranscriptionQueue): the submitted job and every chunk, times = commit time. */
function browserWrites(plan: SubmissionPlan): WriteSpec[] {
  return [
    {
      name: docName(names.jobs, plan.jobId),
      data: { ...clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }), createdAt: SERVER_TIME },
    },
    ...plan.chunks.map((c) => ({ name: docName(names.payloads, c.id), data: { ...encodeDoc('payloads', c.doc), createdAt: SERVER_TIME } })),
  ];
}

/** A server `enqueue`: the admitted job, the chunks, the user's rate-limit state and the idempotency key, one transaction. */
function serverWrites(plan: SubmissionPlan): WriteSpec[] {
  const job = admitSubmission({ ...plan.submission, source: 'server' }, { now, rank: now, maxAttempts: 50, tier: 't'.repeat(64), model: 'm'.repeat(128) });
  const rateLimit = decodeDoc('rateLimits', {
    userId: plan.submission.userId,
    tier: 't'.repeat(64),
    recent: Array.from({ length: 10_000 }, (_, i) => now - i * 0.123456789),
    limit: 9_000,
    burst: 1_000,
    windowMs: 60_000,
    count: 10_000,
    remaining: 0,
    resetAt: now,
    updatedAt: now,
  });
  const idempotency = { userId: plan.submission.userId, key: plan.submission.idempotencyKey!, jobId: plan.jobId, createdAt: now, expireAt: now };
  return [
    { name: docName(names.jobs, plan.jobId), data: encodeDoc('jobs', job) },
    ...plan.chunks.map((c) => ({ name: docName(names.payloads, c.id), data: encodeDoc('payloads', c.doc) })),
    { name: docName(names.rateLimits, plan.submission.userId), data: encodeDoc('rateLimits', rateLimit) },
    { name: docName(names.idempotency, 'h'.repeat(64)), data: encodeDoc('idempotency', idempotency) },
  ];
}

describe('the largest allowed submission fits one Firestore request', () => {
  it('as the browser sends it (proto3 JSON, audio as base64) and as a server sends it (gRPC)', async () => {
    const plan = await largestSubmission();
    expect(plan.submission.audio.bytes).toBe(PAYLOAD_LIMITS.maxAudioBytes);
    expect(plan.chunks).toHaveLength(10);

    const browser = commitRequestSize(browserWrites(plan));
    const audioBase64 = plan.chunks.reduce((s, c) => s + base64Length(c.doc.data.length), 0);
    expect(audioBase64).toBe(9_786_712); // the figure documented in payload.ts
    expect(browser.jsonBytes).toBeGreaterThan(audioBase64);
    // The documented margin: at least 480 KB left after the worst-case job document.
    expect(FIRESTORE_LIMITS.maxRequestBytes - browser.jsonBytes).toBeGreaterThan(480_000);

    const server = commitRequestSize(serverWrites(plan));
    expect(server.binaryBoundBytes).toBeLessThan(FIRESTORE_LIMITS.maxRequestBytes);
  });

  it('every document of it stays under the 1 MiB document limit', async () => {
    const plan = await largestSubmission();
    for (const w of [...browserWrites(plan), ...serverWrites(plan)]) {
      const path = w.name.split('/documents/')[1]!;
      expect(documentStorageSize(path, w.data), path).toBeLessThanOrEqual(FIRESTORE_LIMITS.maxDocumentBytes);
    }
  });

  it('the former 8 MiB limit did not fit: its base64 alone is over 10 MiB', () => {
    const chunks = Math.ceil((8 * 1024 * 1024) / PAYLOAD_LIMITS.chunkBytes);
    const base64 = Array.from({ length: chunks }, (_, i) => base64Length(Math.min(PAYLOAD_LIMITS.chunkBytes, 8 * 1024 * 1024 - i * PAYLOAD_LIMITS.chunkBytes)));
    expect(base64.reduce((a, b) => a + b, 0)).toBeGreaterThan(FIRESTORE_LIMITS.maxRequestBytes);
  });
});

describe('inline audio', () => {
  /** A dead letter as large as the engine makes one, holding inline audio of `inline` bytes (null: none). */
  function largestDeadLetter(inline: number | null) {
    const emoji = '\u{1F600}'; // 1 character, 2 UTF-16 units, 4 UTF-8 bytes
    const euro = '\u20AC'; // 1 unit, 3 UTF-8 bytes: the worst per unit for z.string().max()
    const metadata = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`${String(i).padStart(2, '0')}${'k'.repeat(62)}`, emoji.repeat(1024)]));
    const errors = Array.from({ length: MAX_ERROR_HISTORY }, (_, i) => ({
      at: now + i,
      attempt: i,
      errorClass: 'server' as const,
      code: 500,
      message: euro.repeat(2000),
      retryAfterMs: 60_000,
      serverId: 's'.repeat(128),
      model: 'm'.repeat(128),
      charge: 'attempt' as const,
    }));
    return decodeDoc('jobs', {
      status: 'dead_lettered',
      priority: 'urgent',
      userId: 'u'.repeat(128),
      sessionId: emoji.repeat(128),
      idempotencyKey: emoji.repeat(256),
      metadata,
      audio: { mimeType: 'audio/x-wav', bytes: inline ?? 1, chunkCount: 0, durationSec: 86_399.123456789, sha256: 'f'.repeat(64) },
      inlineAudio: inline === null ? null : audioOf(inline),
      model: 'm'.repeat(128),
      source: 'server',
      tier: 't'.repeat(64),
      createdAt: new Date(now),
      updatedAt: new Date(now),
      maxAttempts: 50,
      attempts: 50,
      errors,
      lastErrorClass: 'server',
      cancelRequest: { at: new Date(now), by: 'b'.repeat(128), reason: emoji.repeat(500) },
      servedBy: 'm'.repeat(128),
    });
  }

  it('the largest job that keeps its audio, with inline audio at the ceiling, stays under the 1 MiB document limit', () => {
    const path = `${names.jobs}/${'j'.repeat(128)}`;
    const withoutAudio = documentStorageSize(path, encodeDoc('jobs', largestDeadLetter(null)));
    // The figures documented in payload.ts: 297,645 bytes without audio, 559,788 with 256 KiB.
    expect(withoutAudio).toBeGreaterThan(250_000);
    expect(withoutAudio).toBeLessThan(350_000);
    const atCeiling = documentStorageSize(path, encodeDoc('jobs', largestDeadLetter(PAYLOAD_LIMITS.maxInlineBytes)));
    expect(atCeiling).toBeLessThan(FIRESTORE_LIMITS.maxDocumentBytes);
  });

  it('the job schema refuses inline audio above the ceiling or empty', () => {
    const job = encodeDoc('jobs', largestDeadLetter(PAYLOAD_LIMITS.maxInlineBytes));
    expect(() => decodeDoc('jobs', { ...job, inlineAudio: new Uint8Array(PAYLOAD_LIMITS.maxInlineBytes + 1) })).toThrow(/inline audio must be/);
    expect(() => decodeDoc('jobs', { ...job, inlineAudio: new Uint8Array(0) })).toThrow(/inline audio must be/);
    expect(decodeDoc('jobs', { ...job, inlineAudio: null }).inlineAudio).toBeNull();
  });
});
