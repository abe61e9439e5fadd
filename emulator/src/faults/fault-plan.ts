import * as z from '../zod.js';
import type { StatusName } from '../model/index.js';
import type { StreamMethodName, UnaryMethodName } from '../service/index.js';

/** Methods a delay can target; `*` applies to every method without its own entry. */
export const DELAYABLE_METHODS = [
  'GetDocument',
  'ListDocuments',
  'ListCollectionIds',
  'BatchGetDocuments',
  'RunQuery',
  'RunAggregationQuery',
  'CreateDocument',
  'UpdateDocument',
  'DeleteDocument',
  'Commit',
  'BatchWrite',
  'BeginTransaction',
  'Rollback',
  'PartitionQuery',
  'Listen',
  'Write',
  '*',
] as const satisfies ReadonlyArray<UnaryMethodName | StreamMethodName | '*'>;

export type DelayableMethod = (typeof DELAYABLE_METHODS)[number];
export type CommitFailureStatus = Extract<StatusName, 'ABORTED' | 'UNAVAILABLE'>;

const MAX_DELAY_MS = 10 * 60 * 1000;

/** The JSON body of `POST /emulator/v1/projects/{p}:faults` (every part optional). */
export const faultRequestSchema = z.strictObject({
  /** Drop the project's open Listen/Write streams now (gRPC and WebChannel). */
  dropStreams: z.optional(z.boolean()),
  /** Response delay per method in ms; 0 or null removes the method's delay. */
  delays: z.optional(z.partialRecord(z.enum(DELAYABLE_METHODS), z.nullable(z.number().check(z.int(), z.gte(0), z.lte(MAX_DELAY_MS))))),
  /** The next `count` commits of the project fail with `status` (count 0 cancels). */
  failCommits: z.optional(
    z.strictObject({
      count: z.number().check(z.int(), z.gte(0), z.lte(1_000_000)),
      status: z._default(z.enum(['ABORTED', 'UNAVAILABLE']), 'ABORTED'),
    }),
  ),
});

export type FaultRequest = z.input<typeof faultRequestSchema>;

export interface ProjectFaults {
  delays: Partial<Record<DelayableMethod, number>>;
  failCommits: { remaining: number; status: CommitFailureStatus } | null;
}

export interface ProjectFaultStats {
  droppedStreams: number;
  failedCommits: number;
  delayedCalls: number;
}

/** What `GET /emulator/v1/projects/{p}:faults` answers. */
export interface FaultSnapshot extends ProjectFaults {
  projectId: string;
  openStreams: number;
  stats: ProjectFaultStats;
}

/**
 * Active faults per project (pure state, no timers or I/O). Delays and pending commit
 * failures are kept per project so parallel tests on one emulator cannot disturb each other.
 */
export class FaultPlan {
  private readonly projects = new Map<string, ProjectFaults>();
  private readonly stats = new Map<string, ProjectFaultStats>();

  faults(projectId: string): ProjectFaults {
    const f = this.projects.get(projectId);
    return f ? { delays: { ...f.delays }, failCommits: f.failCommits ? { ...f.failCommits } : null } : { delays: {}, failCommits: null };
  }

  statsOf(projectId: string): ProjectFaultStats {
    let s = this.stats.get(projectId);
    if (!s) {
      s = { droppedStreams: 0, failedCommits: 0, delayedCalls: 0 };
      this.stats.set(projectId, s);
    }
    return s;
  }

  /** Applies delays and commit failures of a validated request (stream drops are not state). */
  apply(projectId: string, request: z.output<typeof faultRequestSchema>): void {
    const f = this.projects.get(projectId) ?? { delays: {}, failCommits: null };
    for (const [method, ms] of Object.entries(request.delays ?? {}) as Array<[DelayableMethod, number | null]>) {
      if (ms === null || ms === 0) delete f.delays[method];
      else f.delays[method] = ms;
    }
    if (request.failCommits) {
      f.failCommits = request.failCommits.count > 0 ? { remaining: request.failCommits.count, status: request.failCommits.status } : null;
    }
    this.store(projectId, f);
  }

  clear(projectId?: string): void {
    if (projectId === undefined) this.projects.clear();
    else this.projects.delete(projectId);
  }

  /** Delay for a call of `method` in the project: its own entry, else `*`, else 0. */
  delayFor(projectId: string | undefined, method: DelayableMethod): number {
    if (projectId === undefined) return 0;
    const f = this.projects.get(projectId);
    if (!f) return 0;
    return f.delays[method] ?? f.delays['*'] ?? 0;
  }

  /** Consumes one pending commit failure of the project, if any, and returns its status. */
  takeCommitFailure(projectId: string | undefined): CommitFailureStatus | undefined {
    if (projectId === undefined) return undefined;
    const f = this.projects.get(projectId);
    if (!f?.failCommits) return undefined;
    const { status } = f.failCommits;
    f.failCommits.remaining -= 1;
    if (f.failCommits.remaining <= 0) f.failCommits = null;
    this.store(projectId, f);
    this.statsOf(projectId).failedCommits += 1;
    return status;
  }

  private store(projectId: string, f: ProjectFaults): void {
    if (Object.keys(f.delays).length === 0 && !f.failCommits) this.projects.delete(projectId);
    else this.projects.set(projectId, f);
  }
}

/** The project named by a resource name (`projects/P/...`), if any. */
export function projectOfName(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const m = /^projects\/([^/]+)(?:\/|$)/.exec(name);
  return m ? m[1] : undefined;
}

/** The project a request message is about (database, parent, name or document.name). */
export function projectOfRequest(req: Record<string, unknown>): string | undefined {
  const doc = req.document && typeof req.document === 'object' ? (req.document as Record<string, unknown>).name : undefined;
  return projectOfName(req.database) ?? projectOfName(req.parent) ?? projectOfName(req.name) ?? projectOfName(doc);
}
