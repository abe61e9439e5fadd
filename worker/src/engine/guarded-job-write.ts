import { payloadChunkId } from '../schema/names.js';
import type { JobDoc } from '../schema/job.js';
import { guardFor, type DocVersion, type GuardedMutation } from '../ports/store.js';

/**
 * A job written back over the version it was read at (or created, when it was missing), with
 * its audio chunks deleted in the same commit when this transition released them.
 */
export function guardedJobWrite(jobId: string, next: JobDoc, before: JobDoc | null, version: DocVersion | null): GuardedMutation[] {
  const writes: GuardedMutation[] = [{ op: 'set', collection: 'jobs', id: jobId, data: next, guard: guardFor(version) }];
  if (next.payloadDeletedAt !== null && (before === null || before.payloadDeletedAt === null)) {
    for (let i = 0; i < next.audio.chunkCount; i++) writes.push({ op: 'delete', collection: 'payloads', id: payloadChunkId(jobId, i) });
  }
  return writes;
}
