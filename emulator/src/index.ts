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
  CommitBatch,
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
export { EXPORT_FORMAT, EXPORT_VERSION, ExportFormatError, exportStore, importStore } from './persistence/index.js';
export type { ExportManifest, ExportSummary, ImportSummary } from './persistence/index.js';
export { RulesAuthorizer, RulesFileError, SecurityRules, compileRulesOption, installSecurityRules, securityRulesOf } from './security/index.js';
export type { RulesOption } from './security/index.js';
export { RulesSyntaxError, compileRules } from './rules/index.js';
export type { CompiledRules } from './rules/index.js';
export { FaultInjector, faultsClient, DELAYABLE_METHODS } from './faults/index.js';
export type { CommitFailureStatus, DelayableMethod, FaultRequest, FaultSnapshot, FaultsClient } from './faults/index.js';
export { DEFAULT_WEBCHANNEL_OPTIONS } from './frontends/webchannel/index.js';
export type { SessionStats, WebChannelOptions } from './frontends/webchannel/index.js';
export type { CallInterceptor, StreamMethodName, UnaryMethodName } from './service/index.js';
