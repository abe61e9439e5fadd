import { INT64_MAX, INT64_MIN } from './numbers.js';
import type { Value } from './values.js';
import { doubleJson, doubleOf } from './values.js';

/** Every finite double is an integer multiple of 2^-1074. */
const SCALE_BITS = 1074n;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : (n < 0n ? -n : n).toString(2).length;
}

/** Exact value of a finite double as a multiple of 2^-1074. */
function scaledDouble(d: number): bigint {
  if (d === 0) return 0n;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, d);
  const bits = buf.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const mantissa = exp === 0 ? frac : frac | (1n << 52n);
  const shift = BigInt(Math.max(exp, 1) - 1); // value = mantissa * 2^(exp-1075) = mantissa * 2^(shift) * 2^-1074
  return sign * (mantissa << shift);
}

/** Nearest double to n * 2^-scaleBits (ties resolved by the BigInt -> Number conversion). */
function toDouble(n: bigint, scaleBits: bigint): number {
  if (n === 0n) return 0;
  const len = bitLength(n);
  // Keep 64 significant bits (plus a sticky bit) so the final rounding is right.
  const drop = Math.max(0, len - 65);
  let kept = n >> BigInt(drop);
  if (drop > 0 && (n & ((1n << BigInt(drop)) - 1n)) !== 0n) kept |= 1n;
  const exponent = drop - Number(scaleBits);
  // Split the power of two so neither factor overflows or underflows on its own.
  const half = Math.trunc(exponent / 2);
  return Number(kept) * 2 ** half * 2 ** (exponent - half);
}

/**
 * Sums integers and doubles exactly (no intermediate overflow or rounding), as Firestore's
 * sum/avg aggregations do: `MAX + MAX - MAX - MAX` is 0, a sum of integers stays an integer
 * while it fits in 64 bits, NaN poisons, +Inf and -Inf together give NaN.
 */
export class ExactSum {
  private total = 0n;
  private sawDouble = false;
  private nan = false;
  private posInf = false;
  private negInf = false;
  count = 0;

  add(v: Value): void {
    if ('integerValue' in v) {
      this.count++;
      this.total += BigInt(v.integerValue) << SCALE_BITS;
    } else if ('doubleValue' in v) {
      this.count++;
      this.sawDouble = true;
      const d = doubleOf(v.doubleValue);
      if (Number.isNaN(d)) this.nan = true;
      else if (d === Number.POSITIVE_INFINITY) this.posInf = true;
      else if (d === Number.NEGATIVE_INFINITY) this.negInf = true;
      else this.total += scaledDouble(d);
    }
  }

  private special(): number | undefined {
    if (this.nan || (this.posInf && this.negInf)) return Number.NaN;
    if (this.posInf) return Number.POSITIVE_INFINITY;
    if (this.negInf) return Number.NEGATIVE_INFINITY;
    return undefined;
  }

  sum(): Value {
    const special = this.special();
    if (special !== undefined) return { doubleValue: doubleJson(special) };
    if (!this.sawDouble) {
      const n = this.total >> SCALE_BITS;
      if (n >= INT64_MIN && n <= INT64_MAX) return { integerValue: n.toString() };
    }
    return { doubleValue: doubleJson(toDouble(this.total, SCALE_BITS)) };
  }

  average(): Value {
    if (this.count === 0) return { nullValue: null };
    const special = this.special();
    if (special !== undefined) return { doubleValue: doubleJson(special) };
    // Firestore divides the (exact, then rounded) sum by the count in double arithmetic:
    // the average of MAX_VALUE and MAX_VALUE is +Infinity, of MIN_VALUE and 0 is 0.
    return { doubleValue: doubleJson(toDouble(this.total, SCALE_BITS) / this.count) };
  }
}
