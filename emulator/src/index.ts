/** Public API of the Java-free Firestore emulator. */
export { startEmulator } from './emulator.js';
export type { EmulatorOptions, RunningEmulator } from './emulator.js';
export { FirestoreService, Meter, allowAll, parseAuthorization } from './service/index.js';
export type {
  AccessDecision,
  AccessMethod,
  AccessRequest,
  Authorizer,
  AuthContext,
  CallContext,
  ConnectionInfo,
  MeterSnapshot,
  OperationCounts,
  StreamHandle,
  StreamSink,
} from './service/index.js';
export { Store } from './store/index.js';
export type { StoreOptions } from './store/index.js';
export { FirestoreError } from './model/index.js';
export type { LogLevel } from './logger.js';
