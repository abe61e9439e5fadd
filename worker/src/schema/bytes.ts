import { z } from 'zod';

/**
 * Binary data. firebase-admin returns a Buffer, the web SDK a `Bytes` object with
 * `toUint8Array()`. The domain value is a Uint8Array; writers wrap it for their SDK
 * (the web SDK needs `Bytes.fromUint8Array`, the admin SDK takes a Uint8Array/Buffer).
 */
export interface BytesLike {
  toUint8Array(): Uint8Array;
}

const bytesInput = z.union([
  z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected bytes' }),
  z.custom<BytesLike>(
    (v) => typeof v === 'object' && v !== null && typeof (v as BytesLike).toUint8Array === 'function',
    { message: 'expected bytes' },
  ),
]);

export const bytesValue = z.codec(bytesInput, z.custom<Uint8Array>((v) => v instanceof Uint8Array), {
  decode: (v) => (v instanceof Uint8Array ? v : v.toUint8Array()),
  encode: (u) => u,
});
