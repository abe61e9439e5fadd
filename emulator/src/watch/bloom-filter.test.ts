import { describe, expect, it } from 'vitest';
import { buildBloomFilter, mightContain } from './bloom-filter.js';

const names = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `projects/p/databases/(default)/documents/coll/${prefix}${i}`);

describe('existence filter bloom filter (unchanged_names)', () => {
  it('contains every name it was built from, including non-ASCII ids', () => {
    const members = [...names('doc', 500), 'projects/p/databases/(default)/documents/c/Smiley_\u{1F600}', 'projects/p/databases/(default)/documents/c/e\u0301'];
    const filter = buildBloomFilter(members)!;
    expect(filter.hashCount).toBeGreaterThan(0);
    expect(filter.bits.padding).toBeGreaterThanOrEqual(0);
    expect(filter.bits.padding).toBeLessThan(8);
    for (const m of members) expect(mightContain(filter, m)).toBe(true);
    // Canonically equivalent but different code points are different names.
    expect(mightContain(buildBloomFilter(['projects/p/databases/(default)/documents/c/\u00e9'])!, 'projects/p/databases/(default)/documents/c/e\u0301')).toBe(false);
  });

  it('keeps false positives near the 1% target (deterministic: MD5 of fixed names)', () => {
    const filter = buildBloomFilter(names('in', 1000))!;
    const positives = names('out', 10_000).filter((n) => mightContain(filter, n)).length;
    expect(positives).toBeLessThan(300);
  });

  it('is absent for an empty target', () => {
    expect(buildBloomFilter([])).toBeUndefined();
  });
});
