import { invalidArgument } from '../../model/index.js';

/**
 * How deeply a JSON request may nest. Firestore values nest at most 20 maps/arrays, which is
 * about 60 JSON levels plus a request's envelope and filters; protocol buffers cap messages
 * at 100 levels. Past this the request is refused before anything recursive (JSON.parse,
 * the proto-JSON reader, value normalisation) sees it, so no depth can exhaust the stack
 * and come back as INTERNAL (which the web SDK retries forever).
 */
export const MAX_JSON_NESTING = 200;

/** The deepest nesting of objects/arrays in JSON text (strings skipped), scanned iteratively. */
export function jsonNesting(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return max;
}

/** Parses a JSON request (body or stream message); malformed or too deep is INVALID_ARGUMENT. */
export function parseJsonText(text: string, what = 'request'): unknown {
  if (jsonNesting(text, MAX_JSON_NESTING) > MAX_JSON_NESTING) {
    throw invalidArgument(`Invalid JSON payload received. The ${what} nests more than ${MAX_JSON_NESTING} levels deep.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw invalidArgument(`Invalid JSON payload received. ${(err as Error).message}`);
  }
}
