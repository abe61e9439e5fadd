import type { RunningEmulator } from '@fq/emulator';
import { collectionNames } from '@fq/worker';
import { fromProtoFields, type ProtoFields } from './proto-values.js';

/**
 * Every committed change to one prefix's jobs and payload chunks, taken from inside the
 * emulator (its commit listener runs synchronously with each commit). Unlike a client-side
 * listener it cannot coalesce versions or miss any across dropped streams: the audit sees
 * each success write, each claim with its fencing token and each payload delete.
 */
export interface JobState {
  status: string;
  fence: number;
  leaseToken: number | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  availableAt: number | null;
  completedAt: number | null;
  transcript: string | null;
  attempts: number;
}

export interface JobChange {
  jobId: string;
  /** Commit time, epoch ms (the emulator's clock is this machine's clock). */
  at: number;
  before: JobState | null;
  after: JobState | null;
}

export interface PayloadChange {
  chunkId: string;
  jobId: string | null;
  at: number;
  created: boolean;
  deleted: boolean;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function jobStateOf(fields: ProtoFields | undefined): JobState | null {
  if (!fields) return null;
  const d = fromProtoFields(fields);
  const lease = (d.lease ?? null) as { token?: unknown; owner?: unknown; expiresAt?: unknown } | null;
  const result = (d.result ?? null) as { transcript?: unknown } | null;
  return {
    status: typeof d.status === 'string' ? d.status : '?',
    fence: num(d.fence) ?? 0,
    leaseToken: num(lease?.token),
    leaseOwner: typeof lease?.owner === 'string' ? lease.owner : null,
    leaseExpiresAt: num(lease?.expiresAt),
    availableAt: num(d.availableAt),
    completedAt: num(d.completedAt),
    transcript: typeof result?.transcript === 'string' ? result.transcript : null,
    attempts: num(d.attempts) ?? 0,
  };
}

export class CommitJournal {
  readonly jobs: JobChange[] = [];
  readonly payloads: PayloadChange[] = [];
  private readonly unsubscribe: () => void;

  constructor(emulator: RunningEmulator, projectId: string, prefix: string) {
    const names = collectionNames(prefix);
    const db = emulator.service.store.database({ projectId, databaseId: '(default)' });
    this.unsubscribe = db.onCommit((event) => {
      const at = Number(event.commitTime / 1_000_000n);
      for (const change of event.changes) {
        const id = change.path.slice(change.collectionPath.length + 1);
        if (change.collectionPath === names.jobs) {
          this.jobs.push({
            jobId: id,
            at,
            before: jobStateOf(change.before?.fields as ProtoFields | undefined),
            after: jobStateOf(change.after?.fields as ProtoFields | undefined),
          });
        } else if (change.collectionPath === names.payloads) {
          const fields = (change.after ?? change.before)?.fields as ProtoFields | undefined;
          const jobId = fields?.jobId?.stringValue;
          this.payloads.push({
            chunkId: id,
            jobId: typeof jobId === 'string' ? jobId : null,
            at,
            created: change.before === null && change.after !== null,
            deleted: change.after === null,
          });
        }
      }
    });
  }

  stop(): void {
    this.unsubscribe();
  }
}
