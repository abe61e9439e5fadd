import { z } from 'zod';

/**
 * Strings that reach Firestore. Firestore stores UTF-8, so a JavaScript string with a lone
 * UTF-16 surrogate cannot be stored as it is: the SDKs send U+FFFD in its place. As a value
 * that silently changes what was written (two idempotency keys that differ only there
 * become one); as a document id it names another document than the one asked for (the
 * admin SDK then fails with an untyped "Did not receive document"). Such strings are refused
 * at the boundary instead.
 */

// In `u` mode a well-formed pair is one code point, so only a lone surrogate matches.
// (`String.prototype.isWellFormed` does the same but is not in every browser the dashboard
// supports, nor in the ES2023 library this code compiles against.)
const LONE_SURROGATE = /\p{Cs}/u;

export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

export const MALFORMED_TEXT_MESSAGE = 'must be well-formed unicode (no lone UTF-16 surrogates)';

/** A string schema that refuses lone surrogates. */
export function wellFormedString(): z.ZodString {
  return z.string().refine(isWellFormedText, MALFORMED_TEXT_MESSAGE);
}

/** Length in Unicode code points (an emoji is 1, not 2 UTF-16 units). */
export function codePointLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/**
 * At most `max` characters, counted as the security rules count them (`string.size()` counts
 * code points), so a browser-written string the rules accept is one the schema accepts; `.max()`
 * counts UTF-16 units and refused 1,000 emoji the rules let through.
 */
export function maxChars(max: number): [(value: string) => boolean, { message: string }] {
  return [(value) => codePointLength(value) <= max, { message: `must be at most ${max} characters` }];
}

/** Firestore's limit on a document id, in UTF-8 bytes. */
export const MAX_DOCUMENT_ID_BYTES = 1_500;

const RESERVED_ID = /^__.*__$/s;

/**
 * Why `id` cannot name a Firestore document, or null when it can: empty, over 1,500 bytes,
 * containing "/", "." or "..", reserved (`__.*__`), or not well-formed unicode.
 */
export function documentIdProblem(id: string): string | null {
  if (id.length === 0) return 'must not be empty';
  if (!isWellFormedText(id)) return MALFORMED_TEXT_MESSAGE;
  if (id.includes('/')) return 'must not contain "/" (it would name a document in a subcollection)';
  if (id === '.' || id === '..') return 'must not be "." or ".."';
  if (RESERVED_ID.test(id)) return 'must not match __.*__ (reserved by Firestore)';
  if (new TextEncoder().encode(id).length > MAX_DOCUMENT_ID_BYTES) return `must be at most ${MAX_DOCUMENT_ID_BYTES} bytes of UTF-8`;
  return null;
}

/**
 * A string that names a document: 1 to `max` characters (after trimming, with `trim`) that
 * form a legal Firestore document id. One issue per problem (an empty string is `min`'s).
 */
export function documentIdString(max: number, options: { trim?: boolean } = {}): z.ZodString {
  const base = options.trim ? z.string().trim() : z.string();
  return base
    .min(1)
    .max(max)
    .superRefine((id, ctx) => {
      const problem = id.length > 0 ? documentIdProblem(id) : null;
      if (problem) ctx.addIssue({ code: 'custom', message: `must be a valid document id: ${problem}` });
    });
}
