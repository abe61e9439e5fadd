import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DatabaseId, StoredDocument } from '../model/index.js';
import { comparePathStrings, formatNanos } from '../model/index.js';
import type { Store } from '../store/index.js';
import type { ExportManifest } from './export-format.js';
import { EXPORT_FORMAT, EXPORT_VERSION, MANIFEST_FILE, encodeDocumentLine } from './export-format.js';

export interface ExportSummary {
  /** Absolute export directory. */
  directory: string;
  documents: number;
  documentsFile: string;
}

/** Lines are written in chunks of about this many characters. */
const CHUNK_CHARS = 1 << 20;

/**
 * The live documents of every database, taken synchronously: stored versions are never
 * changed in place, so later commits cannot alter what this returns (a consistent snapshot).
 */
function snapshot(store: Store): Array<{ db: DatabaseId; docs: StoredDocument[] }> {
  const out: Array<{ db: DatabaseId; docs: StoredDocument[] }> = [];
  const databases = [...store.allDatabases()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const database of databases) {
    const docs: StoredDocument[] = [];
    const collections = [...database.allCollections()].sort((a, b) => comparePathStrings(a.path, b.path));
    for (const c of collections) for (const doc of c.liveDocs()) docs.push(doc);
    if (docs.length > 0) out.push({ db: database.id, docs });
  }
  return out;
}

async function previousDocumentsFile(dir: string): Promise<string | undefined> {
  try {
    const m = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as Partial<ExportManifest>;
    return m.format === EXPORT_FORMAT && typeof m.documentsFile === 'string' && /^[\w.-]+$/.test(m.documentsFile) ? m.documentsFile : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes every database's live documents to `dir` (created if needed) in the export format
 * (see export-format.ts). Crash-safe: the documents go to a new file, then the manifest is
 * replaced atomically to point at it, then the previous export's documents file is removed;
 * an interrupted export leaves the previous one readable.
 */
export async function exportStore(store: Store, dir: string): Promise<ExportSummary> {
  const directory = resolve(dir);
  const data = snapshot(store);
  const exportTime = formatNanos(store.clock.nowNanos());
  await mkdir(directory, { recursive: true });
  const previous = await previousDocumentsFile(directory);
  const documentsFile = `documents-${Date.now()}-${randomBytes(3).toString('hex')}.jsonl`;

  let documents = 0;
  const file = await open(join(directory, documentsFile), 'w');
  try {
    let chunk = '';
    for (const { db, docs } of data) {
      for (const doc of docs) {
        chunk += encodeDocumentLine(db, doc) + '\n';
        documents++;
        if (chunk.length >= CHUNK_CHARS) {
          await file.write(chunk);
          chunk = '';
        }
      }
    }
    if (chunk) await file.write(chunk);
    await file.sync();
  } finally {
    await file.close();
  }

  const manifest: ExportManifest = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportTime, documentsFile, documents };
  const tmp = join(directory, `${MANIFEST_FILE}.${process.pid}.tmp`);
  await open(tmp, 'w').then(async (h) => {
    try {
      await h.write(JSON.stringify(manifest, null, 2) + '\n');
      await h.sync();
    } finally {
      await h.close();
    }
  });
  await rename(tmp, join(directory, MANIFEST_FILE));
  if (previous && previous !== documentsFile) await rm(join(directory, previous), { force: true });
  return { directory, documents, documentsFile };
}
