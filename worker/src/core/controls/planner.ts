import { ValidationError } from '../errors.js';
import type { DocRef } from '../mutations.js';
import { breakerControlReads, planBreakerControl } from './breaker-controls.js';
import { controlCommandSchema, type ControlCommand, type ControlCommandInput } from './commands.js';
import { jobControlReads, planJobControl } from './job-controls.js';
import { lockControlReads, planLockControl } from './lock-controls.js';
import type { ControlContext, ControlResult } from './plan.js';
import { planQueueControl, queueControlReads } from './queue-controls.js';

/** Validates a command (typed `ValidationError` on bad input). */
export function parseControlCommand(input: ControlCommandInput): ControlCommand {
  const parsed = controlCommandSchema.safeParse(input);
  if (!parsed.success) throw ValidationError.fromIssues(parsed.error.issues, 'control command');
  return parsed.data;
}

/** The documents an adapter must read (in its transaction) before planning `command`. */
export function controlReads(command: ControlCommand): DocRef[] {
  switch (command.type) {
    case 'queue.pause':
    case 'queue.resume':
      return queueControlReads();
    case 'job.cancel':
    case 'job.retry':
    case 'job.redrive':
      return jobControlReads(command);
    case 'lock.force_release':
      return lockControlReads(command);
    case 'breaker.force_open':
    case 'breaker.force_close':
    case 'breaker.clear_override':
    case 'breaker.reset':
      return breakerControlReads(command);
  }
}

/**
 * Plans a control: the document writes plus the audit entry, or a typed error. Pure; the
 * adapter (admin SDK in the worker, web SDK in the dashboard) reads `controlReads(command)`
 * in a transaction, calls this, and applies `plan.mutations` + creates `plan.audit` in the
 * same transaction.
 */
export function planControl(command: ControlCommand, ctx: ControlContext): ControlResult {
  switch (command.type) {
    case 'queue.pause':
    case 'queue.resume':
      return planQueueControl(command, ctx);
    case 'job.cancel':
    case 'job.retry':
    case 'job.redrive':
      return planJobControl(command, ctx);
    case 'lock.force_release':
      return planLockControl(command, ctx);
    case 'breaker.force_open':
    case 'breaker.force_close':
    case 'breaker.clear_override':
    case 'breaker.reset':
      return planBreakerControl(command, ctx);
  }
}
