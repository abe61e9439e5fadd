import { Timestamp } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { absentFields, changedFields, KnownVersions, sameValue, type KnownVersion } from './known-versions.js';

const v = (n: number) => new Timestamp(1_700_000_000, n * 1000);
const known = (doc: Record<string, unknown>, absent: string[] = []): KnownVersion => ({ version: v(1), doc, absent, decoded: true });

describe('sameValue', () => {
  it('compares domain values by structure', () => {
    expect(sameValue({ a: [1, { b: 'x' }], c: null }, { a: [1, { b: 'x' }], c: null })).toBe(true);
    expect(sameValue({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] })).toBe(false);
    expect(sameValue([1, 2], [1, 2, 3])).toBe(false);
    expect(sameValue({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameValue(null, {})).toBe(false);
    expect(sameValue(0, null)).toBe(false);
    expect(sameValue([], {})).toBe(false);
  });

  it('treats an undefined property as absent', () => {
    expect(sameValue({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  });

  it('compares bytes by content', () => {
    expect(sameValue(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(sameValue(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(sameValue(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
    expect(sameValue(new Uint8Array([1]), [1])).toBe(false);
  });
});

describe('changedFields', () => {
  it('keeps only the fields whose value changed', () => {
    const audio = new Uint8Array(1000).fill(7);
    const base = known({ status: 'queued', lease: null, fence: 0, audio: { bytes: 1000, sha256: 'ab' }, inlineAudio: audio, errors: [] });
    const next = { ...base.doc, status: 'running', lease: { owner: 'w1', token: 1 }, fence: 1 };
    expect(changedFields(base, next)).toEqual({ status: 'running', lease: { owner: 'w1', token: 1 }, fence: 1 });
  });

  it('writes a field the stored document lacks even when the decoded base has its default', () => {
    const base = known({ status: 'submitted', attempts: 0, errors: [] }, ['attempts', 'errors']);
    expect(changedFields(base, { status: 'queued', attempts: 0, errors: [] })).toEqual({ status: 'queued', attempts: 0, errors: [] });
  });

  it('leaves out what the next document leaves undefined, as a full write does', () => {
    const base = known({ status: 'queued', inlineAudio: new Uint8Array([1]) });
    expect(changedFields(base, { status: 'running', inlineAudio: undefined })).toEqual({ status: 'running' });
  });

  it('writes a field set to null', () => {
    const base = known({ status: 'running', inlineAudio: new Uint8Array([1]) });
    expect(changedFields(base, { status: 'succeeded', inlineAudio: null })).toEqual({ status: 'succeeded', inlineAudio: null });
  });

  it('is null when nothing differs', () => {
    const base = known({ status: 'queued', n: 1 });
    expect(changedFields(base, { status: 'queued', n: 1 })).toBeNull();
  });
});

describe('absentFields', () => {
  it('lists the decoded fields with a value that the raw document does not have', () => {
    expect(absentFields({ a: 1, b: null, c: undefined, d: 0 }, { a: 1 })).toEqual(['b', 'd']);
    expect(absentFields({ a: 1 }, undefined)).toEqual(['a']);
  });
});

describe('KnownVersions', () => {
  it('answers only for the exact version', () => {
    const cache = new KnownVersions();
    cache.remember('jobs/a', { version: v(1), doc: { n: 1 }, absent: [], decoded: true });
    expect(cache.get('jobs/a', v(1))?.doc).toEqual({ n: 1 });
    expect(cache.get('jobs/a', v(2))).toBeNull();
    expect(cache.get('jobs/b', v(1))).toBeNull();
    cache.remember('jobs/a', { version: v(2), doc: { n: 2 }, absent: [], decoded: false });
    expect(cache.get('jobs/a', v(1))).toBeNull();
    expect(cache.get('jobs/a', v(2))?.doc).toEqual({ n: 2 });
    cache.forget('jobs/a');
    expect(cache.get('jobs/a', v(2))).toBeNull();
  });

  it('drops the least recently used path beyond its capacity', () => {
    const cache = new KnownVersions(2);
    cache.remember('a', { version: v(1), doc: {}, absent: [], decoded: true });
    cache.remember('b', { version: v(1), doc: {}, absent: [], decoded: true });
    expect(cache.get('a', v(1))).not.toBeNull(); // a is now the most recent
    cache.remember('c', { version: v(1), doc: {}, absent: [], decoded: true });
    expect(cache.size).toBe(2);
    expect(cache.get('b', v(1))).toBeNull();
    expect(cache.get('a', v(1))).not.toBeNull();
    expect(cache.get('c', v(1))).not.toBeNull();
  });
});
