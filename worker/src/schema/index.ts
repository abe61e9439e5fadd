/**
 * Document shapes: the single source of truth shared by the worker, the dashboard and tests.
 * Import from `@fq/worker/schema` in browser code (no Node dependencies here).
 */
export * from './time.js';
export * from './bytes.js';
export * from './names.js';
export * from './audio-duration.js';
export * from './job.js';
export * from './payload.js';
export * from './coordination.js';
export * from './flow.js';
export * from './analytics.js';
export * from './audit.js';
export * from './access.js';
export * from './control-audit.js';
export * from './misc.js';
export * from './submission-gate.js';
export * from './alerts.js';
export * from './bulk.js';
export * from './text.js';
export * from './config.js';
export * from './documents.js';
export * from './query-shape.js';
export * from './queries.js';
