/** Pure flow-control policies: per-user limits, fair scheduling, breaker, adaptive limits, budgets. */
export * from './rate-limit.js';
export * from './fair-share.js';
export * from './user-admission.js';
export * from './breaker-rules.js';
export * from './breaker.js';
export * from './outcome-window.js';
export * from './fleet-window.js';
export * from './adaptive-limit.js';
export * from './budget.js';
export * from './found-capacity.js';
export * from './route-plan.js';
