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

/**
 * A plain Uint8Array over the same memory: firebase-admin hands out Buffers (a subclass),
 * which compare unequal to the Uint8Array that was written and carry Node-only methods.
 */
function plain(v: Uint8Array): Uint8Array {
  return v.constructor === Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

export const bytesValue = z.codec(bytesInput, z.custom<Uint8Array>((v) => v instanceof Uint8Array), {
  decode: (v) => plain(v instanceof Uint8Array ? v : v.toUint8Array()),
  encode: (u) => u,
});
