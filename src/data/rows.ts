import type { CollectionKey } from '@fq/worker/schema';
import { decodeDoc, type DocOf } from './schemas';

/**
 * A document as the UI sees it. A document that fails validation is kept as an error row
 * (id + message + the raw fields) so one bad write shows up in the table instead of
 * crashing the page or silently disappearing.
 */
export type Row<T> = { id: string; ok: true; data: T } | { id: string; ok: false; error: string; raw: unknown };
export type OkRow<T> = Extract<Row<T>, { ok: true }>;
export type ErrorRow = { id: string; ok: false; error: string; raw: unknown };

interface IssueLike {
  path: readonly PropertyKey[];
  message: string;
}

function describe(error: unknown): string {
  const issues = (error as { issues?: IssueLike[] } | null)?.issues;
  if (Array.isArray(issues) && issues.length > 0) {
    const shown = issues
      .slice(0, 3)
      .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(document)'}: ${i.message}`)
      .join('; ');
    return `invalid document: ${shown}${issues.length > 3 ? ` (+${issues.length - 3} more)` : ''}`;
  }
  return `invalid document: ${error instanceof Error ? error.message : String(error)}`;
}

/** Decodes with the collection's schema (codecs: Timestamps to ms, Bytes to Uint8Array). */
export function decodeRow<K extends CollectionKey>(collection: K, id: string, raw: unknown): Row<DocOf<K>> {
  try {
    return { id, ok: true, data: decodeDoc(collection, raw) };
  } catch (error) {
    return { id, ok: false, error: describe(error), raw };
  }
}

/**
 * A document for display: the console never keeps a job's inline audio (`inlineAudio`, up to
 * `payload.inlineMaxBytes` of raw bytes on small server-submitted jobs). Firestore cannot
 * project a listener, so the bytes are downloaded with the job; this drops them right after
 * decoding, so a table page of jobs does not hold their audio in memory (the query cache,
 * devtools) and nothing renders it: views show the descriptor (`audio`). Null, as for a job
 * whose audio was released. Transaction reads (controls) keep the document whole, since
 * they write it back.
 */
export function viewRow<K extends CollectionKey>(collection: K, row: Row<DocOf<K>>): Row<DocOf<K>> {
  if (collection !== 'jobs' || !row.ok) return row;
  const job = row.data as DocOf<'jobs'>;
  if (job.inlineAudio == null) return row;
  return { ...row, data: { ...job, inlineAudio: null } as DocOf<K> };
}

/** Decodes for display (`viewRow`). */
export function decodeViewRow<K extends CollectionKey>(collection: K, id: string, raw: unknown): Row<DocOf<K>> {
  return viewRow(collection, decodeRow(collection, id, raw));
}

export function okRows<T>(rows: readonly Row<T>[]): OkRow<T>[] {
  return rows.filter((r): r is OkRow<T> => r.ok);
}

export function errorRows<T>(rows: readonly Row<T>[]): ErrorRow[] {
  return rows.filter((r): r is ErrorRow => !r.ok);
}
