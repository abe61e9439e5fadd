import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { collectionOf } from '../model/index.js';
import type { Database, Store } from '../store/index.js';
import { ExportFormatError, FIREBASE_CLI_MANIFEST, MANIFEST_FILE, checkManifest, decodeDocumentLine } from './export-format.js';

export interface ImportSummary {
  /** Absolute import directory. */
  directory: string;
  documents: number;
  /** The export's own time (from its manifest). */
  exportTime: string;
}

function readManifest(directory: string): ReturnType<typeof checkManifest> {
  const path = join(directory, MANIFEST_FILE);
  if (!existsSync(path)) {
    if (existsSync(join(directory, FIREBASE_CLI_MANIFEST))) {
      throw new ExportFormatError(
        `${directory} holds an export of Google's emulator (${FIREBASE_CLI_MANIFEST}), whose LevelDB format this emulator cannot read. Export the data again from this emulator.`,
      );
    }
    throw new ExportFormatError(`${directory} holds no export (no ${MANIFEST_FILE}).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ExportFormatError(`Cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return checkManifest(json, path);
}

/**
 * Loads an export (see export-format.ts) into `store`, keeping every document's create and
 * update time; later commits are stamped after the newest imported update time. Meant for a
 * store nobody has written yet (the emulator's start): a document that already exists, or
 * appears twice, is an error. Throws ExportFormatError naming the file and line.
 */
export async function importStore(store: Store, dir: string): Promise<ImportSummary> {
  const directory = resolve(dir);
  const manifest = readManifest(directory);
  const file = join(directory, manifest.documentsFile);
  if (!existsSync(file)) throw new ExportFormatError(`${file}, named by ${MANIFEST_FILE}, is missing.`);

  const databases = new Map<string, Database>();
  let documents = 0;
  let newest = 0n;
  let lineNo = 0;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const where = `${file}:${lineNo}`;
    const { database, doc } = decodeDocumentLine(line, where);
    const key = `${database.projectId}/${database.databaseId}`;
    let db = databases.get(key);
    if (!db) {
      db = store.database(database);
      databases.set(key, db);
    }
    if (db.get(doc.path)) throw new ExportFormatError(`${where}: document ${doc.path} of ${key} appears twice.`);
    db.applyChanges(doc.updateTime, [{ path: doc.path, collectionPath: collectionOf(doc.path), before: null, after: doc }]);
    if (doc.updateTime > newest) newest = doc.updateTime;
    documents++;
  }
  if (documents !== manifest.documents) {
    throw new ExportFormatError(`${file} holds ${documents} documents but ${MANIFEST_FILE} says ${manifest.documents}: the export is incomplete.`);
  }
  store.clock.observe(newest);
  return { directory, documents, exportTime: manifest.exportTime };
}
