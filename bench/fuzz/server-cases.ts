import { PAYLOAD_LIMITS } from '@fq/worker';
import { makeTestWav } from '@fq/fake-gemini';
import { cbrMp3, MP3_FRAME_SEC } from '../../worker/src/testing/audio-files.js';
import { declaredFor } from './duration-oracle.js';
import { BAD_MIME_TYPES, BAD_NUMBERS, hugeString, int, PATH_LIKE, pick, unicodeString, WRONG_TYPES, type Random } from './values.js';

/**
 * Server API fuzz cases: a valid submission with one to three hostile mutations. Each
 * mutation says whether it must be refused (`reject`) or may legitimately pass (`either`,
 * e.g. an unknown field the schema strips, or a unicode user id): a refused-must input
 * that is accepted is a finding, and so is any answer that is not a typed error.
 */
export type Expectation = 'reject' | 'either';

export interface ServerCase {
  n: number;
  categories: string[];
  input: Record<string, unknown>;
  options: { jobId?: unknown };
  expect: Expectation;
  /** Set by a mutation whose concrete value the API's own rules refuse. */
  forceReject?: boolean;
  /** What the mutations did, for the report (values abbreviated). */
  notes: string[];
  /** The audio's true length when the case knows it (its own WAV or MP3), else null. */
  trueDurationSec?: number | null;
}

/** Length of the WAV every server case starts from. */
const BASE_AUDIO_SEC = 0.2;

interface Mutation {
  category: string;
  expect: Expectation;
  /** Fields it may change: two mutations of one case never share one (a later one would undo an earlier one's verdict). */
  touches: readonly string[];
  apply(c: ServerCase, random: Random): string;
}

/** Definitely wrong for an optional string field (null is allowed: it means "none"). */
const NOT_A_STRING: readonly unknown[] = [0, 1.5, true, [], ['a'], {}, 10n, Symbol.for('x'), () => 'x', new Date(0), ''];
const STRING_LIMITS: Record<string, number> = { userId: 128, sessionId: 128, idempotencyKey: 256, model: 128, tier: 64 };

function abbreviate(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `string(${value.length})` : JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return typeof value;
  if (value instanceof Uint8Array) return `bytes(${value.length})`;
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 60)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function deep(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < depth; i++) value = { nested: value };
  return value;
}

const MUTATIONS: readonly Mutation[] = [
  {
    category: 'wrong type',
    touches: ['audio', 'mimeType', 'userId', 'priority'],
    expect: 'reject',
    apply(c, r) {
      const field = pick(r, ['audio', 'mimeType', 'userId', 'priority'] as const);
      // '0' is a legal user id; every other value here is the wrong type for all four.
      const value = pick(r, WRONG_TYPES.filter((v) => !(field === 'userId' && v === '0')));
      c.input[field] = value;
      return `${field} = ${abbreviate(value)}`;
    },
  },
  {
    category: 'wrong type (optional field)',
    touches: ['sessionId', 'idempotencyKey', 'metadata', 'durationSec', 'model', 'tier'],
    expect: 'reject',
    apply(c, r) {
      const field = pick(r, ['sessionId', 'idempotencyKey', 'metadata', 'durationSec', 'model', 'tier'] as const);
      const wrong: Record<typeof field, readonly unknown[]> = {
        sessionId: NOT_A_STRING,
        idempotencyKey: NOT_A_STRING,
        model: NOT_A_STRING,
        tier: NOT_A_STRING,
        durationSec: ['1', true, [], {}, 10n, Symbol.for('x'), -1],
        metadata: [0, 'x', true, 10n, () => 'x'],
      };
      const value = pick(r, wrong[field]);
      c.input[field] = value;
      return `${field} = ${abbreviate(value)}`;
    },
  },
  {
    category: 'huge string',
    touches: ['userId', 'sessionId', 'idempotencyKey', 'model', 'tier'],
    expect: 'reject',
    apply(c, r) {
      const field = pick(r, Object.keys(STRING_LIMITS));
      const value = hugeString(r, STRING_LIMITS[field]! + int(r, 1, 2_000_000));
      c.input[field] = value;
      return `${field} = ${abbreviate(value)}`;
    },
  },
  {
    category: 'bad mime type',
    touches: ['mimeType'],
    expect: 'reject',
    apply(c, r) {
      const value = pick(r, BAD_MIME_TYPES);
      c.input.mimeType = value;
      return `mimeType = ${abbreviate(value)}`;
    },
  },
  {
    category: 'mime type does not match the bytes',
    touches: ['mimeType', 'audio'],
    expect: 'reject',
    apply(c, r) {
      const value = pick(r, ['audio/mpeg', 'audio/ogg', 'audio/flac', 'audio/webm', 'audio/mp4', 'audio/aac']);
      c.input.mimeType = value;
      return `WAV bytes declared as ${value}`;
    },
  },
  {
    category: 'truncated or garbage audio',
    touches: ['audio', 'mimeType'],
    expect: 'reject',
    apply(c, r) {
      const wav = c.input.audio instanceof Uint8Array ? c.input.audio : makeTestWav({ durationSec: 0.2 });
      const kind = pick(r, ['truncated header', 'empty', 'garbage', 'text']);
      const value =
        kind === 'truncated header'
          ? wav.slice(0, int(r, 1, 11))
          : kind === 'empty'
            ? new Uint8Array(0)
            : kind === 'garbage'
              ? Uint8Array.from({ length: int(r, 12, 4_000) }, () => int(r, 0, 255))
              : new TextEncoder().encode('<html>not audio</html>');
      c.input.audio = value;
      return `audio = ${kind} (${value.length} bytes)`;
    },
  },
  {
    category: 'oversized audio',
    touches: ['audio', 'mimeType'],
    expect: 'reject',
    apply(c, r) {
      const value = new Uint8Array(PAYLOAD_LIMITS.maxAudioBytes + int(r, 1, 1_000_000));
      value.set(makeTestWav({ durationSec: 0.01 }).slice(0, 44));
      c.input.audio = value;
      return `audio = ${value.length} bytes (limit ${PAYLOAD_LIMITS.maxAudioBytes})`;
    },
  },
  {
    category: 'path-like job id',
    touches: ['jobId'],
    // Ids the API's own rule refuses must be refused; ids it allows (`__x__`, `constructor`)
    // may be refused by Firestore, but then as a typed error.
    expect: 'either',
    apply(c, r) {
      const value = pick(r, PATH_LIKE);
      c.options.jobId = value;
      if (!/^[A-Za-z0-9_-]{1,128}$/.test(value)) c.forceReject = true;
      return `jobId = ${abbreviate(value)}`;
    },
  },
  {
    category: 'path-like user id',
    touches: ['userId'],
    // 128 characters of letters, digits and punctuation are a legal user id; a refusal is
    // fine too. What must never happen is an untyped error or a document in the wrong place.
    expect: 'either',
    apply(c, r) {
      const value = pick(r, PATH_LIKE);
      c.input.userId = value;
      return `userId = ${abbreviate(value)}`;
    },
  },
  {
    category: 'prototype pollution',
    touches: ['metadata', '__proto__', 'constructor'],
    expect: 'either',
    apply(c, r) {
      const kind = pick(r, ['__proto__ in input', 'constructor.prototype in input', '__proto__ metadata key', 'constructor metadata key', 'prototype metadata key', '__proto__ metadata string']);
      if (kind === '__proto__ in input') {
        Object.assign(c.input, JSON.parse('{"__proto__": {"polluted": "yes", "status": "succeeded"}}') as object);
        // JSON.parse makes an own "__proto__" key; Object.assign then sets the prototype. Also
        // hand the raw parsed object in, as an HTTP handler would.
        const raw = JSON.parse('{"__proto__": {"polluted": "yes"}}') as Record<string, unknown>;
        for (const [k, v] of Object.entries(c.input)) raw[k] = v;
        c.input = raw;
      } else if (kind === 'constructor.prototype in input') {
        Object.assign(c.input, JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}') as object);
      } else if (kind === '__proto__ metadata string') {
        // A legal metadata key by the schema's pattern, and a string value.
        c.input.metadata = JSON.parse('{"__proto__": "yes", "ok": 1}') as Record<string, unknown>;
      } else {
        const key = kind.split(' ')[0]!;
        c.input.metadata = JSON.parse(`{"${key}": {"polluted": "yes"}, "ok": 1}`) as Record<string, unknown>;
        // An object is not a metadata value; a "__proto__" key, though, is dropped by the
        // schema (the parsed record has no prototype), which is a safe answer too.
        if (key !== '__proto__') c.forceReject = true;
      }
      return kind;
    },
  },
  {
    category: 'not a number',
    touches: ['durationSec', 'metadata'],
    expect: 'reject',
    apply(c, r) {
      if (r() < 0.5) {
        const value = pick(r, BAD_NUMBERS);
        c.input.durationSec = value;
        return `durationSec = ${value}`;
      }
      const value = pick(r, [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
      c.input.metadata = { score: value };
      return `metadata.score = ${value}`;
    },
  },
  {
    category: 'deep or wide metadata',
    touches: ['metadata'],
    expect: 'reject',
    apply(c, r) {
      const kind = pick(r, ['deep', 'wide', 'long key', 'array value', 'bad key']);
      c.input.metadata =
        kind === 'deep'
          ? deep(int(r, 2, 5_000))
          : kind === 'wide'
            ? Object.fromEntries(Array.from({ length: int(r, 33, 5_000) }, (_, i) => [`k${i}`, i]))
            : kind === 'long key'
              ? { ['k'.repeat(int(r, 65, 10_000))]: 1 }
              : kind === 'array value'
                ? { list: [1, 2, 3] }
                : { [pick(r, ['a b', 'a/b', '', 'ü', 'a$b', '`'])]: 1 };
      return `metadata: ${kind}`;
    },
  },
  {
    category: 'unicode edge cases',
    touches: ['userId', 'sessionId', 'idempotencyKey'],
    expect: 'either',
    apply(c, r) {
      const field = pick(r, ['userId', 'sessionId', 'idempotencyKey'] as const);
      const value = unicodeString(r);
      c.input[field] = value;
      return `${field} = ${abbreviate(value)}`;
    },
  },
  {
    category: 'unicode metadata',
    touches: ['metadata'],
    expect: 'either',
    apply(c, r) {
      c.input.metadata = { note: unicodeString(r), [pick(r, ['key', 'k.e-y_1'])]: hugeString(r, int(r, 1, 1_024)) };
      return 'metadata values with unicode edge cases';
    },
  },
  {
    category: 'declared duration far from the audio',
    touches: ['durationSec'],
    // Accepted either way; what it must not do is queue the declared length (see duration-oracle).
    expect: 'either',
    apply(c, r) {
      const value = declaredFor(BASE_AUDIO_SEC, r());
      c.input.durationSec = value;
      return `durationSec = ${value} for ${BASE_AUDIO_SEC} s of audio`;
    },
  },
  {
    category: 'MP3 audio, duration declared or not',
    touches: ['audio', 'mimeType', 'durationSec'],
    expect: 'either',
    apply(c, r) {
      const frames = int(r, 1, 2_000);
      c.input.audio = cbrMp3(frames);
      c.input.mimeType = pick(r, ['audio/mpeg', 'audio/mp3']);
      c.trueDurationSec = frames * MP3_FRAME_SEC;
      c.input.durationSec = declaredFor(c.trueDurationSec, r());
      return `${frames} MP3 frames (${c.trueDurationSec.toFixed(2)} s), durationSec = ${String(c.input.durationSec)}`;
    },
  },
  {
    category: 'bad priority',
    touches: ['priority'],
    expect: 'reject',
    apply(c, r) {
      const value = pick(r, ['URGENT', 'critical', '', ' normal', 'normal ', 'highest', '__proto__']);
      c.input.priority = value;
      return `priority = ${JSON.stringify(value)}`;
    },
  },
  {
    category: 'unknown fields',
    touches: ['status', 'admin', 'result', 'jobId', 'lease'],
    expect: 'either',
    apply(c, r) {
      const extra = pick(r, [{ status: 'succeeded' }, { admin: true }, { result: { transcript: 'x' } }, { jobId: '../x' }, { lease: { owner: 'me' } }]);
      Object.assign(c.input, extra);
      return `extra fields ${abbreviate(extra)}`;
    },
  },
  {
    category: 'missing field',
    touches: ['audio', 'mimeType', 'userId'],
    expect: 'reject',
    apply(c, r) {
      const field = pick(r, ['audio', 'mimeType', 'userId'] as const);
      delete c.input[field];
      return `no ${field}`;
    },
  },
];

export const SERVER_CATEGORIES = MUTATIONS.map((m) => m.category);

export function serverCase(n: number, random: Random): ServerCase {
  const c: ServerCase = {
    n,
    categories: [],
    input: {
      audio: makeTestWav({ durationSec: BASE_AUDIO_SEC, toneHz: 200 + (n % 1000) }),
      mimeType: 'audio/wav',
      userId: `fz-user-${n % 40}`,
      priority: 'normal',
    },
    options: {},
    expect: 'either',
    notes: [],
  };
  const base = { audio: c.input.audio, mimeType: c.input.mimeType };
  const count = int(random, 1, 3);
  const touched = new Set<string>();
  for (let i = 0; i < count; i++) {
    const free = MUTATIONS.filter((m) => m.touches.every((f) => !touched.has(f)));
    if (free.length === 0) break;
    const mutation = pick(random, free);
    for (const f of mutation.touches) touched.add(f);
    c.categories.push(mutation.category);
    c.notes.push(mutation.apply(c, random));
    if (mutation.expect === 'reject') c.expect = 'reject';
  }
  if (c.forceReject) c.expect = 'reject';
  // The base WAV's length holds while no mutation replaced the audio or its type.
  if (c.trueDurationSec === undefined) {
    c.trueDurationSec = c.input.audio === base.audio && c.input.mimeType === base.mimeType ? BASE_AUDIO_SEC : null;
  }
  return c;
}
