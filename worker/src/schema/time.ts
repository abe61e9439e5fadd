import { z } from 'zod';

/**
 * Times are epoch milliseconds in the domain and Firestore Timestamps in documents.
 *
 * Both SDKs (firebase-admin and the web SDK) store a JS `Date` as a timestampValue and read
 * it back as their own `Timestamp` class with `toMillis()`. Encoding to `Date` therefore keeps
 * one schema for worker, dashboard and tests without importing either SDK here. TTL policies
 * and security rules (`request.time`) need real timestamp fields, which is why times are not
 * stored as plain numbers.
 */
export interface TimestampLike {
  toMillis(): number;
}

const timestampInput = z.union([
  z.number().finite(),
  z.date(),
  z.custom<TimestampLike>(
    (v) => typeof v === 'object' && v !== null && typeof (v as TimestampLike).toMillis === 'function',
    { message: 'expected a Firestore Timestamp' },
  ),
]);

export const timestampMs = z.codec(timestampInput, z.number().finite(), {
  decode: (v) => (typeof v === 'number' ? v : v instanceof Date ? v.getTime() : v.toMillis()),
  encode: (ms) => new Date(ms),
});

/** Duration in milliseconds; never negative. */
export const durationMs = z.number().int().nonnegative();
