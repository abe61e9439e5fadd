import { PAYLOAD_LIMITS, payloadChunkId, sha256Hex } from '@fq/worker';
import { makeTestWav } from '@fq/fake-gemini';
import { declaredFor } from './duration-oracle.js';
import { hugeString, int, PATH_LIKE, pick, UNICODE_EDGE, type Random } from './values.js';

/**
 * Browser-path fuzz cases: the documents a client would write for one submission (the
 * `submitted` job and its audio chunks, one batch), with hostile mutations. `web` cases go
 * through the web SDK signed in as the user, under the project's security rules; `admin`
 * cases are written with the admin SDK (rules bypassed), as a buggy backend would, and the
 * engine alone must refuse them.
 */
export const SERVER_TIME = '__bench_server_time__';

export interface ClientDocs {
  jobId: string;
  job: Record<string, unknown>;
  chunks: { id: string; doc: Record<string, unknown> }[];
}

export interface ClientCase {
  n: number;
  via: 'web' | 'admin';
  uid: string;
  categories: string[];
  notes: string[];
  docs: ClientDocs;
  /** The rules must refuse it (a tenant or tier case); otherwise any typed answer will do. */
  expect?: 'denied';
  /** The audio's true length when the case knows it (its own WAV, untouched), else null. */
  trueDurationSec?: number | null;
}

/** Length of the WAV every browser case starts from (what validClientDocs declares). */
export const CLIENT_AUDIO_SEC = 0.2;

export async function validClientDocs(n: number, uid: string, durationSec = CLIENT_AUDIO_SEC): Promise<ClientDocs> {
  const audio = makeTestWav({ durationSec, toneHz: 300 + (n % 1000) });
  const jobId = `fzc-${n}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  const chunkCount = Math.ceil(audio.length / PAYLOAD_LIMITS.chunkBytes);
  return {
    jobId,
    job: {
      status: 'submitted',
      priority: 'normal',
      userId: uid,
      sessionId: null,
      idempotencyKey: null,
      metadata: {},
      audio: { mimeType: 'audio/wav', bytes: audio.length, chunkCount, durationSec, sha256: await sha256Hex(audio) },
      source: 'client',
      createdAt: SERVER_TIME,
    },
    chunks: Array.from({ length: chunkCount }, (_, index) => ({
      id: payloadChunkId(jobId, index),
      doc: {
        jobId,
        userId: uid,
        index,
        count: chunkCount,
        data: audio.slice(index * PAYLOAD_LIMITS.chunkBytes, (index + 1) * PAYLOAD_LIMITS.chunkBytes),
        createdAt: SERVER_TIME,
      },
    })),
  };
}

type ClientMutation = {
  category: string;
  /** Only meaningful through the web SDK (rules): an admin write of it is not a submission. */
  webOnly?: boolean;
  /** Changes the audio descriptor: not after another mutation of the case removed it. */
  needsAudio?: boolean;
  apply(d: ClientDocs, r: Random, uid: string): Promise<string> | string;
};

const audioOf = (d: ClientDocs) => d.job.audio as Record<string, unknown>;

async function replaceAudio(d: ClientDocs, bytes: Uint8Array, honestHash: boolean): Promise<void> {
  const a = audioOf(d);
  a.bytes = bytes.length;
  a.chunkCount = Math.ceil(bytes.length / PAYLOAD_LIMITS.chunkBytes);
  if (honestHash) a.sha256 = await sha256Hex(bytes);
  // An earlier mutation of this case may have removed every chunk: keep it that way.
  const template = d.chunks[0]?.doc;
  if (!template) return;
  d.chunks = Array.from({ length: a.chunkCount as number }, (_, index) => ({
    id: payloadChunkId(d.jobId, index),
    doc: { ...template, index, count: a.chunkCount, data: bytes.slice(index * PAYLOAD_LIMITS.chunkBytes, (index + 1) * PAYLOAD_LIMITS.chunkBytes) },
  }));
}

const MUTATIONS: readonly ClientMutation[] = [
  { category: 'status other than submitted', webOnly: true, apply: (d, r) => `status = ${(d.job.status = pick(r, ['queued', 'running', 'succeeded', 'rejected']))}` },
  { category: 'source other than client', apply: (d) => `source = ${(d.job.source = 'server')}` },
  { category: 'job for another user', webOnly: true, apply: (d) => `userId = ${(d.job.userId = 'someone-else')}` },
  { category: 'bad priority', apply: (d, r) => `priority = ${(d.job.priority = pick(r, ['URGENT', 'critical', '', 3]))}` },
  {
    category: 'extra engine fields',
    apply: (d, r) => {
      const extra = pick(r, [{ rank: 0 }, { result: { transcript: 'x' } }, { lease: null }, { maxAttempts: 50 }, { tier: 'enterprise' }]);
      Object.assign(d.job, extra);
      return `extra ${Object.keys(extra)[0]}`;
    },
  },
  {
    category: 'missing field',
    apply: (d, r) => {
      const field = pick(r, ['priority', 'metadata', 'audio', 'sessionId', 'createdAt']);
      delete d.job[field];
      return `no ${field}`;
    },
  },
  {
    category: 'bad audio descriptor',
    needsAudio: true,
    apply: (d, r) => {
      const a = audioOf(d);
      const kind = pick(r, ['bytes as string', 'negative bytes', 'bytes over the limit', 'wrong chunk count', 'sha256 not hex', 'bad mime type', 'NaN duration', 'Infinity duration', 'extra key']);
      if (kind === 'bytes as string') a.bytes = String(a.bytes);
      else if (kind === 'negative bytes') a.bytes = -1;
      else if (kind === 'bytes over the limit') a.bytes = PAYLOAD_LIMITS.maxAudioBytes + 1;
      else if (kind === 'wrong chunk count') a.chunkCount = (a.chunkCount as number) + 1;
      else if (kind === 'sha256 not hex') a.sha256 = 'z'.repeat(64);
      else if (kind === 'bad mime type') a.mimeType = pick(r, ['text/html', 'audio/x-evil', '']);
      else if (kind === 'NaN duration') a.durationSec = Number.NaN;
      else if (kind === 'Infinity duration') a.durationSec = Number.POSITIVE_INFINITY;
      else a.codec = 'evil';
      return kind;
    },
  },
  { category: 'client clock instead of server time', webOnly: true, apply: (d) => ((d.job.createdAt = new Date(Date.now() - 3_600_000)), 'createdAt an hour ago') },
  {
    category: 'bad metadata',
    apply: (d, r) => {
      const kind = pick(r, ['nested object', 'array value', '33 keys', 'bad key', 'NaN value', 'huge value']);
      d.job.metadata =
        kind === 'nested object'
          ? { a: { b: { c: 1 } } }
          : kind === 'array value'
            ? { list: [1, 2] }
            : kind === '33 keys'
              ? Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i]))
              : kind === 'bad key'
                ? { 'a b': 1 }
                : kind === 'NaN value'
                  ? { score: Number.NaN }
                  : { note: hugeString(r, int(r, 1_025, 200_000)) };
      return `metadata: ${kind}`;
    },
  },
  { category: 'huge session id', apply: (d, r) => `sessionId of ${((d.job.sessionId = hugeString(r, int(r, 129, 100_000))) as string).length}` },
  { category: 'unicode session id', apply: (d, r) => `sessionId = ${JSON.stringify((d.job.sessionId = `s${pick(r, UNICODE_EDGE)}`))}` },
  {
    category: 'path-like job id',
    apply: (d, r) => {
      const id = pick(r, PATH_LIKE);
      d.jobId = id;
      d.chunks.forEach((c, i) => {
        c.id = payloadChunkId(id, i);
        c.doc.jobId = id;
      });
      return `jobId = ${JSON.stringify(id.length > 40 ? `${id.slice(0, 10)}...(${id.length})` : id)}`;
    },
  },
  {
    category: 'chunk does not fit the job',
    apply: (d, r) => {
      const c = d.chunks[0]!;
      const kind = pick(r, ['short data', 'index out of range', 'chunk of another job', 'missing chunk', 'other user']);
      if (kind === 'short data') c.doc.data = (c.doc.data as Uint8Array).slice(1);
      else if (kind === 'index out of range') c.doc.index = 5;
      else if (kind === 'chunk of another job') c.doc.jobId = 'another-job';
      else if (kind === 'missing chunk') d.chunks = [];
      else c.doc.userId = 'someone-else';
      return kind;
    },
  },
  {
    category: 'garbage audio, honest hash',
    needsAudio: true,
    apply: async (d, r) => {
      await replaceAudio(d, Uint8Array.from({ length: int(r, 12, 5_000) }, () => int(r, 0, 255)), true);
      return 'random bytes declared as audio/wav, sha256 matching';
    },
  },
  {
    category: 'truncated audio, honest hash',
    needsAudio: true,
    apply: async (d, r) => {
      await replaceAudio(d, makeTestWav({ durationSec: 0.2 }).slice(0, int(r, 1, 43)), true);
      return 'a WAV cut inside its header';
    },
  },
  {
    category: 'declared duration far from the audio',
    needsAudio: true,
    apply: (d, r) => {
      // Within what the rules allow (0 .. 24 h): the engine, not the rules, must not believe it.
      const value = declaredFor(CLIENT_AUDIO_SEC, r());
      audioOf(d).durationSec = value;
      return `durationSec = ${value} for ${CLIENT_AUDIO_SEC} s of audio`;
    },
  },
  {
    category: 'hash does not match the audio',
    needsAudio: true,
    apply: (d) => {
      audioOf(d).sha256 = '0'.repeat(64);
      return 'sha256 of other bytes';
    },
  },
];

const REPLACES_AUDIO = new Set(['garbage audio, honest hash', 'truncated audio, honest hash']);

export async function clientCase(n: number, random: Random, via: 'web' | 'admin'): Promise<ClientCase> {
  const uid = `fz-u${n % 5}`;
  const docs = await validClientDocs(n, uid);
  const c: ClientCase = { n, via, uid, categories: [], notes: [], docs };
  // One in ten stays valid: the control group must be admitted and succeed.
  const count = random() < 0.1 ? 0 : int(random, 1, 2);
  for (let i = 0; i < count; i++) {
    const hasAudio = typeof c.docs.job.audio === 'object' && c.docs.job.audio !== null;
    const m = pick(random, MUTATIONS.filter((x) => (via === 'web' || !x.webOnly) && (hasAudio || !x.needsAudio)));
    c.categories.push(m.category);
    c.notes.push(await m.apply(c.docs, random, uid));
  }
  if (count === 0) c.categories.push('valid (control)');
  // Replaced audio (garbage, truncated) has no known length.
  c.trueDurationSec = c.categories.some((k) => REPLACES_AUDIO.has(k)) ? null : CLIENT_AUDIO_SEC;
  return c;
}
