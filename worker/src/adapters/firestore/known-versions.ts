import type { Timestamp } from 'firebase-admin/firestore';

/**
 * What the adapter knows of one document at one exact version (its `updateTime`): the domain
 * document, and the fields the domain document has a value for but the stored one lacks (a
 * default filled in on decoding, e.g. a browser-written submission's engine fields).
 */
export interface KnownVersion {
  version: Timestamp;
  doc: Record<string, unknown>;
  /** Fields with a value in `doc` that the stored document does not have. */
  absent: readonly string[];
  /**
   * Decoded from what the store returned (true), or what this adapter wrote (false). Only
   * decoded ones are handed to readers: a written document is known field by field, but
   * its decoded form may differ in what encoding drops (sub-millisecond times).
   */
  decoded: boolean;
}

/**
 * The last known version of recently read or written documents, by path. Two uses, both
 * keyed by the exact version so a hit is always the stored document:
 * - a document read again at a version already decoded is not decoded again (the queue
 *   head reaches a worker through its listener and its polls, several times per job);
 * - a guarded write over a known version sends only the fields that changed (see
 *   `changedFields`): the precondition already pins every other field, so the result is the
 *   document a full replacement would write, without re-encoding, re-sending and
 *   re-storing the rest (a job's inline audio on every claim).
 * Bounded: the least recently used entries go first. The hot set is a worker's head window
 * and the jobs it holds; 128 documents of at most ~1 MiB (inline audio is at most 256 KiB,
 * 64 KiB by default) keep the memory it can pin small.
 */
export class KnownVersions {
  private readonly byPath = new Map<string, KnownVersion>();

  constructor(private readonly capacity = 128) {}

  /** The entry of `path` if it is exactly at `version`. */
  get(path: string, version: Timestamp): KnownVersion | null {
    const entry = this.byPath.get(path);
    if (!entry || !entry.version.isEqual(version)) return null;
    // Most recently used last (Map keeps insertion order).
    this.byPath.delete(path);
    this.byPath.set(path, entry);
    return entry;
  }

  remember(path: string, entry: KnownVersion): void {
    this.byPath.delete(path);
    this.byPath.set(path, entry);
    if (this.byPath.size > this.capacity) this.byPath.delete(this.byPath.keys().next().value!);
  }

  forget(path: string): void {
    this.byPath.delete(path);
  }

  get size(): number {
    return this.byPath.size;
  }
}

/** The domain fields a decoded document has values for that its stored form lacks. */
export function absentFields(doc: Record<string, unknown>, raw: Record<string, unknown> | undefined): string[] {
  const absent: string[] = [];
  for (const key of Object.keys(doc)) if (doc[key] !== undefined && (!raw || !(key in raw))) absent.push(key);
  return absent;
}

/** Structural equality of domain values (JSON-like data, Uint8Array bytes). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/**
 * The top-level fields of `next` to write over a stored document known to be `base`, so the
 * stored result is the one writing every field of `next` would give: the fields whose value
 * changed, and those the stored document lacks. A field `next` leaves undefined is left out
 * (a full write leaves it out too: undefined values are not written). Null when nothing
 * differs (the caller then writes in full: a write must carry at least one field).
 */
export function changedFields(base: KnownVersion, next: Record<string, unknown>): Record<string, unknown> | null {
  const fields: Record<string, unknown> = {};
  let any = false;
  for (const key of Object.keys(next)) {
    const value = next[key];
    if (value === undefined) continue;
    if (sameValue(base.doc[key], value) && !base.absent.includes(key)) continue;
    fields[key] = value;
    any = true;
  }
  return any ? fields : null;
}
