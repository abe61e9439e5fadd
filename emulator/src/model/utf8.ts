/**
 * Firestore orders strings by their UTF-8 bytes. JS strings are UTF-16: comparing code units
 * gives the UTF-8 order except when a surrogate (a code point above U+FFFF) meets a code unit
 * at or above U+E000, where the surrogate must sort last.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Byte length of a string in UTF-8 (Firestore's size limits count bytes). */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether a string has a UTF-8 form: no unpaired surrogate (what a JSON `\ud800` escape can
 * produce). Firestore strings, field names and ids must be valid UTF-8.
 */
export function isValidUtf8String(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}
