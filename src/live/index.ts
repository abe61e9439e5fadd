export { LiveBridge, type BridgeOptions, type EntrySummary } from './bridge';
export { deriveConnection, type ConnectionState, type ConnectionSummary } from './connection';
export type { LiveMeta, LiveSink, LiveSource, LiveStatus, Timers } from './types';
export { realTimers } from './types';
