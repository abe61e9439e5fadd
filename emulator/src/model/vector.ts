import type { Value } from './values.js';
import { VECTOR_VALUES_KEY, doubleOf, isVectorMap } from './values.js';

/** Reads a vector value (`{__type__: "__vector__", value: [numbers]}`) as numbers. */
export function vectorOf(v: Value | undefined): number[] | undefined {
  if (!v || !('mapValue' in v) || !isVectorMap(v.mapValue)) return undefined;
  const arr = v.mapValue.fields?.[VECTOR_VALUES_KEY];
  if (!arr || !('arrayValue' in arr)) return undefined;
  const out: number[] = [];
  for (const e of arr.arrayValue.values ?? []) {
    if ('doubleValue' in e) out.push(doubleOf(e.doubleValue));
    else if ('integerValue' in e) out.push(Number(e.integerValue));
    else return undefined;
  }
  return out;
}

export type DistanceMeasure = 'EUCLIDEAN' | 'COSINE' | 'DOT_PRODUCT';

export function distance(measure: DistanceMeasure, a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let sq = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
    sq += (x - y) * (x - y);
  }
  switch (measure) {
    case 'EUCLIDEAN':
      return Math.sqrt(sq);
    case 'DOT_PRODUCT':
      return dot;
    case 'COSINE': {
      const denom = Math.sqrt(na) * Math.sqrt(nb);
      return denom === 0 ? Number.NaN : 1 - dot / denom;
    }
  }
}
