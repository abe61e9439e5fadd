import type { Router } from '../frontends/http/router.js';
import { readBody, sendJson } from '../frontends/http/router.js';
import { FirestoreError, invalidArgument } from '../model/index.js';
import type { ExportSummary } from './export-store.js';

/**
 * `POST /emulator/v1/projects/{p}:export` with an optional body `{"exportDirectory": "dir"}`
 * (Google's emulator names it `export_directory`; both are read) writes every database of
 * every project to that directory, or to the `--export-on-exit` directory when the body names
 * none. Answers `{"exportDirectory", "documents", "documentsFile"}`.
 */
export function addExportRoute(router: Router, exportTo: (dir: string) => Promise<ExportSummary>, defaultDirectory: () => string | undefined): void {
  router.add('POST', /^\/emulator\/v1\/projects\/(?<project>[^/:]+):export$/, async ({ req, res }) => {
    const text = await readBody(req, 64 * 1024);
    let body: { exportDirectory?: unknown; export_directory?: unknown } = {};
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text) as typeof body;
      } catch (err) {
        throw invalidArgument(`Invalid JSON payload received. ${(err as Error).message}`);
      }
    }
    const named = body.exportDirectory ?? body.export_directory;
    if (named !== undefined && (typeof named !== 'string' || named === '')) throw invalidArgument('"exportDirectory" must be a directory path.');
    const dir = named ?? defaultDirectory();
    if (!dir) throw invalidArgument('Name an "exportDirectory" (the emulator was started without --export-on-exit).');
    let summary: ExportSummary;
    try {
      summary = await exportTo(dir);
    } catch (err) {
      throw new FirestoreError('INTERNAL', `Export to ${dir} failed: ${(err as Error).message}`);
    }
    sendJson(res, 200, { exportDirectory: summary.directory, documents: summary.documents, documentsFile: summary.documentsFile });
  });
}
