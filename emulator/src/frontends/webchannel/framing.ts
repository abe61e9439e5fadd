import { invalidArgument } from '../../model/index.js';

/**
 * WebChannel (closure BrowserChannel protocol version 8) wire format, as the
 * `@firebase/webchannel-wrapper` client parses it. Pure functions, no I/O.
 *
 * Server -> client: a response body is a sequence of chunks `<length>\n<json>` where the
 * length counts JavaScript string characters (UTF-16 code units, not bytes). Backchannel
 * chunks hold arrays of `[arrayId, payload]`; array ids increase by one per payload and the
 * client drops ids it has seen (so a resend after a lost backchannel is safe).
 */

/** Protocol version (the `VER` parameter) and the server version we announce. */
export const CHANNEL_VERSION = 8;
export const SERVER_VERSION = 14;

/** Length-prefixes one chunk of JSON text. */
export function frame(json: string): string {
  return `${json.length}\n${json}`;
}

/** One backchannel array `[id, payload]` as JSON text. */
export function arrayText(id: number, payload: unknown): string {
  return `[${id},${JSON.stringify(payload)}]`;
}

/** A chunk carrying several pre-serialised arrays. */
export function arraysChunk(arrayTexts: readonly string[]): string {
  return frame(`[${arrayTexts.join(',')}]`);
}

/** The handshake answer: array 0 is `["c", SID, hostPrefix, version, serverVersion, backchannelTimeoutMs]`. */
export function handshakeChunk(sid: string, backchannelTimeoutMs: number): string {
  return arraysChunk([arrayText(0, ['c', sid, '', CHANNEL_VERSION, SERVER_VERSION, backchannelTimeoutMs])]);
}

/**
 * The answer to a forward-channel POST: `[backchannelPresent, lastArrayIdSent, outstandingChars]`.
 * A first element 0 tells the client its backchannel is missing; a last id ahead of what the
 * client has seen makes a streaming client check its backchannel after a few seconds.
 */
export function forwardAckChunk(backchannelPresent: boolean, lastArrayIdSent: number, outstandingChars: number): string {
  return frame(JSON.stringify([backchannelPresent ? 1 : 0, lastArrayIdSent, outstandingChars]));
}

/** The stream-error payload the Firestore SDK looks for: `[{"error": {code, message, status}}]`. */
export function errorPayload(code: number, status: string, message: string): unknown[] {
  return [{ error: { code, message, status } }];
}

export const NOOP_PAYLOAD = ['noop'] as const;

/** One client message (a "map") of a forward POST or handshake. */
export interface ForwardMap {
  /** Sequence number of the map in the channel (0 for the first message ever sent). */
  id: number;
  /** The `__data__` value: the message JSON text (the SDK sends raw JSON). */
  data: string;
}

export interface ForwardBody {
  maps: ForwardMap[];
  /** The `headers` field (handshake only): `Name:Value\r\n` lines. */
  headers?: string;
}

const MAP_KEY = /^req(\d+)_(.+)$/;
const MAX_MAPS = 1000;

function decodeFormComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw invalidArgument('Invalid WebChannel body: a form field is not valid percent-encoded UTF-8.');
  }
}

/**
 * `application/x-www-form-urlencoded` text, decoded strictly: URLSearchParams turns bytes
 * that are not UTF-8 into U+FFFD, which would store something other than what was sent.
 */
function parseFormStrict(text: string): { get(name: string): string | null; [Symbol.iterator](): Iterator<[string, string]> } {
  const entries: Array<[string, string]> = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    entries.push(eq < 0 ? [decodeFormComponent(part), ''] : [decodeFormComponent(part.slice(0, eq)), decodeFormComponent(part.slice(eq + 1))]);
  }
  return {
    get: (name) => entries.find(([k]) => k === name)?.[1] ?? null,
    [Symbol.iterator]: () => entries[Symbol.iterator](),
  };
}

/**
 * Parses a forward POST body `count=N&ofs=K&req0___data__=...&req1___data__=...` (form
 * encoded). Map i has id `ofs + i`. Malformed bodies are INVALID_ARGUMENT.
 */
export function parseForwardBody(text: string): ForwardBody {
  const form = parseFormStrict(text);
  const countRaw = form.get('count');
  const count = countRaw === null ? 0 : Number(countRaw);
  if (!Number.isInteger(count) || count < 0 || count > MAX_MAPS) throw invalidArgument(`Invalid WebChannel map count "${countRaw}".`);
  const ofsRaw = form.get('ofs');
  const ofs = ofsRaw === null ? 0 : Number(ofsRaw);
  if (!Number.isInteger(ofs) || ofs < 0) throw invalidArgument(`Invalid WebChannel map offset "${ofsRaw}".`);
  const data = new Map<number, string>();
  for (const [key, value] of form) {
    const m = MAP_KEY.exec(key);
    if (!m) continue;
    const index = Number(m[1]);
    if (m[2] === 'type' && value === '_badmap') throw invalidArgument(`WebChannel map ${index} could not be encoded by the client.`);
    if (m[2] !== '__data__') throw invalidArgument(`Unsupported WebChannel map field "${key}" (only raw JSON __data__ maps are supported).`);
    if (index >= count) throw invalidArgument(`WebChannel map index ${index} is outside count ${count}.`);
    data.set(index, value);
  }
  const maps: ForwardMap[] = [];
  for (let i = 0; i < count; i++) {
    const d = data.get(i);
    if (d === undefined) throw invalidArgument(`WebChannel map ${i} of ${count} is missing its __data__.`);
    maps.push({ id: ofs + i, data: d });
  }
  const headers = form.get('headers');
  return headers === null ? { maps } : { maps, headers };
}

/** Parses `Name:Value\r\n` lines (the handshake's `headers` field) into lower-case names. */
export function parseHeaderBlock(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    if (line === '') continue;
    const i = line.indexOf(':');
    if (i <= 0) throw invalidArgument(`Malformed header line "${line.slice(0, 40)}" in the WebChannel handshake.`);
    out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

/** Parses a `$httpHeaders`-style JSON object of headers, if that is how a client sent them. */
export function parseHeaderJson(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return parseHeaderBlock(text);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidArgument('Malformed $httpHeaders parameter.');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) out[k.toLowerCase()] = String(v);
  return out;
}

/**
 * Client-side chunk reader (tests, the soak client): feed decoded text as it arrives, get
 * back every complete chunk. Mirrors the browser client: a length that is not a number is
 * an invalid chunk.
 */
export class ChunkReader {
  private buffer = '';

  push(text: string): string[] {
    this.buffer += text;
    const out: string[] = [];
    for (;;) {
      const nl = this.buffer.indexOf('\n');
      if (nl < 0) break;
      const size = Number(this.buffer.slice(0, nl));
      if (!Number.isInteger(size) || size < 0 || this.buffer.slice(0, nl).trim() === '') throw new Error(`Invalid chunk length "${this.buffer.slice(0, nl)}"`);
      if (this.buffer.length < nl + 1 + size) break;
      out.push(this.buffer.slice(nl + 1, nl + 1 + size));
      this.buffer = this.buffer.slice(nl + 1 + size);
    }
    return out;
  }

  get pending(): number {
    return this.buffer.length;
  }
}
