import type { FaultInjector } from '../../faults/index.js';
import { invalidArgument } from '../../model/index.js';
import type { Router } from './router.js';
import { readBody, sendJson } from './router.js';

/**
 * Fault injection endpoints (emulator-only), per project:
 * - `POST /emulator/v1/projects/{p}:faults` with `{"dropStreams": true, "delays": {"Commit": 200, "*": 50},
 *   "failCommits": {"count": 2, "status": "ABORTED"}}` (every part optional) applies them and answers
 *   the active faults plus `dropped` (streams dropped now);
 * - `GET` answers the active faults, the project's open streams and counters;
 * - `DELETE` removes the project's delays and pending commit failures.
 */
export function addFaultRoutes(router: Router, faults: FaultInjector): void {
  const path = /^\/emulator\/v1\/projects\/(?<project>[^/:]+):faults$/;
  router.add('GET', path, ({ res, params }) => sendJson(res, 200, faults.snapshot(params.project!)));
  router.add('DELETE', path, ({ res, params }) => {
    faults.clear(params.project!);
    sendJson(res, 200, {});
  });
  router.add('POST', path, async ({ req, res, params }) => {
    const text = await readBody(req, 1024 * 1024);
    let body: unknown = {};
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw invalidArgument(`Invalid JSON payload received. ${(err as Error).message}`);
      }
    }
    sendJson(res, 200, faults.configure(params.project!, body));
  });
}
