import { DEFAULT_DATABASE } from '../../model/index.js';
import type { FirestoreService } from '../../service/index.js';
import type { Router } from './router.js';
import { sendJson, sendText } from './router.js';

const SEGMENT = '[^/:]+';

/**
 * Google-emulator-compatible endpoints:
 * - `GET /`: health check, answers `Ok`.
 * - `DELETE /emulator/v1/projects/{p}/databases/{d}/documents`: clear one database.
 * - `GET /emulator/v1/projects/{p}:meter`: billable operations of project p (see Meter).
 * - `DELETE /emulator/v1/projects/{p}:meter`: reset that project's counters.
 */
export function addEmulatorRoutes(router: Router, service: FirestoreService): void {
  router.add('GET', /^\/$/, ({ res }) => sendText(res, 200, 'Ok'));
  router.add('GET', /^\/emulator\/v1\/health$/, ({ res }) => sendText(res, 200, 'Ok'));
  router.add(
    'DELETE',
    new RegExp(`^/emulator/v1/projects/(?<project>${SEGMENT})/databases/(?<database>${SEGMENT})/documents/?$`),
    ({ res, params }) => {
      service.clearDatabase({ projectId: params.project!, databaseId: params.database ?? DEFAULT_DATABASE });
      sendJson(res, 200, {});
    },
  );
  const meter = new RegExp(`^/emulator/v1/projects/(?<project>${SEGMENT}):meter$`);
  router.add('GET', meter, ({ res, params }) => sendJson(res, 200, service.meterSnapshot(params.project!)));
  router.add('DELETE', meter, ({ res, params }) => {
    service.resetMeter(params.project!);
    sendJson(res, 200, {});
  });
}
