import { ACTIVE_STATUSES, buildQuery, QUERIES, SINGLETON_IDS, type QueryShape, type ShapeParams } from '@fq/worker/schema';
import type { DocRef, QueryRef, WhereValue } from './store.js';

/** A query from a registered shape (`QUERIES`), so `firestore.indexes.json` is checked against it. */
export function queryOf<S extends QueryShape>(shape: S, params: ShapeParams<S, WhereValue>, limit: number): QueryRef<S['collection']> {
  const built = buildQuery(shape, params);
  return { collection: shape.collection, where: built.where, orderBy: built.orderBy, limit };
}

/** Every read the client makes, each a document or a bounded query an end user may run. */
export const refs = {
  /** The queue's public figures; also carries the pause switches and the submission quota. */
  queueStats: (): DocRef<'stats'> => ({ collection: 'stats', id: SINGLETON_IDS.queueStats }),
  rateLimit: (userId: string): DocRef<'rateLimits'> => ({ collection: 'rateLimits', id: userId }),
  /** The user's submission window (the rules' quota on browser submissions). */
  submissionGate: (userId: string): DocRef<'submissionGates'> => ({ collection: 'submissionGates', id: userId }),
  job: (jobId: string): DocRef<'jobs'> => ({ collection: 'jobs', id: jobId }),
  /** A user's newest jobs (the rules let a list through only when it pins userId == uid). */
  userJobs: (userId: string, limit: number) => queryOf(QUERIES.userJobs, { userId }, limit),
  /** A user's unfinished jobs, whatever their age. */
  userActiveJobs: (userId: string, limit: number) => queryOf(QUERIES.userJobsInStatuses, { userId, status: [...ACTIVE_STATUSES] }, limit),
};
