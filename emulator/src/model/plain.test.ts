import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { clonePlain, samePlain } from './values.js';

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** Random plain JSON shaped like Firestore values, with the awkward leaves. */
function randomPlain(random: () => number, depth: number): unknown {
  const r = random();
  if (depth > 3 || r < 0.5) {
    const leaves = [null, true, false, 0, -0, 1, 2.5, Number.NaN, Infinity, '', 'a', 'NaN', '0', 'NULL_VALUE'];
    return leaves[Math.floor(random() * leaves.length)];
  }
  if (r < 0.7) return Array.from({ length: Math.floor(random() * 3) }, () => randomPlain(random, depth + 1));
  const out: Record<string, unknown> = {};
  const keys = ['a', 'b', 'stringValue', 'mapValue', 'fields', 'values', '__proto__', 'x.y'];
  for (let i = Math.floor(random() * 4); i > 0; i--) {
    const key = keys[Math.floor(random() * keys.length)]!;
    Object.defineProperty(out, key, { value: randomPlain(random, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

describe('plain JSON copy and equality', () => {
  it('clonePlain copies like structuredClone, and samePlain agrees with isDeepStrictEqual', () => {
    const random = rng(7);
    const samples = Array.from({ length: 400 }, () => randomPlain(random, 0));
    for (const a of samples) {
      const copy = clonePlain(a);
      expect(isDeepStrictEqual(copy, structuredClone(a))).toBe(true);
      expect(samePlain(copy, a)).toBe(true);
      if (a !== null && typeof a === 'object') expect(copy).not.toBe(a);
    }
    let equalPairs = 0;
    for (let i = 0; i < samples.length; i++) {
      for (const j of [i, (i + 1) % samples.length, (i * 7) % samples.length]) {
        const expected = isDeepStrictEqual(samples[i], samples[j]);
        expect(samePlain(samples[i], samples[j])).toBe(expected);
        expect(samePlain(samples[i], clonePlain(samples[j]))).toBe(expected);
        if (expected) equalPairs++;
      }
    }
    expect(equalPairs).toBeGreaterThan(400);
  });

  it('keeps a "__proto__" map key as data', () => {
    const fields = JSON.parse('{"__proto__": {"stringValue": "x"}, "a": {"integerValue": "1"}}') as Record<string, unknown>;
    const copy = clonePlain(fields);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(samePlain(copy, fields)).toBe(true);
    expect(samePlain(copy, { a: { integerValue: '1' } })).toBe(false);
  });

  it('tells -0 from 0 and a missing key from an undefined one, like isDeepStrictEqual', () => {
    expect(samePlain({ doubleValue: 0 }, { doubleValue: -0 })).toBe(false);
    expect(samePlain({ doubleValue: Number.NaN }, { doubleValue: Number.NaN })).toBe(true);
    expect(samePlain({ a: undefined }, { b: undefined })).toBe(false);
    expect(samePlain([1], { 0: 1 })).toBe(false);
  });
});
