import type { JobDoc } from '../schema/job.js';
import { QUERIES } from '../schema/queries.js';
import { queryOf, type DocStore } from '../ports/store.js';

/**
 * Every audio chunk of a browser submission is in place before it is admitted: a job whose
 * middle chunks are missing was admitted and failed only when a worker assembled its audio
 * (the rules now require each chunk's predecessor in the submission's batch; this holds the
 * engine to the same, whatever wrote the job). One `count` aggregation (a single billed read)
 * when the chunks are all there; only a missing chunk costs a projection of their indexes,
 * so the rejection can name them. Returns the rejection message, or null.
 */
export async function missingChunksProblem(store: Pick<DocStore, 'count' | 'select'>, jobId: string, job: Pick<JobDoc, 'audio'>): Promise<string | null> {
  const expected = job.audio.chunkCount;
  const query = queryOf(QUERIES.payloadChunks, { jobId });
  if ((await store.count(query)) === expected) return null;
  const present = new Set((await store.select(query, ['index'])).docs.map((d) => d.data.index));
  const missing = Array.from({ length: expected }, (_, i) => i).filter((i) => !present.has(i));
  const extra = [...present].filter((i) => i < 0 || i >= expected);
  const parts = [
    missing.length > 0 ? `chunk${missing.length === 1 ? '' : 's'} ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''} of ${expected} missing` : null,
    extra.length > 0 ? `unexpected chunk index ${extra.slice(0, 10).join(', ')}` : null,
  ].filter((p): p is string => p !== null);
  return `audio is incomplete: ${parts.join('; ') || `found ${present.size} chunks, expected ${expected}`}`;
}
