import { REDRIVABLE_STATUSES, RETRYABLE_STATUSES } from '@fq/worker/core';
import type { Job } from '@fq/worker/schema';

/**
 * What the job page says about audio that is gone. "It cannot run again" is only news for a
 * job an operator could otherwise retry or redrive (its buttons are disabled for that reason);
 * a succeeded or cancelled job was never going to run again, and its audio goes by design.
 */
export function audioGoneNote(job: Pick<Job, 'status' | 'payloadDeletedAt'>): string | null {
  if (job.payloadDeletedAt === null) return null;
  if (RETRYABLE_STATUSES.includes(job.status) || REDRIVABLE_STATUSES.includes(job.status)) {
    return 'Its audio was deleted, so it cannot run again; submit it anew.';
  }
  return 'Its audio was deleted once the job ended.';
}
