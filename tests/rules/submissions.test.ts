/**
 * End users create jobs only as the hook does: `planSubmission`'s `submitted` job and its
 * audio chunks in one batch. Every forged or malformed variant is refused and writes nothing.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { Bytes, deleteDoc, doc, getDoc, serverTimestamp, setDoc, type DocumentData } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedPriorities, PAYLOAD_LIMITS, PRIORITIES, PRIORITY_TIER, TIER_CLAIM } from '@fq/worker/schema';
import { makeWav } from '../../worker/src/testing/audio.js';
import { UID, startRulesEnv, type RulesEnv } from './support/env.js';
import { commitBatch, planUserSubmission, submissionWrites, type PlannedWrite } from './support/product-writes.js';

let env: RulesEnv;

beforeAll(async () => {
  env = await startRulesEnv('submit');
});

afterAll(async () => {
  await env?.stop();
});

const jobOf = (writes: PlannedWrite[]): DocumentData => writes.find((w) => w.collection === 'jobs')!.data!;
const audioOf = (writes: PlannedWrite[]): DocumentData => jobOf(writes).audio as DocumentData;
const chunksOf = (writes: PlannedWrite[]): PlannedWrite[] => writes.filter((w) => w.collection === 'payloads');
const firstChunk = (writes: PlannedWrite[]): DocumentData => chunksOf(writes)[0]!.data!;

async function exists(collection: 'jobs' | 'payloads', id: string): Promise<boolean> {
  return env.asOwner(async (db) => (await getDoc(doc(db, env.names[collection], id))).exists());
}

describe('submissions as the end-user hook writes them', () => {
  it('a one-chunk job with its audio is accepted', async () => {
    const plan = await planUserSubmission(UID.alice);
    expect(plan.chunks).toHaveLength(1);
    await assertSucceeds(commitBatch(env.db('alice'), env.names, submissionWrites(plan)));
    expect(await exists('jobs', plan.jobId)).toBe(true);
    // Users never read audio back; workers do, with the Admin SDK.
    await assertFails(getDoc(doc(env.db('alice'), env.names.payloads, plan.chunks[0]!.id)));
    await assertSucceeds(getDoc(doc(env.db('alice'), env.names.jobs, plan.jobId)));
  });

  it('a job split into several chunks is accepted (the last chunk holds the rest)', async () => {
    const plan = await planUserSubmission(UID.alice, { audio: makeWav(40), priority: 'low', metadata: {} });
    expect(plan.chunks.length).toBe(2);
    await assertSucceeds(commitBatch(env.db('alice'), env.names, submissionWrites(plan)));
  });

  it('metadata of every allowed value type is accepted, up to 32 values of 1,024 characters', async () => {
    const plan = await planUserSubmission(UID.alice, { metadata: { s: 'text', n: 2.5, i: -3, b: false, z: null } });
    await assertSucceeds(commitBatch(env.db('alice'), env.names, submissionWrites(plan)));
    const widest = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`key_${i}`, 'é'.repeat(1_024)]));
    const wide = await planUserSubmission(UID.alice, { metadata: widest });
    await assertSucceeds(commitBatch(env.db('alice'), env.names, submissionWrites(wide)));
  });

  it('optional fields set (session, idempotency key, duration) are accepted', async () => {
    const plan = await planUserSubmission(UID.alice, { sessionId: 's-1', idempotencyKey: 'k-1', durationSec: 12.5, priority: 'urgent' });
    await assertSucceeds(commitBatch(env.db('alice'), env.names, submissionWrites(plan)));
  });

  it('high and urgent need the priority tier (a custom claim); normal and low are for everyone', async () => {
    for (const priority of ['high', 'urgent'] as const) {
      const plan = await planUserSubmission(UID.bob, { priority });
      await assertFails(commitBatch(env.db('bob'), env.names, submissionWrites(plan)));
      expect(await exists('jobs', plan.jobId)).toBe(false);
      const alice = await planUserSubmission(UID.alice, { priority });
      await assertSucceeds(commitBatch(env.db('alice'), env.names, submissionWrites(alice)));
    }
    for (const priority of ['normal', 'low'] as const) {
      await assertSucceeds(commitBatch(env.db('bob'), env.names, submissionWrites(await planUserSubmission(UID.bob, { priority }))));
    }
    // The claim's value matters, not its presence; the policy is the schema's allowedPriorities().
    expect(allowedPriorities({ [TIER_CLAIM]: PRIORITY_TIER })).toEqual(PRIORITIES);
    expect(allowedPriorities({})).toEqual(['normal', 'low']);
    const gold = env.dbAs(UID.bob, { email: 'bob@example.com', [TIER_CLAIM]: 'gold' });
    await assertFails(commitBatch(gold, env.names, submissionWrites(await planUserSubmission(UID.bob, { priority: 'urgent' }))));
  });

  it('every chunk must be in the batch, not just the first and the last', async () => {
    const plan = await planUserSubmission(UID.alice, { audio: makeWav(120), metadata: {} });
    expect(plan.chunks.length).toBeGreaterThanOrEqual(4);
    const writes = submissionWrites(plan);
    const middle = writes.findIndex((w) => w.id === plan.chunks[2]!.id);
    writes.splice(middle, 1);
    await assertFails(commitBatch(env.db('alice'), env.names, writes));
    expect(await exists('jobs', plan.jobId)).toBe(false);
    await assertSucceeds(commitBatch(env.db('alice'), env.names, submissionWrites(plan)));
  });

  it('signed-out users and other users cannot submit', async () => {
    const plan = await planUserSubmission(UID.alice);
    await assertFails(commitBatch(env.db('anonymous'), env.names, submissionWrites(plan)));
    await assertFails(commitBatch(env.db('bob'), env.names, submissionWrites(plan)));
    expect(await exists('jobs', plan.jobId)).toBe(false);
  });
});

const FORGERIES: Array<[string, (writes: PlannedWrite[]) => void]> = [
  ['status queued (skipping admission)', (w) => void (jobOf(w).status = 'queued')],
  ['source server', (w) => void (jobOf(w).source = 'server')],
  ['an unknown priority', (w) => void (jobOf(w).priority = 'critical')],
  ["someone else's userId", (w) => void (jobOf(w).userId = UID.bob)],
  ['an engine-owned rank', (w) => void (jobOf(w).rank = 0)],
  ['a lease', (w) => void (jobOf(w).lease = { owner: 'me', token: 1 })],
  ['a fencing token', (w) => void (jobOf(w).fence = 9)],
  ['a result', (w) => void (jobOf(w).result = { transcript: 'free work' })],
  ['maxAttempts', (w) => void (jobOf(w).maxAttempts = 1_000)],
  ['a model of its own choosing', (w) => void (jobOf(w).model = 'gemini-ultra')],
  ['an unknown field', (w) => void (jobOf(w).admin = true)],
  ['a missing field', (w) => void delete jobOf(w).sessionId],
  ['createdAt from the client clock', (w) => void (jobOf(w).createdAt = new Date())],
  ['more than 7 MiB of audio', (w) => void Object.assign(audioOf(w), { bytes: PAYLOAD_LIMITS.maxAudioBytes + 1, chunkCount: 10 })],
  ['a chunk count that does not fit the size', (w) => void (audioOf(w).chunkCount = 2)],
  ['a non-audio mime type', (w) => void (audioOf(w).mimeType = 'video/mp4')],
  ['a sha256 that is not 64 lowercase hex digits', (w) => void (audioOf(w).sha256 = 'AB'.repeat(32))],
  ['a negative duration', (w) => void (audioOf(w).durationSec = -1)],
  ['an extra audio field', (w) => void (audioOf(w).url = 'gs://bucket/a.wav')],
  ['a metadata key with spaces', (w) => void (jobOf(w).metadata = { 'bad key': 1 })],
  ['a metadata key with a comma (two valid keys once joined with commas)', (w) => void (jobOf(w).metadata = { 'a,b': 1 })],
  ['a 65-character metadata key made of two valid halves', (w) => void (jobOf(w).metadata = { [`${'k'.repeat(32)},${'k'.repeat(32)}`]: 1 })],
  ['a 65-character metadata key', (w) => void (jobOf(w).metadata = { ['k'.repeat(65)]: 1 })],
  ['a NaN metadata value', (w) => void (jobOf(w).metadata = { n: Number.NaN })],
  ['an infinite metadata value', (w) => void (jobOf(w).metadata = { n: Number.POSITIVE_INFINITY })],
  ['33 metadata keys', (w) => void (jobOf(w).metadata = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])))],
  ['metadata that is not a map', (w) => void (jobOf(w).metadata = 'x')],
  ['a metadata value that is a map', (w) => void (jobOf(w).metadata = { lesson: 'l-1', nested: { a: 1 } })],
  ['a metadata value that is a list', (w) => void (jobOf(w).metadata = { tags: ['a', 'b'] })],
  ['a metadata value that is a timestamp', (w) => void (jobOf(w).metadata = { at: new Date() })],
  ['a 1,025-character metadata value', (w) => void (jobOf(w).metadata = { note: 'x'.repeat(1_025) })],
  [
    'a bad value in the last of 32 metadata positions',
    (w) => void (jobOf(w).metadata = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${String(i).padStart(2, '0')}`, i === 31 ? { x: 1 } : i]))),
  ],
  ['a 129-character session id', (w) => void (jobOf(w).sessionId = 's'.repeat(129))],
  ['an empty idempotency key', (w) => void (jobOf(w).idempotencyKey = '')],
  ['a job without its audio', (w) => void w.splice(1)],
  // Only servers carry small audio inline in the job (`inlineAudio`); a browser always writes chunks.
  ['inline audio in the job instead of chunks', (w) => {
    Object.assign(jobOf(w), { inlineAudio: Bytes.fromUint8Array(new Uint8Array(audioOf(w).bytes as number)) });
    audioOf(w).chunkCount = 0;
    w.splice(1);
  }],
  ['inline audio in the job besides its chunks', (w) => void (jobOf(w).inlineAudio = Bytes.fromUint8Array(new Uint8Array(10)))],
  ['audio without its job', (w) => void w.splice(0, 1)],
  ["a chunk in someone else's name", (w) => void (firstChunk(w).userId = UID.bob)],
  ['a chunk shorter than declared', (w) => void (firstChunk(w).data = Bytes.fromUint8Array(new Uint8Array(10)))],
  ['a chunk whose data is not bytes', (w) => void (firstChunk(w).data = 'AAAA')],
  ['a chunk index past the count', (w) => void (firstChunk(w).index = 1)],
  ['a chunk of another job', (w) => void (firstChunk(w).jobId = 'other-job')],
  ['a chunk under a different id', (w) => void (chunksOf(w)[0]!.id = `${chunksOf(w)[0]!.id}x`)],
  ['a chunk with a client createdAt', (w) => void (firstChunk(w).createdAt = new Date())],
  ['a chunk with an extra field', (w) => void (firstChunk(w).note = 'x')],
];

describe('forged or malformed submissions are refused and write nothing', () => {
  for (const [what, forge] of FORGERIES) {
    it(what, async () => {
      const plan = await planUserSubmission(UID.alice);
      const writes = submissionWrites(plan);
      forge(writes);
      await assertFails(commitBatch(env.db('alice'), env.names, writes));
      expect(await exists('jobs', plan.jobId)).toBe(false);
    });
  }
});

describe('the audio size bound is the engine limit (PAYLOAD_LIMITS.maxAudioBytes)', () => {
  // 44-byte header + 3,669,994 samples of 2 bytes = exactly the limit, in 10 chunks.
  const largest = () => planUserSubmission(UID.alice, { audio: makeWav(3_669_994 / 16_000), metadata: {} });

  it('a complete submission of exactly the limit is accepted, with the widest metadata too', async () => {
    const plan = await largest();
    const widest = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`key_${i}`, 'x'.repeat(1_024)]));
    const wide = await planUserSubmission(UID.alice, { audio: makeWav(3_669_994 / 16_000), metadata: widest });
    expect(wide.chunks).toHaveLength(10);
    await assertSucceeds(commitBatch(env.db('alice'), env.names, submissionWrites(wide)));
    expect(plan.submission.audio.bytes).toBe(PAYLOAD_LIMITS.maxAudioBytes);
    expect(plan.chunks).toHaveLength(10);
    await assertSucceeds(commitBatch(env.db('alice'), env.names, submissionWrites(plan)));
  });

  it('one byte more, with every chunk consistent with it, is refused', async () => {
    const plan = await largest();
    const writes = submissionWrites(plan);
    const last = chunksOf(writes).at(-1)!.data!;
    const bytes = (last.data as Bytes).toUint8Array();
    last.data = Bytes.fromUint8Array(new Uint8Array([...bytes, 0]));
    audioOf(writes).bytes = PAYLOAD_LIMITS.maxAudioBytes + 1;
    await assertFails(commitBatch(env.db('alice'), env.names, writes));
    expect(await exists('jobs', plan.jobId)).toBe(false);
  });
});

describe('after the batch', () => {
  it('audio cannot be added, replaced or deleted later, and the job cannot be deleted or rewritten', async () => {
    const plan = await planUserSubmission(UID.alice);
    const writes = submissionWrites(plan);
    await assertSucceeds(commitBatch(env.db('alice'), env.names, writes));
    const alice = env.db('alice');
    const chunkRef = doc(alice, env.names.payloads, plan.chunks[0]!.id);
    // A second batch: the job was not created by this request, so no chunk belongs to it.
    await assertFails(setDoc(doc(alice, env.names.payloads, `${plan.jobId}_0001`), { ...firstChunk(writes), index: 1, count: 2, createdAt: serverTimestamp() }));
    await assertFails(setDoc(chunkRef, firstChunk(writes)));
    await assertFails(deleteDoc(chunkRef));
    await assertFails(deleteDoc(doc(alice, env.names.jobs, plan.jobId)));
    await assertFails(setDoc(doc(alice, env.names.jobs, plan.jobId), jobOf(writes)));
  });

  it('the same shape in a collection that is not a Firequeue collection is refused', async () => {
    const plan = await planUserSubmission(UID.alice);
    const names = { ...env.names, jobs: 'jobs', payloads: 'payloads' };
    await assertFails(commitBatch(env.db('alice'), names, submissionWrites(plan)));
  });
});
