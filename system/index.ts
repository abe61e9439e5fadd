/**
 * The whole Firequeue system on one call: `startSystem(options)` brings up the emulators,
 * the fake Gemini, worker processes, demo traffic and the dashboard, and returns a handle
 * with the operations tests, the benchmark and the chaos harness need (see system/README.md).
 * `SystemClient` offers the same operations from another process (through the control API).
 */
export { startSystem } from './start-system.js';
export { SystemClient, SYSTEM_INFO_ENV } from './control/client.js';
export { resolveSystemOptions, SystemOptionsError, DEFAULT_ADMIN, DEFAULT_USER, DEFAULT_FAKE_GEMINI, DEFAULT_PROJECT_ID } from './options.js';
export { NotAvailableError, SystemStartError, UnknownWorkerError } from './types.js';
export type {
  Account,
  ExitInfo,
  SystemEvent,
  SystemFailure,
  SystemHandle,
  SystemInfo,
  SystemOperations,
  SystemOptions,
  SystemPorts,
  TrafficOptions,
  TrafficStats,
  WorkerInfo,
  WorkerState,
} from './types.js';
export { TrafficSchedule, trafficOptionsSchema, type TrafficEvent } from './traffic/plan.js';
export { ensureAccount, type AccountSpec, type AccountResult } from './auth/accounts.js';
