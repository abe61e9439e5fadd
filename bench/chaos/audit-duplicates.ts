import type { CallRecord } from './call-log-proxy.js';
import type { JobChange } from './commit-journal.js';

/**
 * Duplicate upstream calls: a job that got more than one successful answer from Gemini.
 * Not a double completion (only one answer is ever written, by the current fencing token),
 * but money spent twice; each extra answer is explained from the journal and the kill log:
 *
 * - `holder killed`: the worker that made the call was kill -9'd after it started, so its
 *   answer never reached Firestore and the job was reclaimed and called again;
 * - `lease expired, holder alive`: the lease ran out while the holder lived (heartbeats
 *   failing under injected commit faults or dropped streams), another worker reclaimed the
 *   job, and the old holder's answer was refused by the fence;
 * - `unexplained`: neither; a finding to investigate.
 */
export type DuplicateCause = 'holder killed' | 'lease expired, holder alive' | 'unexplained';

export interface DuplicateReport {
  /** Jobs with more than one successful upstream answer. */
  jobs: number;
  /** Successful answers beyond the one that completed each job. */
  extraSuccessfulCalls: number;
  byCause: Partial<Record<DuplicateCause, number>>;
  examples: { jobId: string; token: number | null; owner: string | null; callAt: number; cause: DuplicateCause }[];
}

interface Claim {
  token: number | null;
  owner: string | null;
  at: number;
  /** When this claim's lease ended (the next change that took the job out of its hands). */
  endedAt: number | null;
  expiredBeforeEnd: boolean;
}

function claimsOf(changes: readonly JobChange[]): Claim[] {
  const claims: Claim[] = [];
  for (const c of changes) {
    const a = c.after;
    const b = c.before;
    const current = claims[claims.length - 1];
    if (current && current.endedAt === null && (a?.status !== 'running' || a.leaseToken !== current.token)) {
      current.endedAt = c.at;
      current.expiredBeforeEnd = b?.leaseExpiresAt !== null && b?.leaseExpiresAt !== undefined && b.leaseExpiresAt <= c.at;
    }
    if (a?.status === 'running' && (b?.status !== 'running' || b.leaseToken !== a.leaseToken)) {
      claims.push({ token: a.leaseToken, owner: a.leaseOwner, at: c.at, endedAt: null, expiredBeforeEnd: false });
    }
  }
  return claims;
}

export function duplicateUpstreamCalls(
  journal: ReadonlyMap<string, readonly JobChange[]>,
  calls: readonly CallRecord[],
  kills: readonly { serverId: string; at: number }[],
): DuplicateReport {
  const successes = new Map<string, CallRecord[]>();
  for (const call of calls) {
    if (call.status !== 200 || !call.jobId) continue;
    const list = successes.get(call.jobId) ?? [];
    list.push(call);
    successes.set(call.jobId, list);
  }
  const report: DuplicateReport = { jobs: 0, extraSuccessfulCalls: 0, byCause: {}, examples: [] };
  for (const [jobId, ok] of successes) {
    if (ok.length < 2) continue;
    report.jobs += 1;
    const changes = journal.get(jobId) ?? [];
    const claims = claimsOf(changes);
    const completingTokens = new Set(
      changes.filter((c) => c.after?.status === 'succeeded' && c.before?.status !== 'succeeded').map((c) => c.before?.leaseToken ?? null),
    );
    let kept = false;
    for (const call of [...ok].sort((a, b) => a.start - b.start)) {
      const claim = [...claims].reverse().find((c) => c.at <= call.start);
      if (claim && completingTokens.has(claim.token) && !kept) {
        kept = true; // the answer that completed the job
        continue;
      }
      const killed = claim ? kills.find((k) => k.serverId === claim.owner && k.at >= call.start - 50) : undefined;
      const cause: DuplicateCause = killed ? 'holder killed' : claim?.expiredBeforeEnd ? 'lease expired, holder alive' : 'unexplained';
      report.extraSuccessfulCalls += 1;
      report.byCause[cause] = (report.byCause[cause] ?? 0) + 1;
      if (report.examples.length < 10) report.examples.push({ jobId, token: claim?.token ?? null, owner: claim?.owner ?? null, callAt: call.start, cause });
    }
  }
  return report;
}
