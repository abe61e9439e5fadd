import { describe, expect, it } from 'vitest';
import type { Fields, StoredDocument } from '../model/index.js';
import { EVERY_VALUE_TYPE } from '../testing/every-value-type.js';
import { checkManifest, decodeDocumentLine, encodeDocumentLine, EXPORT_FORMAT } from './export-format.js';

const db = { projectId: 'demo-p', databaseId: '(default)' };

const doc = (fields: Fields, createTime = 1_700_000_000_123_456_789n, updateTime = 1_700_000_111_000_001_000n): StoredDocument => ({
  path: 'users/alice/posts/p1',
  fields,
  createTime,
  updateTime,
});

describe('export format lines', () => {
  it('round-trips every value type exactly, -0 and int64 beyond 2^53 included', () => {
    const line = encodeDocumentLine(db, doc(EVERY_VALUE_TYPE));
    expect(line).not.toContain('\n');
    const back = decodeDocumentLine(line, 'documents.jsonl:1');
    expect(back.database).toEqual(db);
    expect(back.doc.path).toBe('users/alice/posts/p1');
    expect(back.doc.fields).toStrictEqual(EVERY_VALUE_TYPE);
    expect(Object.is((back.doc.fields.negativeZero as { doubleValue: number }).doubleValue, -0)).toBe(true);
  });

  it('keeps create and update times to the nanosecond', () => {
    const back = decodeDocumentLine(encodeDocumentLine(db, doc({}, 1_700_000_000_123_456_789n, 1_700_000_000_123_456_790n)), 'f:1');
    expect(back.doc.createTime).toBe(1_700_000_000_123_456_789n);
    expect(back.doc.updateTime).toBe(1_700_000_000_123_456_790n);
  });

  it('writes each line as a Firestore REST Document, -0 as the string "-0"', () => {
    const json = JSON.parse(encodeDocumentLine({ projectId: 'p', databaseId: 'other' }, doc({ z: { doubleValue: -0 }, n: { doubleValue: 'NaN' } })));
    expect(json).toEqual({
      name: 'projects/p/databases/other/documents/users/alice/posts/p1',
      createTime: '2023-11-14T22:13:20.123456789Z',
      updateTime: '2023-11-14T22:15:11.000001Z',
      fields: { z: { doubleValue: '-0' }, n: { doubleValue: 'NaN' } },
    });
  });

  it('names the file and line of a bad document', () => {
    expect(() => decodeDocumentLine('{', 'd.jsonl:3')).toThrow(/^d\.jsonl:3: not JSON/);
    const good = JSON.parse(encodeDocumentLine(db, doc({})));
    const bad = (patch: object): string => JSON.stringify({ ...good, ...patch });
    expect(() => decodeDocumentLine(bad({ name: 'projects/p/databases/d/documents/users' }), 'd.jsonl:4')).toThrow(/d\.jsonl:4: .*even, non-zero number/);
    expect(() => decodeDocumentLine(bad({ fields: { n: { integerValue: '9223372036854775808' } } }), 'd.jsonl:5')).toThrow(/d\.jsonl:5: .*64-bit/);
    expect(() => decodeDocumentLine(bad({ updateTime: '2000-01-01T00:00:00Z' }), 'd.jsonl:6')).toThrow(/before "createTime"/);
    expect(() => decodeDocumentLine(bad({ createTime: undefined }), 'd.jsonl:7')).toThrow(/d\.jsonl:7: Invalid timestamp/);
  });
});

describe('export manifest', () => {
  it('accepts version 1 and refuses others by name', () => {
    const m = { format: EXPORT_FORMAT, version: 1, exportTime: '2024-01-01T00:00:00Z', documentsFile: 'documents-1.jsonl', documents: 0 };
    expect(checkManifest(m, 'm.json')).toEqual(m);
    expect(() => checkManifest({ ...m, version: 2 }, 'm.json')).toThrow(/format version 2; this emulator reads version 1/);
    expect(() => checkManifest({ ...m, format: 'x' }, 'm.json')).toThrow(/not an fq-firestore-export manifest/);
    expect(() => checkManifest({ ...m, documentsFile: '../etc/passwd' }, 'm.json')).toThrow(/must be a file name/);
  });
});
