import { atMost, reported, type Figure } from '../lib/goals.js';
import { distribution, round, type Distribution } from '../lib/stats.js';

/**
 * The flood scenario's figures, from what the harness recorded (every submission a user
 * tried and how it ended), the job documents afterwards, and the emulator meter's counts.
 * Pure, so the maths is unit-tested on hand-written runs.
 */

/** One submission as its client saw it. */
export interface Attempt {
  uid: string;
  jobId: string;
  /** accepted: the commit succeeded; refused: the rules (permission-denied) or the client's own quota check; error: anything else. */
  outcome: 'accepted' | 'refused' | 'error';
  /** Refusal or error code (permission-denied, SUBMISSION_THROTTLED, ...). */
  code: string | null;
}

/** The stored job of an accepted attempt (times: Firestore's, epoch ms). */
export interface JobView {
  id: string;
  status: string;
  createdAt: number;
  admittedAt: number | null;
  rejectionCode: string | null;
}

export interface Counts {
  reads: number;
  writes: number;
  deletes: number;
}

export interface SideFigures {
  attempts: number;
  accepted: number;
  refused: number;
  errors: number;
  /** Accepted and then admitted by a worker. */
  admitted: number;
  /** Accepted, then rejected by a worker (code -> count). */
  rejectedByCode: Record<string, number>;
  /** Accepted and still `submitted` when the harness stopped waiting. */
  undecided: number;
  /** Refusals by code. */
  refusedByCode: Record<string, number>;
  /** admittedAt - createdAt of the admitted jobs: the commit that wrote the submission to the admission commit. */
  admissionDelayMs: Distribution;
}

/** Splits one group of users' attempts into what happened to them. */
export function sideFigures(attempts: readonly Attempt[], jobs: ReadonlyMap<string, JobView>): SideFigures {
  const out: SideFigures = {
    attempts: attempts.length,
    accepted: 0,
    refused: 0,
    errors: 0,
    admitted: 0,
    rejectedByCode: {},
    undecided: 0,
    refusedByCode: {},
    admissionDelayMs: distribution([]),
  };
  const delays: number[] = [];
  for (const a of attempts) {
    if (a.outcome === 'refused') {
      out.refused += 1;
      const code = a.code ?? 'unknown';
      out.refusedByCode[code] = (out.refusedByCode[code] ?? 0) + 1;
      continue;
    }
    if (a.outcome === 'error') {
      out.errors += 1;
      continue;
    }
    out.accepted += 1;
    const job = jobs.get(a.jobId);
    if (!job || job.status === 'submitted') {
      out.undecided += 1;
    } else if (job.status === 'rejected') {
      const code = job.rejectionCode ?? 'unknown';
      out.rejectedByCode[code] = (out.rejectedByCode[code] ?? 0) + 1;
    } else if (job.admittedAt !== null) {
      out.admitted += 1;
      delays.push(job.admittedAt - job.createdAt);
    } else {
      // Cancelled before admission, or a state without an admission time: not a delay sample.
      out.undecided += 1;
    }
  }
  out.admissionDelayMs = distribution(delays);
  return out;
}

/** What `after - before` of one meter counter set is. */
export function delta(after: Counts, before: Counts | null): Counts {
  return { reads: after.reads - (before?.reads ?? 0), writes: after.writes - (before?.writes ?? 0), deletes: after.deletes - (before?.deletes ?? 0) };
}

export interface FloodCost {
  /** Billed to the flooder's own connection during the flood (its accepted and refused attempts). */
  flooder: Counts | null;
  /** Writes per accepted submission: the job, its chunks and the gate step. */
  writesPerAccepted: number;
  /** Billed to refused attempts: the flooder's billing beyond what its accepted ones cost (0 when the rules refuse for free). */
  refusedAttempts: Counts | null;
  /** Billed to the workers (admin SDK connections) from the flood's start until every submission was decided. */
  engine: Counts;
  /**
   * The workers' operations over every submission accepted meanwhile (the flooder's and the
   * others'): admission, the run, listeners, heartbeats and leader duties included.
   */
  engineOpsPerAcceptedSubmission: number | null;
}

export function floodCost(input: {
  flooder: Counts | null;
  engine: Counts;
  /** The flooder's accepted submissions. */
  accepted: number;
  /** Everyone's accepted submissions in the same span (the flooder's included). */
  acceptedAll: number;
  writesPerAccepted: number;
}): FloodCost {
  const { flooder, accepted, writesPerAccepted } = input;
  const refusedAttempts = flooder ? { reads: flooder.reads, writes: flooder.writes - accepted * writesPerAccepted, deletes: flooder.deletes } : null;
  const engineOps = input.engine.reads + input.engine.writes + input.engine.deletes;
  return {
    flooder,
    writesPerAccepted,
    refusedAttempts,
    engine: input.engine,
    engineOpsPerAcceptedSubmission: input.acceptedAll > 0 ? round(engineOps / input.acceptedAll, 1) : null,
  };
}

export type FloodFigure =
  | 'othersAdmissionDelayP50Ms'
  | 'othersAdmissionDelayP95Ms'
  | 'othersAdmissionDelayMaxMs'
  | 'othersNotAdmitted'
  | 'flooderAccepted'
  | 'flooderRefused'
  | 'refusedAttemptsBilledOps'
  | 'engineOpsPerAcceptedSubmission';

/**
 * The figures the issue names, with its goals: the others' admission delay p95 `<= 1 s`, and
 * none of their submissions refused, failed, rejected or left undecided.
 */
export function floodGoalFigures(others: SideFigures, flooder: SideFigures, cost: FloodCost): Record<FloodFigure, Figure> {
  const othersNotAdmitted = others.refused + others.errors + Object.values(others.rejectedByCode).reduce((a, b) => a + b, 0) + others.undecided;
  return {
    othersAdmissionDelayP50Ms: reported(others.admissionDelayMs.p50, 'ms'),
    othersAdmissionDelayP95Ms: atMost(others.admissionDelayMs.p95, 1_000, 'ms'),
    othersAdmissionDelayMaxMs: reported(others.admissionDelayMs.max, 'ms'),
    othersNotAdmitted: atMost(othersNotAdmitted, 0),
    flooderAccepted: reported(flooder.accepted),
    flooderRefused: reported(flooder.refused),
    refusedAttemptsBilledOps: reported(cost.refusedAttempts ? cost.refusedAttempts.reads + cost.refusedAttempts.writes + cost.refusedAttempts.deletes : null),
    engineOpsPerAcceptedSubmission: reported(cost.engineOpsPerAcceptedSubmission),
  };
}
