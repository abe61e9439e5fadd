import { TERMINAL_STATUSES } from '@fq/worker';
import { transcriptMarker } from '../lib/job-set.js';
import { distribution } from '../lib/stats.js';
import type { CallRecord } from './call-log-proxy.js';
import type { JobChange } from './commit-journal.js';
import { duplicateUpstreamCalls, type DuplicateReport } from './audit-duplicates.js';

/**
 * The chaos audit: pure, over what the run recorded (what was submitted, the final
 * documents, the emulator's commit journal, the upstream call log and the kill log).
 */
export interface SubmittedJob {
  id: string;
  path: 'server' | 'client';
  /** The caller was told the job is queued (API answer or a committed client batch). */
  acknowledged: boolean;
  error: string | null;
}

export interface FinalJob {
  id: string;
  /** null when the document does not decode as a job. */
  status: string | null;
  decodeError: string | null;
  transcript: string | null;
  /** Chunks the job document says it has; null: not checked (the job changed while the audit read). */
  chunkCount: number | null;
  /** The job document carries its audio inline (`inlineAudio`; chunkCount 0). */
  hasInlineAudio: boolean;
  leaseExpiresAt: number | null;
  availableAt: number | null;
}

export interface AuditInput {
  submitted: readonly SubmittedJob[];
  final: readonly FinalJob[];
  /** Payload chunks still stored at the end. */
  chunks: readonly { chunkId: string; jobId: string | null }[];
  journal: readonly JobChange[];
  calls: readonly CallRecord[];
  kills: readonly { serverId: string; at: number }[];
  endAt: number;
  /** A lease expired longer than this without a reclaim (or a retry overdue by this) is "stuck". */
  stuckAfterMs: number;
}

export interface StuckEpisode {
  jobId: string;
  kind: 'expired lease not reclaimed' | 'waiting past its retry time' | 'submission not admitted';
  forMs: number;
  at: number;
}

/** One version of a job in a forensic history (times are epoch ms, commit time). */
export interface HistoryStep {
  at: number;
  status: string;
  token: number | null;
  owner: string | null;
  leaseExpiresAt: number | null;
  availableAt: number | null;
}

export interface ChaosAudit {
  jobs: { submitted: number; acknowledged: number; notAcknowledged: number; writtenDespiteError: number; byStatus: Record<string, number> };
  lost: { count: number; missing: string[]; notTerminal: { id: string; status: string | null; detail: string }[] };
  completedTwice: { count: number; jobs: { id: string; successWrites: number; tokens: (number | null)[]; overwritten: boolean }[] };
  wrongTranscript: { count: number; jobs: { id: string; transcript: string | null }[] };
  upstream: { calls: number; successfulCalls: number; byOutcome: Record<string, number>; byStatus: Record<string, number>; withoutJob: number };
  duplicateUpstream: DuplicateReport;
  stuck: { thresholdMs: number; count: number; byKind: Record<string, number>; longestMs: number; examples: StuckEpisode[]; reclaimDelayMs: ReturnType<typeof distribution> };
  /**
   * jobsMissingChunks: unfinished or failed jobs without their audio (chunks, or inline bytes
   * when chunkCount is 0); inlineAudioLeft: finished jobs whose document still holds its audio.
   */
  payloads: { orphanChunks: string[]; jobsMissingChunks: string[]; inlineAudioLeft: string[] };
  /** Journal history of every job named above (lost, twice, stuck examples, wrong transcript). */
  histories: Record<string, HistoryStep[]>;
}

const TERMINAL = new Set<string>(TERMINAL_STATUSES);
/** Statuses whose audio is deleted in the same transaction (see core/jobs/transitions). */
const RELEASED = new Set(['succeeded', 'cancelled', 'rejected']);

function tally(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function byJob(journal: readonly JobChange[]): Map<string, JobChange[]> {
  const out = new Map<string, JobChange[]>();
  for (const c of journal) {
    const list = out.get(c.jobId) ?? [];
    list.push(c);
    out.set(c.jobId, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.at - b.at);
  return out;
}

function completions(changes: readonly JobChange[]) {
  const writes = changes.filter((c) => c.after?.status === 'succeeded' && c.before?.status !== 'succeeded');
  const overwritten = changes.some(
    (c) =>
      c.before?.status === 'succeeded' &&
      c.after !== null &&
      (c.after.status !== 'succeeded' || c.after.transcript !== c.before.transcript || c.after.completedAt !== c.before.completedAt),
  );
  return { writes, overwritten };
}

function stuckEpisodes(jobs: Map<string, JobChange[]>, endAt: number, thresholdMs: number) {
  const episodes: StuckEpisode[] = [];
  const reclaimDelays: number[] = [];
  for (const [jobId, changes] of jobs) {
    changes.forEach((c, i) => {
      const s = c.after;
      if (!s) return;
      const next = changes[i + 1]?.at ?? endAt;
      if (s.status === 'running' && s.leaseExpiresAt !== null && next > s.leaseExpiresAt) {
        const late = next - s.leaseExpiresAt;
        if (changes[i + 1]) reclaimDelays.push(late);
        if (late > thresholdMs) episodes.push({ jobId, kind: 'expired lease not reclaimed', forMs: late, at: s.leaseExpiresAt });
      } else if (s.status === 'waiting' && s.availableAt !== null && next - s.availableAt > thresholdMs) {
        episodes.push({ jobId, kind: 'waiting past its retry time', forMs: next - s.availableAt, at: s.availableAt });
      } else if (s.status === 'submitted' && next - c.at > thresholdMs) {
        episodes.push({ jobId, kind: 'submission not admitted', forMs: next - c.at, at: c.at });
      }
    });
  }
  return { episodes, reclaimDelays };
}

export function auditChaos(input: AuditInput): ChaosAudit {
  const final = new Map(input.final.map((j) => [j.id, j]));
  const journal = byJob(input.journal);
  // Every job the system holds must finish, acknowledged or not (an ambiguous commit can
  // succeed although the caller saw an error).
  const expected = new Set([...input.submitted.filter((s) => s.acknowledged).map((s) => s.id), ...final.keys()]);

  const missing = [...expected].filter((id) => !final.has(id));
  const notTerminal = [...expected]
    .map((id) => final.get(id))
    .filter((j): j is FinalJob => j !== undefined && (j.status === null || !TERMINAL.has(j.status)))
    .map((j) => ({
      id: j.id,
      status: j.status,
      detail:
        j.status === null
          ? `undecodable: ${j.decodeError}`
          : j.status === 'running' && j.leaseExpiresAt !== null
            ? `lease ${j.leaseExpiresAt <= input.endAt ? 'expired' : 'valid'} at the audit`
            : j.status === 'waiting' && j.availableAt !== null
              ? `retry due ${Math.round((j.availableAt - input.endAt) / 1000)} s after the audit`
              : 'never finished',
    }));

  const twice = [...journal]
    .map(([id, changes]) => ({ id, ...completions(changes) }))
    .filter((c) => c.writes.length > 1 || c.overwritten)
    .map((c) => ({ id: c.id, successWrites: c.writes.length, tokens: c.writes.map((w) => w.before?.leaseToken ?? null), overwritten: c.overwritten }));

  const wrong = [...final.values()]
    .filter((j) => j.status === 'succeeded' && j.transcript !== transcriptMarker(j.id))
    .map((j) => ({ id: j.id, transcript: j.transcript }));

  const { episodes, reclaimDelays } = stuckEpisodes(journal, input.endAt, input.stuckAfterMs);

  const chunksByJob = tally(input.chunks.map((c) => c.jobId ?? '?'));
  const orphanChunks = input.chunks
    .filter((c) => {
      const job = c.jobId ? final.get(c.jobId) : undefined;
      return !job || (job.status !== null && RELEASED.has(job.status));
    })
    .map((c) => c.chunkId);
  const audioMissing = (j: FinalJob) => (j.chunkCount === 0 ? !j.hasInlineAudio : (chunksByJob[j.id] ?? 0) !== j.chunkCount);
  const jobsMissingChunks = [...final.values()]
    .filter((j) => j.status !== null && j.chunkCount !== null && !RELEASED.has(j.status) && audioMissing(j))
    .map((j) => j.id);
  // One document, read at once: checked even for a job that moved while the audit read.
  const inlineAudioLeft = [...final.values()].filter((j) => j.status !== null && RELEASED.has(j.status) && j.hasInlineAudio).map((j) => j.id);

  const ok = input.calls.filter((c) => c.status === 200);
  const stuckExamples = [...episodes].sort((a, b) => b.forMs - a.forMs).slice(0, 10);
  const named = new Set([...missing, ...notTerminal.map((j) => j.id), ...twice.map((j) => j.id), ...wrong.map((j) => j.id), ...stuckExamples.map((e) => e.jobId), ...jobsMissingChunks]);
  const histories: Record<string, HistoryStep[]> = {};
  for (const id of [...named].slice(0, 25)) {
    histories[id] = (journal.get(id) ?? []).map((c) => ({
      at: c.at,
      status: c.after?.status ?? 'deleted',
      token: c.after?.leaseToken ?? null,
      owner: c.after?.leaseOwner ?? null,
      leaseExpiresAt: c.after?.leaseExpiresAt ?? null,
      availableAt: c.after?.availableAt ?? null,
    }));
  }
  return {
    jobs: {
      submitted: input.submitted.length,
      acknowledged: input.submitted.filter((s) => s.acknowledged).length,
      notAcknowledged: input.submitted.filter((s) => !s.acknowledged).length,
      writtenDespiteError: input.submitted.filter((s) => !s.acknowledged && final.has(s.id)).length,
      byStatus: tally([...final.values()].map((j) => j.status ?? 'undecodable')),
    },
    lost: { count: missing.length + notTerminal.length, missing, notTerminal },
    completedTwice: { count: twice.length, jobs: twice },
    wrongTranscript: { count: wrong.length, jobs: wrong },
    upstream: {
      calls: input.calls.length,
      successfulCalls: ok.length,
      byOutcome: tally(input.calls.map((c) => c.outcome)),
      byStatus: tally(input.calls.map((c) => String(c.status ?? 'none'))),
      withoutJob: input.calls.filter((c) => c.jobId === null).length,
    },
    duplicateUpstream: duplicateUpstreamCalls(journal, input.calls, input.kills),
    stuck: {
      thresholdMs: input.stuckAfterMs,
      count: episodes.length,
      byKind: tally(episodes.map((e) => e.kind)),
      longestMs: Math.max(0, ...episodes.map((e) => e.forMs)),
      examples: stuckExamples,
      reclaimDelayMs: distribution(reclaimDelays, 0),
    },
    payloads: { orphanChunks, jobsMissingChunks, inlineAudioLeft },
    histories,
  };
}
