/**
 * The emulator's on-disk export format, version 1 (documented in the emulator README):
 *
 * - `<dir>/firestore-export.json`, the manifest:
 *   `{"format": "fq-firestore-export", "version": 1, "exportTime": "<RFC 3339>",
 *     "documentsFile": "documents-<stamp>.jsonl", "documents": <count>}`
 * - `<dir>/<documentsFile>`: one JSON object per line, each a Firestore REST `Document`:
 *   `{"name": "projects/P/databases/D/documents/<path>", "createTime": "...",
 *     "updateTime": "...", "fields": {...}}`, values in the proto3-JSON shape of the REST API
 *   (integers as decimal strings, bytes as base64, timestamps as RFC 3339 with up to 9
 *   fractional digits). The one addition: a double -0 is written as the string `"-0"`
 *   (JSON has no negative zero), as NaN and the infinities already are (`"NaN"`,
 *   `"Infinity"`, `"-Infinity"`). Every line stays valid proto3 JSON.
 *
 * Lines are sorted by name. Missing documents that only hold subcollections have no line.
 */
import type { DatabaseId, StoredDocument } from '../model/index.js';
import { formatNanos, normalizeFields, parseDocumentName, parseToNanos } from '../model/index.js';

export const EXPORT_FORMAT = 'fq-firestore-export';
export const EXPORT_VERSION = 1;
export const MANIFEST_FILE = 'firestore-export.json';
/** The Firebase CLI's export manifest (Google's emulator's format, which we cannot read). */
export const FIREBASE_CLI_MANIFEST = 'firebase-export-metadata.json';

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  version: number;
  exportTime: string;
  documentsFile: string;
  documents: number;
}

/** One document as read back from an export. */
export interface ImportedDocument {
  database: DatabaseId;
  doc: StoredDocument;
}

/** An export or import problem that names the file and line; the CLI prints the message. */
export class ExportFormatError extends Error {
  override name = 'ExportFormatError';
}

const encodeNegativeZero = (key: string, value: unknown): unknown => (key === 'doubleValue' && Object.is(value, -0) ? '-0' : value);

/** One line (without the newline) for `doc` of database `db`. */
export function encodeDocumentLine(db: DatabaseId, doc: StoredDocument): string {
  return JSON.stringify(
    {
      name: `projects/${db.projectId}/databases/${db.databaseId}/documents/${doc.path}`,
      createTime: formatNanos(doc.createTime),
      updateTime: formatNanos(doc.updateTime),
      fields: doc.fields,
    },
    encodeNegativeZero,
  );
}

/**
 * Reads one line back. Values are validated and canonicalised exactly as a write's are
 * (int64 range, base64, geo ranges, reference names, nesting), so imported data is data the
 * emulator could have stored. Throws ExportFormatError naming `where` (file:line).
 */
export function decodeDocumentLine(line: string, where: string): ImportedDocument {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    throw new ExportFormatError(`${where}: not JSON (${(err as Error).message}).`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new ExportFormatError(`${where}: expected a document object.`);
  const { name, createTime, updateTime, fields } = json as Record<string, unknown>;
  try {
    if (typeof name !== 'string') throw new Error('"name" must be a document name');
    const parsed = parseDocumentName(name);
    const create = parseToNanos(createTime);
    const update = parseToNanos(updateTime);
    if (update < create) throw new Error('"updateTime" is before "createTime"');
    const doc: StoredDocument = { path: parsed.path, fields: normalizeFields(fields ?? {}), createTime: create, updateTime: update };
    return { database: { projectId: parsed.projectId, databaseId: parsed.databaseId }, doc };
  } catch (err) {
    throw new ExportFormatError(`${where}: ${(err as Error).message}.`, { cause: err });
  }
}

/** Validates a parsed manifest; `where` names the file in messages. */
export function checkManifest(json: unknown, where: string): ExportManifest {
  const m = json as Partial<ExportManifest> | null;
  if (!m || typeof m !== 'object' || m.format !== EXPORT_FORMAT) throw new ExportFormatError(`${where} is not an ${EXPORT_FORMAT} manifest.`);
  if (m.version !== EXPORT_VERSION) {
    throw new ExportFormatError(`${where} has format version ${String(m.version)}; this emulator reads version ${EXPORT_VERSION}.`);
  }
  if (typeof m.documentsFile !== 'string' || !/^[\w.-]+$/.test(m.documentsFile)) throw new ExportFormatError(`${where}: "documentsFile" must be a file name.`);
  return m as ExportManifest;
}
