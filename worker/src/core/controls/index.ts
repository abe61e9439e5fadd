export { controlCommandSchema, MAX_BULK_IDS } from './commands.js';
export type { ControlCommand, ControlCommandInput, ControlType, CommandOf } from './commands.js';
export { parseControlCommand, controlReads, planControl, auditedParts } from './planner.js';
export { pausedPriorities } from './queue-controls.js';
export { DEFAULT_CONTROL_RETENTION, MAX_PLAN_WRITES } from './plan.js';
export type { ControlContext, ControlPlan, ControlResult, ControlRetention, SkippedTarget } from './plan.js';
