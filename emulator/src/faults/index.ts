/** Fault injection: per-project delays, forced commit failures and dropping open streams. */
export { FaultInjector } from './fault-injector.js';
export type { Sleep } from './fault-injector.js';
export { FaultPlan, DELAYABLE_METHODS, faultRequestSchema, projectOfName, projectOfRequest } from './fault-plan.js';
export type { CommitFailureStatus, DelayableMethod, FaultRequest, FaultSnapshot, ProjectFaults, ProjectFaultStats } from './fault-plan.js';
export { StreamRegistry } from './stream-registry.js';
export type { OpenStream } from './stream-registry.js';
export { faultsClient } from './client.js';
export type { FaultsClient } from './client.js';
