import { describe, expect, it } from 'vitest';
import { ExactSum } from './exact-sum.js';
import { arrayRemove, arrayUnion, increment, maximum, minimum } from './transforms.js';
import type { Value } from './values.js';

const int = (n: string | number): { integerValue: string } => ({ integerValue: String(n) });
const dbl = (n: number | string): { doubleValue: number | string } => ({ doubleValue: n });

describe('field transforms', () => {
  it('increments integers, doubles and non-numbers', () => {
    expect(increment(int(1), int(2))).toEqual(int(3));
    expect(increment(int(1), dbl(0.5))).toEqual(dbl(1.5));
    expect(increment(dbl(1.5), int(1))).toEqual(dbl(2.5));
    expect(increment(undefined, int(7))).toEqual(int(7));
    expect(increment({ stringValue: 'x' }, dbl(2))).toEqual(dbl(2));
  });

  it('saturates integer overflow at the int64 bounds', () => {
    expect(increment(int('9223372036854775807'), int(1))).toEqual(int('9223372036854775807'));
    expect(increment(int('-9223372036854775808'), int(-5))).toEqual(int('-9223372036854775808'));
  });

  it('takes maximum/minimum with Firestore mixed-type and NaN rules', () => {
    expect(maximum(int(3), dbl(4.5))).toEqual(dbl(4.5));
    expect(maximum(int(3), dbl(3))).toEqual(int(3)); // equivalent: the field does not change
    expect(minimum(dbl(3), int(2))).toEqual(int(2));
    expect(maximum(int(0), dbl(-0))).toEqual(int(0)); // zeros keep the stored value
    expect(maximum(int(5), dbl('NaN'))).toEqual(dbl('NaN'));
    expect(minimum(dbl('NaN'), int(5))).toEqual(dbl('NaN'));
    expect(maximum(undefined, int(1))).toEqual(int(1));
    expect(minimum({ booleanValue: true }, int(1))).toEqual(int(1));
  });

  it('unions and removes array elements with numeric equality', () => {
    const arr = (...v: Value[]): Value => ({ arrayValue: { values: v } });
    expect(arrayUnion(arr(int(1), int(2)), [dbl(1), int(3), int(3)])).toEqual(arr(int(1), int(2), int(3)));
    expect(arrayUnion(undefined, [{ nullValue: null }])).toEqual(arr({ nullValue: null }));
    expect(arrayRemove(arr(int(1), dbl(1), dbl('NaN'), int(2)), [int(1), dbl('NaN')])).toEqual(arr(int(2)));
    expect(arrayRemove({ stringValue: 'x' }, [int(1)])).toEqual(arr());
  });
});

describe('exact sums (aggregations)', () => {
  const sumOf = (...v: Value[]) => {
    const s = new ExactSum();
    v.forEach((x) => s.add(x));
    return s;
  };
  const MAX = Number.MAX_VALUE;
  it('does not overflow or round in between', () => {
    expect(sumOf(dbl(MAX), dbl(MAX), dbl(-MAX), dbl(-MAX), dbl(MAX), dbl(-MAX)).sum()).toEqual(dbl(0));
    expect(sumOf(dbl(MAX), dbl(MAX)).sum()).toEqual(dbl('Infinity'));
    expect(sumOf(dbl(-MAX), dbl(-1e300)).sum()).toEqual(dbl('-Infinity'));
    expect(sumOf(dbl(0.1), dbl(0.2)).sum()).toEqual(dbl(0.30000000000000004));
    expect(sumOf(int(5), dbl(4.5), dbl(3.5)).sum()).toEqual(dbl(13));
    expect(sumOf(dbl(1e-320), dbl(1e-320)).sum()).toEqual(dbl(2e-320));
  });
  it('keeps integer sums integral until they leave the int64 range', () => {
    expect(sumOf(int('9007199254740991'), int(1), int(-101)).sum()).toEqual(int('9007199254740891'));
    expect(sumOf(int('9223372036854775807'), int('9223372036854775807')).sum()).toEqual(dbl(2 ** 64));
    expect(sumOf().sum()).toEqual(int(0));
  });
  it('handles NaN, infinities and averages', () => {
    expect(sumOf(int(1), dbl('NaN')).sum()).toEqual(dbl('NaN'));
    expect(sumOf(dbl('Infinity'), dbl('-Infinity')).sum()).toEqual(dbl('NaN'));
    // Firestore averages as sum / count in doubles: the sum overflows first (js-sdk aggregation.test.ts).
    expect(sumOf(dbl(MAX), dbl(MAX)).average()).toEqual(dbl('Infinity'));
    expect(sumOf(int(1), int(2)).average()).toEqual(dbl(1.5));
    expect(sumOf().average()).toEqual({ nullValue: null });
  });
});
