import { QUERIES, SINGLETON_IDS, emailSearchKey, type Granularity, type JobStatus } from '@fq/worker/schema';
import { at, docSpec, specOf, type QuerySpec } from './specs';

/**
 * Every read the console makes, in one place, each bounded by a limit
 * and built from a registered query shape (`QUERIES`), against which a worker test checks
 * `firestore.indexes.json`.
 */
export const specs = {
  queueStats: () => docSpec('stats', SINGLETON_IDS.queueStats),
  leader: () => docSpec('leader', SINGLETON_IDS.leaderLease),
  controls: () => docSpec('controls', SINGLETON_IDS.queueControls),
  /** One document per server process; the fleet is small. */
  servers: () => specOf(QUERIES.serversById, {}, 200),
  /** One server's document (the Servers page reads a server again when its heartbeat deadline passes). */
  server: (serverId: string) => docSpec('servers', serverId),
  breakers: () => specOf(QUERIES.breakersByModel, {}, 50),
  /** Open and half-open breakers only (the incident banner): closed breakers' summaries cost it nothing. */
  breakersNotClosed: () => specOf(QUERIES.breakersInStates, { state: ['open', 'half_open'] }, 50),
  budgets: () => specOf(QUERIES.budgetsByModel, {}, 50),
  locks: () => specOf(QUERIES.locksByName, {}, 200),
  /**
   * The newest `limit` rollups of one granularity. No time bound in the query, so the key
   * (and the listener) stays the same while time passes; the series maths cut the window.
   */
  rollups: (granularity: Granularity, limit: number) => specOf(QUERIES.newestRollups, { granularity }, limit),
  topConsumers: (limit: number) => specOf(QUERIES.topConsumers, {}, limit),
  rateLimit: (userId: string) => docSpec('rateLimits', userId),
  job: (jobId: string) => docSpec('jobs', jobId),
  /** The newest alert messages (the leader's feed). */
  alerts: (limit: number) => specOf(QUERIES.alertFeed, {}, limit),
  /** The newest audit entries; with `beforeMs`, the page at or before that time. */
  audit: (limit: number, beforeMs?: number) => specOf(QUERIES.auditLog, { at: beforeMs === undefined ? undefined : at(beforeMs) }, limit),
  /** The audit entries naming one job (single and bulk controls), newest first. */
  auditForJob: (jobId: string, limit: number) => specOf(QUERIES.auditForJob, { targetIds: jobId }, limit),
};

export interface JobFilter {
  userId?: string;
  /** The submitter's e-mail, matched ignoring case (the jobs' lowercased copy); not with `userId`. */
  userEmail?: string;
  /** Job ids starting with this (a range on the document id, in id order); no other filter with it. */
  idPrefix?: string;
  status?: JobStatus;
  /** createdAt >= fromMs */
  fromMs?: number;
  /** createdAt < toMs */
  toMs?: number;
}

/** A filter no registered query can serve (the search form refuses it first). */
export class JobFilterError extends Error {
  override readonly name = 'JobFilterError';
}

/** Above every character a job id may hold ([A-Za-z0-9_-]): `prefix + ID_RANGE_END` bounds the range. */
const ID_RANGE_END = '\uf8ff';

/**
 * The job table's query, one page: by job id prefix (id order); else equality filters (user
 * or e-mail, status) and a createdAt range, newest first.
 */
export function jobSearchSpec(filter: JobFilter, pageSize: number): QuerySpec<'jobs'> {
  if (filter.idPrefix) {
    if (filter.userId || filter.userEmail || filter.status || filter.fromMs !== undefined || filter.toMs !== undefined) {
      throw new JobFilterError('a job id prefix cannot be combined with other filters (no index serves it)');
    }
    return specOf(QUERIES.jobIdPrefix, { from: filter.idPrefix, to: filter.idPrefix + ID_RANGE_END }, pageSize);
  }
  if (filter.userEmail) {
    if (filter.userId) throw new JobFilterError('search by user id or by e-mail, not both');
    return specOf(
      QUERIES.jobSearchByEmail,
      {
        userEmailLower: emailSearchKey(filter.userEmail.trim()),
        status: filter.status,
        from: filter.fromMs === undefined ? undefined : at(filter.fromMs),
        to: filter.toMs === undefined ? undefined : at(filter.toMs),
      },
      pageSize,
    );
  }
  return specOf(
    QUERIES.jobSearch,
    {
      userId: filter.userId || undefined,
      status: filter.status,
      from: filter.fromMs === undefined ? undefined : at(filter.fromMs),
      to: filter.toMs === undefined ? undefined : at(filter.toMs),
    },
    pageSize,
  );
}

/** Words for the audit entry of a bulk action ("status=dead_lettered, user=u1"). */
export function describeJobFilter(filter: JobFilter): string {
  const parts: string[] = [];
  if (filter.status) parts.push(`status=${filter.status}`);
  if (filter.userId) parts.push(`user=${filter.userId}`);
  if (filter.userEmail) parts.push(`email=${emailSearchKey(filter.userEmail.trim())}`);
  if (filter.idPrefix) parts.push(`id^=${filter.idPrefix}`);
  if (filter.fromMs !== undefined) parts.push(`from=${new Date(filter.fromMs).toISOString()}`);
  if (filter.toMs !== undefined) parts.push(`to=${new Date(filter.toMs).toISOString()}`);
  return parts.length ? parts.join(', ') : 'all jobs';
}
