import { SINGLETON_IDS, type Granularity, type JobStatus } from '@fq/worker/schema';
import { docSpec, querySpec, where, at, type FieldFilter, type QuerySpec } from './specs';

/**
 * Every read the console makes, in one place, each bounded by a limit. Composite indexes
 * these need on real Firestore are listed in the dashboard notes (jobs by userId/status +
 * createdAt, analytics by granularity + periodStart, audit by at).
 */
export const specs = {
  queueStats: () => docSpec('stats', SINGLETON_IDS.queueStats),
  leader: () => docSpec('leader', SINGLETON_IDS.leaderLease),
  controls: () => docSpec('controls', SINGLETON_IDS.queueControls),
  /** One document per server process; the fleet is small. */
  servers: () => querySpec('servers', { orderBy: [{ field: 'serverId', direction: 'asc' }], limit: 200 }),
  breakers: () => querySpec('breakers', { orderBy: [{ field: 'model', direction: 'asc' }], limit: 50 }),
  budgets: () => querySpec('budgets', { orderBy: [{ field: 'model', direction: 'asc' }], limit: 50 }),
  locks: () => querySpec('locks', { orderBy: [{ field: 'name', direction: 'asc' }], limit: 200 }),
  /**
   * The newest `limit` rollups of one granularity. No time bound in the query, so the key
   * (and the listener) stays the same while time passes; the series maths cut the window.
   */
  rollups: (granularity: Granularity, limit: number) =>
    querySpec('analytics', {
      where: [where('granularity', '==', granularity)],
      orderBy: [{ field: 'periodStart', direction: 'desc' }],
      limit,
    }),
  topConsumers: (limit: number) =>
    querySpec('rateLimits', { orderBy: [{ field: 'count', direction: 'desc' }], limit }),
  rateLimit: (userId: string) => docSpec('rateLimits', userId),
  job: (jobId: string) => docSpec('jobs', jobId),
  audit: (limit: number) => querySpec('audit', { orderBy: [{ field: 'at', direction: 'desc' }], limit }),
  userJobs: (userId: string, limit: number) =>
    querySpec('jobs', {
      where: [where('userId', '==', userId)],
      orderBy: [{ field: 'createdAt', direction: 'desc' }],
      limit,
    }),
};

export interface JobFilter {
  userId?: string;
  status?: JobStatus;
  /** createdAt >= fromMs */
  fromMs?: number;
  /** createdAt < toMs */
  toMs?: number;
}

/** The job table's query: equality filters, a createdAt range, newest first, one page. */
export function jobSearchSpec(filter: JobFilter, pageSize: number): QuerySpec<'jobs'> {
  const filters: FieldFilter[] = [];
  if (filter.userId) filters.push(where('userId', '==', filter.userId));
  if (filter.status) filters.push(where('status', '==', filter.status));
  if (filter.fromMs !== undefined) filters.push(where('createdAt', '>=', at(filter.fromMs)));
  if (filter.toMs !== undefined) filters.push(where('createdAt', '<', at(filter.toMs)));
  return querySpec('jobs', { where: filters, orderBy: [{ field: 'createdAt', direction: 'desc' }], limit: pageSize });
}

/** Words for the audit entry of a bulk action ("status=dead_lettered, user=u1"). */
export function describeJobFilter(filter: JobFilter): string {
  const parts: string[] = [];
  if (filter.status) parts.push(`status=${filter.status}`);
  if (filter.userId) parts.push(`user=${filter.userId}`);
  if (filter.fromMs !== undefined) parts.push(`from=${new Date(filter.fromMs).toISOString()}`);
  if (filter.toMs !== undefined) parts.push(`to=${new Date(filter.toMs).toISOString()}`);
  return parts.length ? parts.join(', ') : 'all jobs';
}
