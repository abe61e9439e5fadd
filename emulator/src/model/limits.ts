import { invalidArgument } from './errors.js';
import type { FirestoreError } from './errors.js';

/**
 * Firestore's request size limit: "Maximum size of an API request: 10 MiB", measured on
 * the request message as protocol buffers (what every transport carries once decoded).
 */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** Firestore's answer to a request over the limit (INVALID_ARGUMENT, HTTP 400). */
export function requestTooLarge(): FirestoreError {
  return invalidArgument(`Request payload size exceeds the limit: ${MAX_REQUEST_BYTES} bytes.`);
}
