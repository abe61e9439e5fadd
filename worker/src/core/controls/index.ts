export { controlCommandSchema, MAX_BULK_IDS } from './commands.js';
export type { ControlCommand, ControlCommandInput, ControlType, CommandOf } from './commands.js';
export { parseControlCommand, controlReads, planControl, auditedParts } from './planner.js';
export { pausedPriorities } from './queue-controls.js';
export { isDrained } from './server-controls.js';
export { runControl, type ControlStore } from './run-control.js';
export { controlCounts, CONTROL_COUNTS_WRITER_PREFIX } from './control-counts.js';
export { DEFAULT_CONTROL_RETENTION, MAX_PLAN_WRITES } from './plan.js';
export type { ControlContext, ControlPlan, ControlResult, SkippedTarget } from './plan.js';
