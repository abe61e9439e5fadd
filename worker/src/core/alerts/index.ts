/**
 * Alerts, pure: what fires (observations of the leader's small documents), what to send
 * (transitions against the alerts already firing: dedupe, reminders, resolves) and how it
 * reads (Slack-compatible messages). The leader's duty (`engine/alerts`) supplies the inputs,
 * the state document and the delivery.
 */
export * from './format.js';
export * from './dead-letter-trend.js';
export * from './observations.js';
export * from './plan.js';
export * from './message.js';
