/** int64 helpers and exact comparison between int64 integers and doubles. */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
const TWO_63 = 2 ** 63;

export function compareBigInts(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares canonical decimal int64 strings; short strings take the fast Number path. */
export function compareIntegerStrings(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length < 16 && b.length < 16) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return compareBigInts(BigInt(a), BigInt(b));
}

/** Doubles in Firestore order: NaN first (equal to itself), -0 equals 0. */
export function compareDoubles(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an && bn) return 0;
  return an ? -1 : 1;
}

/** Exact order of an int64 against a double. */
export function compareIntToDouble(i: bigint, d: number): number {
  if (Number.isNaN(d)) return 1;
  if (d >= TWO_63) return -1;
  if (d < -TWO_63) return 1;
  const f = Math.floor(d);
  const bf = BigInt(f);
  if (i < bf) return -1;
  if (i > bf) return 1;
  return d > f ? -1 : 0;
}

export function isInt64(n: bigint): boolean {
  return n >= INT64_MIN && n <= INT64_MAX;
}
