import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compiledCodecFor, referenceCodecFor } from './codec.js';
import { loadFirestoreRoot } from './protos.js';
import { wireCodecFor } from './wire-codec.js';

const root = loadFirestoreRoot();
const type = (name: string) => root.lookupType(`google.firestore.v1.${name}`);
const wire = (name: string) => {
  const codec = wireCodecFor(type(name));
  if (!codec) throw new Error(`no wire codec for ${name}`);
  return codec;
};
const DOC = 'projects/p/databases/(default)/documents';
// A fixed seed keeps CI deterministic; FQ_CODEC_SEED explores others.
const SEED = Number(process.env.FQ_CODEC_SEED ?? 20261207);

/** fast-check builds objects without a prototype; the service's JSON has plain ones. */
const plain = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(plain) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v;

// Firestore values as the service builds them (proto3 JSON), every kind and nesting.
const timestamp = fc
  .record({ ms: fc.integer({ min: -62135596800000, max: 253402300799000 }), nanos: fc.constantFrom('', '.5', '.123', '.123456', '.123456789', '.000001') })
  .map(({ ms, nanos }) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', `${nanos}Z`));
const base64 = fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('base64'));
const scalarValue = fc.oneof(
  fc.constant({ nullValue: null }),
  fc.boolean().map((booleanValue) => ({ booleanValue })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => ({ integerValue: String(n) })),
  fc.double().map((d) => ({ doubleValue: Number.isFinite(d) ? d : String(d) })),
  timestamp.map((timestampValue) => ({ timestampValue })),
  fc.string().map((stringValue) => ({ stringValue })),
  base64.map((bytesValue) => ({ bytesValue })),
  fc.string({ minLength: 1, maxLength: 8 }).map((id) => ({ referenceValue: `${DOC}/c/${encodeURIComponent(id)}` })),
  fc.record({ latitude: fc.double({ min: -90, max: 90, noNaN: true }), longitude: fc.double({ min: -180, max: 180, noNaN: true }) }).map((geoPointValue) => ({ geoPointValue })),
);
const { value } = fc.letrec<{ value: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarValue,
    fc.array(tie('value'), { maxLength: 3 }).map((values) => ({ arrayValue: values.length ? { values } : {} })),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 3 }).map((fields) => ({ mapValue: { fields } })),
  ),
}));
const fields = fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 5 });
const document = fc
  .record({ name: fc.constant(`${DOC}/jobs/j1`), fields, createTime: timestamp, updateTime: timestamp }, { requiredKeys: ['name'] })
  .map((d) => plain(d) as { name: string; fields?: Record<string, unknown> });

function expectSameEncoding(name: string, json: Record<string, unknown>): void {
  const t = type(name);
  const expected = referenceCodecFor(t).encode(json);
  expect(wire(name).encode(json).equals(expected)).toBe(true);
  // Decoding the bytes gives the reference's JSON, keys in the same order.
  expect(JSON.stringify(wire(name).decode(expected))).toBe(JSON.stringify(referenceCodecFor(t).decode(expected)));
}

describe('wire codec (one pass) against the reference (proto3-json-serializer + protobufjs)', () => {
  it('encodes and decodes random documents identically', () => {
    fc.assert(
      fc.property(document, (doc) => expectSameEncoding('Document', doc)),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('encodes and decodes listener updates, query results and commits identically', () => {
    fc.assert(
      fc.property(document, fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { maxLength: 3 }), timestamp, base64, (doc, targetIds, readTime, token) => {
        expectSameEncoding('ListenResponse', { documentChange: { document: doc, targetIds, removedTargetIds: [] } });
        expectSameEncoding('ListenResponse', { targetChange: { targetChangeType: 'CURRENT', targetIds, readTime, resumeToken: token } });
        expectSameEncoding('RunQueryResponse', { document: doc, readTime, skippedResults: targetIds.length });
        expectSameEncoding('CommitRequest', {
          database: 'projects/p/databases/(default)',
          writes: [{ update: doc, updateMask: { fieldPaths: Object.keys(doc.fields ?? {}) }, currentDocument: { updateTime: readTime } }, { delete: doc.name }],
          transaction: token,
        });
        expectSameEncoding('CommitResponse', { writeResults: targetIds.map(() => ({ updateTime: readTime })), commitTime: readTime });
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('keeps the reference quirks: undefined message fields, absent maps, empty arrays, unknown enum names', () => {
    // proto3-json-serializer throws on an undefined message field; the compiled conversions
    // (the codec before this one) write an empty message, and so does this one.
    const undefinedDocument = { document: undefined, readTime: '2026-12-06T23:00:01Z' };
    expect(() => referenceCodecFor(type('RunQueryResponse')).encode(undefinedDocument)).toThrow();
    expect(wire('RunQueryResponse').encode(undefinedDocument).equals(compiledCodecFor(type('RunQueryResponse')).encode(undefinedDocument))).toBe(true);
    expectSameEncoding('Document', { name: `${DOC}/c/d` });
    expectSameEncoding('ListenResponse', { targetChange: { targetChangeType: 'NOT_A_TYPE', targetIds: [] } });
    expectSameEncoding('ListenResponse', { targetChange: { targetChangeType: 2, targetIds: [0, 2 ** 31 - 1] } });
    expectSameEncoding('ListenRequest', { database: 'projects/p/databases/(default)', labels: { a: 'b', '': '' }, removeTarget: 3 });
    expectSameEncoding('RunQueryRequest', { parent: DOC, structuredQuery: { from: [{ collectionId: 'c' }], limit: 5, offset: 0 } });
    expectSameEncoding('Document', { name: `${DOC}/c/d`, fields: { n: { doubleValue: -0 }, nan: { doubleValue: 'NaN' }, inf: { doubleValue: 'Infinity' } } });
    // Timestamps in the canonical form are read without Date; others go to the serializer.
    for (const readTime of ['2026-02-30T00:00:00Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999Z', '1969-12-31T23:59:59.5Z', '1970-01-01T00:00:00.000Z', '2026-01-01T00:00:00.1234567890Z', '2026-01-01T00:00:00+01:00', '2026-01-01T24:00:00Z']) {
      expectSameEncoding('RunQueryResponse', { readTime });
    }
    expect(() => wire('RunQueryResponse').encode({ readTime: '2026-01-01t00:00:00Z' })).toThrow();
    // Integers are written from short decimal strings without Long: the same bits.
    for (const integerValue of ['0', '-0', '007', '-1', '99999999999999', '-99999999999999', '999999999999999', '9223372036854775807', '-9223372036854775808']) {
      expectSameEncoding('Document', { name: `${DOC}/c/d`, fields: { i: { integerValue } } });
    }
  });

  it('refuses what the reference refuses', () => {
    for (const bad of [{ commitTime: 5 }, { writeResults: 'x' }, { writeResults: [null] }]) {
      expect(() => referenceCodecFor(type('CommitResponse')).encode(bad)).toThrow();
      expect(() => wire('CommitResponse').encode(bad)).toThrow();
    }
    expect(() => wire('CommitRequest').decode(Buffer.from([0x0a, 0xff, 0xff, 0xff]))).toThrow(/Malformed CommitRequest/);
  });

  it('leaves the compiled reference conversions (the fallback) equal to the reference', () => {
    fc.assert(
      fc.property(document, (doc) => {
        const t = type('Document');
        const bytes = referenceCodecFor(t).encode(doc);
        expect(compiledCodecFor(t).encode(doc).equals(bytes)).toBe(true);
        expect(compiledCodecFor(t).decode(bytes)).toEqual(referenceCodecFor(t).decode(bytes));
      }),
      { seed: SEED, numRuns: 50 },
    );
  });
});
