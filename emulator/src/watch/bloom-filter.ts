import { createHash } from 'node:crypto';

/** `google.firestore.v1.BloomFilter` in proto3-JSON shape (bitmap as base64). */
export interface BloomFilterJson {
  bits: { bitmap: string; padding: number };
  hashCount: number;
}

/** Production Watch aims at about this false-positive rate for `unchanged_names`. */
export const FALSE_POSITIVE_RATE = 0.01;

const MASK64 = (1n << 64n) - 1n;

/** The two little-endian 64-bit halves of the MD5 of the UTF-8 bytes (what the SDKs hash). */
function hashes(name: string): [bigint, bigint] {
  const md5 = createHash('md5').update(name, 'utf8').digest();
  return [md5.readBigUInt64LE(0), md5.readBigUInt64LE(8)];
}

/** Bit i of a probe: h1 + i * h2 (mod 2^64), mod the bit count. */
function bitIndex(h1: bigint, h2: bigint, i: number, bitCount: number): number {
  return Number(((h1 + BigInt(i) * h2) & MASK64) % BigInt(bitCount));
}

/**
 * The bloom filter of an existence filter's `unchanged_names`: the full names of the
 * documents in the target, so that a client whose count disagrees can drop exactly the
 * documents the filter does not contain instead of re-running the whole query. Undefined
 * for an empty target (an empty bitmap carries nothing).
 */
export function buildBloomFilter(names: readonly string[], falsePositiveRate = FALSE_POSITIVE_RATE): BloomFilterJson | undefined {
  const n = names.length;
  if (n === 0) return undefined;
  const bitCount = Math.max(8, Math.ceil((-n * Math.log(falsePositiveRate)) / (Math.LN2 * Math.LN2)));
  const hashCount = Math.max(1, Math.round((bitCount / n) * Math.LN2));
  const bitmap = Buffer.alloc(Math.ceil(bitCount / 8));
  for (const name of names) {
    const [h1, h2] = hashes(name);
    for (let i = 0; i < hashCount; i++) {
      const bit = bitIndex(h1, h2, i, bitCount);
      bitmap[bit >> 3]! |= 1 << (bit & 7);
    }
  }
  return { bits: { bitmap: bitmap.toString('base64'), padding: bitmap.length * 8 - bitCount }, hashCount };
}

/** Membership test exactly as the client SDKs run it (for tests and tools). */
export function mightContain(filter: BloomFilterJson, name: string): boolean {
  const bitmap = Buffer.from(filter.bits.bitmap, 'base64');
  const bitCount = bitmap.length * 8 - filter.bits.padding;
  if (bitCount === 0) return false;
  const [h1, h2] = hashes(name);
  for (let i = 0; i < filter.hashCount; i++) {
    const bit = bitIndex(h1, h2, i, bitCount);
    if ((bitmap[bit >> 3]! & (1 << (bit & 7))) === 0) return false;
  }
  return true;
}
