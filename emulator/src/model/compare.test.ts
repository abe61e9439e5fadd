import { describe, expect, it } from 'vitest';
import { compareValues, valuesEqual } from './compare.js';
import { comparePathStrings, compareSegments } from './path.js';
import { compareUtf8 } from './utf8.js';
import type { Value } from './values.js';

const int = (n: string | number): Value => ({ integerValue: String(n) });
const dbl = (n: number | string): Value => ({ doubleValue: n });
const str = (s: string): Value => ({ stringValue: s });
const vec = (...n: number[]): Value => ({
  mapValue: { fields: { __type__: str('__vector__'), value: { arrayValue: { values: n.map((x) => dbl(x)) } } } },
});

describe('Firestore total order of values', () => {
  it('orders by type first', () => {
    const ascending: Value[] = [
      { nullValue: null },
      { booleanValue: false },
      { booleanValue: true },
      dbl('NaN'),
      dbl('-Infinity'),
      int(-5),
      dbl(0.5),
      int(1),
      dbl('Infinity'),
      { timestampValue: '1970-01-01T00:00:00Z' },
      { timestampValue: '2024-01-01T00:00:00.000001Z' },
      str(''),
      str('a'),
      { bytesValue: 'AA==' },
      { referenceValue: 'projects/p/databases/(default)/documents/c/a' },
      { geoPointValue: { latitude: -10, longitude: 0 } },
      { arrayValue: { values: [] } },
      { arrayValue: { values: [int(1)] } },
      vec(9, 9),
      vec(1, 1, 1),
      { mapValue: { fields: {} } },
      { mapValue: { fields: { a: int(1) } } },
    ];
    for (let i = 0; i < ascending.length; i++) {
      for (let j = 0; j < ascending.length; j++) {
        const c = compareValues(ascending[i]!, ascending[j]!);
        expect(Math.sign(c), `${JSON.stringify(ascending[i])} vs ${JSON.stringify(ascending[j])}`).toBe(Math.sign(i - j));
      }
    }
  });

  it('compares integers and doubles numerically and exactly', () => {
    expect(compareValues(int(1), dbl(1))).toBe(0);
    expect(compareValues(dbl(-0), int(0))).toBe(0);
    expect(compareValues(int('9007199254740993'), dbl(9007199254740992))).toBe(1);
    expect(compareValues(int('9223372036854775807'), dbl(2 ** 63))).toBe(-1);
    expect(compareValues(int('-9223372036854775808'), dbl(-(2 ** 63)))).toBe(0);
    expect(compareValues(int(2), dbl(2.5))).toBe(-1);
    expect(compareValues(int(3), dbl(2.5))).toBe(1);
    expect(compareValues(dbl('NaN'), dbl('NaN'))).toBe(0);
    expect(compareValues(dbl('NaN'), int('-9223372036854775808'))).toBe(-1);
    expect(valuesEqual(int(1), dbl(1))).toBe(true);
  });

  it('orders strings by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FFFD (EF BF BD) sorts before U+1F600 (F0 9F 98 80) in UTF-8, unlike in UTF-16.
    expect(compareUtf8('\uFFFD', '😀')).toBe(-1);
    expect(compareUtf8('😀', '\uFFFD')).toBe(1);
    expect(compareUtf8('a', 'ab')).toBe(-1);
    expect(compareUtf8('B', 'a')).toBe(-1);
    expect(compareValues(str('é'), str('z'))).toBe(1);
  });

  it('compares timestamps with different fractional precision numerically', () => {
    expect(compareValues({ timestampValue: '2024-01-01T00:00:00.5Z' }, { timestampValue: '2024-01-01T00:00:00.400000001Z' })).toBe(1);
    expect(compareValues({ timestampValue: '2024-01-01T00:00:00.100Z' }, { timestampValue: '2024-01-01T00:00:00.1Z' })).toBe(0);
  });

  it('orders maps key by key, then by size', () => {
    const m = (fields: Record<string, Value>): Value => ({ mapValue: { fields } });
    expect(compareValues(m({ a: int(1) }), m({ b: int(0) }))).toBe(-1);
    expect(compareValues(m({ a: int(2) }), m({ a: int(1), b: int(1) }))).toBe(1);
    expect(compareValues(m({ a: int(1) }), m({ a: int(1), b: int(1) }))).toBe(-1);
  });

  it('orders vectors by dimension first', () => {
    expect(compareValues(vec(100), vec(0, 0))).toBe(-1);
    expect(compareValues(vec(1, 2), vec(1, 3))).toBe(-1);
  });
});

describe('document id order', () => {
  it('puts __id<int64>__ ids first, numerically', () => {
    expect(compareSegments('__id-5__', '__id3__')).toBe(-1);
    expect(compareSegments('__id3__', '__id20__')).toBe(-1);
    expect(compareSegments('__id20__', 'A')).toBe(-1);
    expect(compareSegments('a', '__id1__')).toBe(1);
    expect(compareSegments('a', 'b')).toBe(-1);
  });

  it('compares paths segment by segment', () => {
    expect(comparePathStrings('c/a', 'c/a/sub/x')).toBe(-1);
    expect(comparePathStrings('c/a/sub/x', 'c/b')).toBe(-1);
    expect(comparePathStrings('c\u0000/x', 'c/zzz')).toBe(1);
  });

  it('compares references like paths', () => {
    const ref = (p: string): Value => ({ referenceValue: `projects/p/databases/(default)/documents/${p}` });
    expect(compareValues(ref('c/__id2__'), ref('c/a'))).toBe(-1);
    expect(compareValues(ref('c/a'), ref('c/a/s/b'))).toBe(-1);
  });
});
