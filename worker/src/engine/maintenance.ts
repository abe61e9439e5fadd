import { payloadChunkId } from '../schema/names.js';
import { TERMINAL_STATUSES, type JobStatus } from '../schema/job.js';
import { PAYLOAD_RELEASING_STATUSES, cancelUnheld, leaseExpired, promoteWaiting, reclaimExpired } from '../core/jobs/transitions.js';
import { QUERIES } from '../schema/queries.js';
import { at, DocumentDecodeError, queryOf, type Snapshot } from '../ports/store.js';
import { guardedJobWrite } from './guarded-job-write.js';
import type { EngineContext } from './context.js';
import { isServerStale } from '../core/coordination/server-liveness.js';


/** Retention sweeps whose documents are simply deleted. */
type RetentionShape =
  | typeof QUERIES.expiredIdempotencyKeys
  | typeof QUERIES.expiredRollups
  | typeof QUERIES.expiredAuditEntries
  | typeof QUERIES.oldPartials;

/**
 * Queue maintenance: each step is a query for candidates followed by one guarded write per
 * document that re-checks the condition at the query's store time and fails if anyone wrote
 * the document since, so running a step on two servers at once (leader + an opportunistic
 * worker, or an old and a new leader) is safe: the second one finds nothing to do.
 */
export class Maintenance {
  constructor(private readonly ctx: EngineContext) {}

  /** running jobs whose lease expired by store time -> queued (or dead letters / cancelled). */
  async reclaimExpiredLeases(limit = 100): Promise<number> {
    const { docs, readTime } = await this.ctx.store.query(
      queryOf(QUERIES.expiredLeases, { status: 'running', 'lease.expiresAt': at(this.ctx.store.now()) }, { limit }),
    );
    let reclaimed = 0;
    for (const d of docs) {
      if (await this.reclaim(d, readTime, null)) reclaimed += 1;
    }
    return reclaimed;
  }

  /**
   * One guarded write of the job as the query read it: the holder's own guarded writes and a
   * competing reclaimer's both move the version on, so exactly one of them wins and no lock
   * is held (a reclaimer killed mid-way stalls nobody). `lostOwner`: the holder's server was
   * declared lost, so its lease is void even if not expired yet.
   */
  private async reclaim(d: Snapshot<'jobs'>, now: number, lostOwner: string | null): Promise<boolean> {
    const job = d.data;
    if (job.status !== 'running') return false;
    if (lostOwner !== null ? job.lease?.owner !== lostOwner : !leaseExpired(job, now)) return false;
    const next = reclaimExpired(d.id, job, {
      now,
      retentionMs: this.ctx.config.retention.finishedJobsMs,
      by: this.ctx.serverId,
      ownerLost: lostOwner !== null,
    });
    const res = await this.ctx.store.commitIf(guardedJobWrite(d.id, next, job, d.version));
    if (!res.ok) {
      this.ctx.log.debug({ jobId: d.id }, 'lease reclaim skipped: the job changed since it was read');
      return false;
    }
    this.ctx.log.info({ jobId: d.id, owner: job.lease?.owner ?? null, to: next.status, attempts: next.attempts }, 'reclaimed job lease');
    return true;
  }

  /** Reclaims every job held by a server that was declared lost. */
  async reclaimFromServer(serverId: string): Promise<number> {
    const { docs, readTime } = await this.ctx.store.query(queryOf(QUERIES.jobsHeldBy, { status: 'running', 'lease.owner': serverId }, { limit: 500 }));
    let n = 0;
    for (const d of docs) if (await this.reclaim(d, readTime, serverId)) n += 1;
    return n;
  }

  /** waiting jobs whose backoff passed -> queued. */
  async promoteDue(limit = 200): Promise<number> {
    const { docs, readTime } = await this.ctx.store.query(
      queryOf(QUERIES.dueRetries, { status: 'waiting', availableAt: at(this.ctx.store.now()) }, { limit }),
    );
    let n = 0;
    for (const d of docs) if (await this.promoteRead(d, readTime)) n += 1;
    return n;
  }

  /** Promotes one job by id (the worker that failed it schedules this for its backoff's end). */
  async promote(jobId: string): Promise<boolean> {
    const read = await this.ctx.store.get('jobs', jobId);
    if (!read.doc || !read.version) return false;
    return this.promoteRead({ id: jobId, data: read.doc, updateTime: read.readTime, version: read.version }, read.readTime);
  }

  private async promoteRead(d: Snapshot<'jobs'>, now: number): Promise<boolean> {
    const job = d.data;
    if (job.status !== 'waiting' || (job.availableAt ?? 0) > now) return false;
    // A cancel that raced with the attempt's failure is honoured instead of a retry.
    const next = job.cancelRequest
      ? cancelUnheld(job, { now, by: job.cancelRequest.by, reason: job.cancelRequest.reason, retentionMs: this.ctx.config.retention.finishedJobsMs })
      : promoteWaiting(d.id, job, now);
    return (await this.ctx.store.commitIf(guardedJobWrite(d.id, next, job, d.version))).ok;
  }

  /**
   * Servers whose heartbeat is older than serverTimeoutMs (store time) -> `lost`, and their
   * jobs reclaimed. Returns the ids of the servers declared lost.
   */
  async detectLostServers(): Promise<string[]> {
    const timeout = this.ctx.config.serverCoordination.serverTimeoutMs;
    const { docs, readTime } = await this.ctx.store.query(
      queryOf(QUERIES.serversInStatesSilentSince, { state: ['active', 'draining'], heartbeatAt: at(this.ctx.store.now() - timeout) }, { limit: 50 }),
    );
    const lost: string[] = [];
    for (const d of docs) {
      if (d.id === this.ctx.serverId) continue;
      const server = d.data;
      // A server on the slow idle cadence advertises its interval: its deadline allows for it.
      if (!['active', 'draining'].includes(server.state) || !isServerStale(server, this.ctx.config.serverCoordination, readTime)) continue;
      // Guarded by the version read: a heartbeat that lands first proves it alive, and the write fails.
      const marked = (
        await this.ctx.store.commitIf([{ op: 'set', collection: 'servers', id: d.id, data: { ...server, state: 'lost', inFlight: 0 }, guard: { ifVersion: d.version } }])
      ).ok;
      if (marked) {
        lost.push(d.id);
        const n = await this.reclaimFromServer(d.id);
        this.ctx.log.warn({ server: d.id, reclaimed: n }, 'server declared lost');
      }
    }
    return lost;
  }

  /**
   * Retention clean-up (TTL may lag a day, so we delete ourselves and also filter on expiry):
   * finished jobs with their payloads, idempotency keys, rollups, audit entries, old partials,
   * stopped/lost server documents, and payload chunks whose job no longer needs them.
   */
  async cleanup(limit = 200): Promise<Record<string, number>> {
    const now = this.ctx.store.now();
    const out: Record<string, number> = {};
    const expired = async (shape: RetentionShape, before: number) =>
      (await this.ctx.store.query(queryOf(shape, { before: at(before) }, { limit }))).docs;
    const { docs: jobs, undecodable } = await this.ctx.store.query(queryOf(QUERIES.expiredJobs, { before: at(now) }, { limit }));
    for (const d of jobs) {
      if (!TERMINAL_STATUSES.includes(d.data.status)) continue;
      const chunks = d.data.payloadDeletedAt === null ? d.data.audio.chunkCount : 0;
      await this.ctx.store.commit([
        { op: 'delete', collection: 'jobs', id: d.id },
        ...Array.from({ length: chunks }, (_, i) => ({ op: 'delete' as const, collection: 'payloads' as const, id: payloadChunkId(d.id, i) })),
      ]);
    }
    // Finished jobs the schema refuses (an unreadable submission is rejected in place, its
    // audio already deleted): their stored status is enough to know they are done.
    const unreadableDone = undecodable.filter((d) => TERMINAL_STATUSES.includes(d.raw.status as JobStatus));
    if (unreadableDone.length) await this.ctx.store.commit(unreadableDone.map((d) => ({ op: 'delete' as const, collection: 'jobs' as const, id: d.id })));
    out.jobs = jobs.length + unreadableDone.length;
    for (const shape of [QUERIES.expiredIdempotencyKeys, QUERIES.expiredRollups, QUERIES.expiredAuditEntries]) {
      const { collection } = shape;
      const docs = await expired(shape, now);
      if (docs.length) await this.ctx.store.commit(docs.map((d) => ({ op: 'delete' as const, collection, id: d.id })));
      out[collection] = docs.length;
    }
    const partials = await expired(QUERIES.oldPartials, now - this.ctx.config.retention.minuteRollupsMs);
    if (partials.length) await this.ctx.store.commit(partials.map((d) => ({ op: 'delete' as const, collection: 'analyticsPartials' as const, id: d.id })));
    out.analyticsPartials = partials.length;
    const servers = await this.ctx.store.query(
      queryOf(QUERIES.serversInStatesSilentSince, { state: ['stopped', 'lost'], heartbeatAt: at(now - 24 * 3_600_000) }, { limit }),
    );
    if (servers.docs.length) await this.ctx.store.commit(servers.docs.map((d) => ({ op: 'delete' as const, collection: 'servers' as const, id: d.id })));
    out.servers = servers.docs.length;
    out.payloads = await this.sweepPayloads(now, limit);
    return out;
  }

  /** Payload chunks older than orphanPayloadMs whose job is gone or no longer needs them. */
  private async sweepPayloads(now: number, limit: number): Promise<number> {
    const { docs } = await this.ctx.store.query(
      queryOf(QUERIES.oldPayloads, { before: at(now - this.ctx.config.retention.orphanPayloadMs) }, { limit }),
    );
    const jobIds = [...new Set(docs.map((d) => d.data.jobId))];
    let deleted = 0;
    for (const jobId of jobIds) {
      const status = await this.jobStatus(jobId);
      if (status !== null && !PAYLOAD_RELEASING_STATUSES.includes(status as JobStatus)) continue;
      const ids = docs.filter((d) => d.data.jobId === jobId).map((d) => d.id);
      await this.ctx.store.commit(ids.map((id) => ({ op: 'delete' as const, collection: 'payloads' as const, id })));
      deleted += ids.length;
    }
    return deleted;
  }

  /** A job's stored status (null when it is gone), even when the document fails its schema. */
  private async jobStatus(jobId: string): Promise<string | null> {
    try {
      return (await this.ctx.store.get('jobs', jobId)).doc?.status ?? null;
    } catch (error) {
      if (!(error instanceof DocumentDecodeError)) throw error;
      const read = await this.ctx.store.runTransaction((tx) => tx.getLenient('jobs', jobId));
      return read.kind === 'missing' ? null : read.kind === 'decoded' ? read.doc.status : String(read.raw.status);
    }
  }
}
