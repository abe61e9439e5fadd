/**
 * The pure, browser-safe core: no Node built-ins, no Firestore SDK. The dashboard and the
 * end-user hook import this through `@fq/worker/core`.
 */
export * from './errors.js';
export * from './ids.js';
export * from './audio.js';
export * from './mutations.js';
export * from './submission.js';
export * from './submission-gate.js';
export * from './priority.js';
export * from './jobs/retry-policy.js';
export * from './jobs/transitions.js';
export * from './controls/index.js';
export * from './coordination/leader-lease.js';
export * from './coordination/locks.js';
export * from './coordination/server-liveness.js';
export * from './analytics/rollup.js';
export * from './analytics/enterprise-stats.js';
export * from './flow-policy/index.js';
export * from './queue-position.js';
export * from './rate-limit-usage.js';
export * from './server-clock.js';
export * from './data-uri.js';
export * from './alerts/index.js';
