/**
 * Hostile values for the enqueue fuzzer, drawn from a seeded source. Each family targets
 * one way input goes wrong in the field: wrong JSON types, strings past every limit,
 * unicode that breaks naive code (lone surrogates, NUL, bidi overrides, combining marks),
 * ids that look like paths or reserved names, numbers that are not numbers.
 */
export type Random = () => number;

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function int(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export const WRONG_TYPES: readonly unknown[] = [
  0,
  -1,
  1.5,
  true,
  false,
  null,
  [],
  ['a'],
  {},
  { toString: 'x' },
  '',
  '0',
  Symbol.for('fuzz'),
  10n,
  () => 'x',
  new Date(0),
  new Map([['a', 1]]),
];

export const UNICODE_EDGE: readonly string[] = [
  '\uD800', // lone high surrogate
  'a\uDC00b', // lone low surrogate
  '\u0000', // NUL
  'x\u0000y',
  '\u202Eevil\u202C', // right-to-left override
  '\u200B\u200D\uFEFF', // zero-width characters and BOM
  'e\u0301\u0301\u0301', // stacked combining marks
  '🧑‍🤝‍🧑', // ZWJ emoji sequence
  'İıſK', // case-mapping traps
  '\u{10FFFF}', // last code point
  '\uFFFE\uFFFF', // noncharacters
  ' \t\n ', // whitespace only
];

export const PATH_LIKE: readonly string[] = [
  '../x',
  '../../etc/passwd',
  'a/b',
  '/',
  '/leading',
  'trailing/',
  '.',
  '..',
  '__x__',
  '__name__',
  '__proto__',
  'constructor',
  'a\\b',
  '%2e%2e%2f',
  'x'.repeat(1_600),
];

/** Each refused as an audio duration (finite, 0..86,400 s). */
export const BAD_NUMBERS: readonly number[] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, -1e-9, 1e308, Number.MAX_SAFE_INTEGER + 2, 86_401];

export const BAD_MIME_TYPES: readonly string[] = [
  'audio/x-evil',
  'text/html',
  '',
  'AUDIO/WAV',
  'audio/wav; codecs=1',
  'image/png',
  'application/octet-stream',
  'audio/wav\u0000',
  '../audio/wav',
];

/** A string of `length` from a family: ASCII, multi-byte, or unicode edge cases. */
export function hugeString(random: Random, length: number): string {
  const unit = pick(random, ['x', 'é', '漢', '🎧', '\uD800']);
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

export function unicodeString(random: Random): string {
  return `u${pick(random, UNICODE_EDGE)}${int(random, 0, 99)}`;
}
