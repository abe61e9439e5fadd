/**
 * The writes the product's browsers make, built with the engine's own planners and applied
 * the way the dashboard's Firestore adapter applies them (`src/data/firestoreData.ts`):
 * - an end user's submission (`useTranscriptionQueue`): `planSubmission`, the job encoded
 *   with `clientSubmissionSchema` and its chunks with the payload codec, times set to the
 *   commit time (`serverTimestamp()`), and the step of the user's submission gate
 *   (`planGateStep` over the gate as read just before), all in ONE request;
 * - an operator's control (`src/data/controls.ts`): read `controlReads` in a transaction,
 *   `planControl`, write every mutation with `set` and create the audit entry under the id
 *   the documents name (`plan.auditId`), in ONE transaction; a bulk job control of more
 *   than MAX_AUDITED_JOBS_PER_COMMIT jobs in several such transactions (`runBulkControl`).
 * Each takes a `tamper` hook so a test can forge one field and prove the rules refuse it.
 */
import {
  auditedParts,
  controlReads,
  parseControlCommand,
  planControl,
  planGateStep,
  planSubmission,
  readDocsFrom,
  type ControlCommandInput,
  type ControlPlan,
  type SubmissionInput,
  type SubmissionPlan,
} from '@fq/worker/core';
import {
  clientSubmissionSchema,
  decodeDoc,
  encodeDoc,
  SINGLETON_IDS,
  submissionQuotaSchema,
  type Actor,
  type CollectionKey,
  type CollectionNames,
  type SubmissionQuota,
} from '@fq/worker/schema';
import {
  collection,
  doc,
  getDoc,
  runTransaction,
  serverTimestamp,
  writeBatch,
  type WriteBatch,
  type DocumentData,
  type Firestore,
} from 'firebase/firestore';
import { makeWav } from '../../../worker/src/testing/audio.js';
import { toWeb } from './fixtures.js';

/**
 * One document write: `set` (replace) or `delete`; `id: null` = a new random id. `gate` is
 * the submission gate step of the job `jobId`, worked out at commit (`resolveGateStep`).
 */
export interface PlannedWrite {
  op: 'set' | 'delete' | 'gate';
  collection: CollectionKey;
  id: string | null;
  data?: DocumentData;
  jobId?: string;
}

function apply(db: Firestore, names: CollectionNames, target: { set(ref: never, data: DocumentData): unknown; delete(ref: never): unknown }, w: PlannedWrite): void {
  const coll = names[w.collection];
  const ref = w.id === null ? doc(collection(db, coll)) : doc(db, coll, w.id);
  if (w.op === 'delete') target.delete(ref as never);
  else target.set(ref as never, w.data ?? {});
}

// ---------- end-user submissions ----------

export async function planUserSubmission(userId: string, input: Partial<SubmissionInput> = {}): Promise<SubmissionPlan> {
  return planSubmission(
    { audio: makeWav(1), mimeType: 'audio/wav', userId, priority: 'high', metadata: { lesson: 'l-1', attempt: 2 }, ...input },
    { now: Date.now(), source: 'client' },
  );
}

/** The hook's request: the job, every chunk and the gate step naming the job, times = the commit time. */
export function submissionWrites(plan: SubmissionPlan): PlannedWrite[] {
  return [
    {
      op: 'set',
      collection: 'jobs',
      id: plan.jobId,
      data: { ...(toWeb(clientSubmissionSchema.encode({ ...plan.submission, source: 'client' })) as DocumentData), createdAt: serverTimestamp() },
    },
    ...plan.chunks.map(
      (c): PlannedWrite => ({
        op: 'set',
        collection: 'payloads',
        id: c.id,
        data: { ...(toWeb(encodeDoc('payloads', c.doc)) as DocumentData), createdAt: serverTimestamp() },
      }),
    ),
    { op: 'gate', collection: 'submissionGates', id: plan.submission.userId, jobId: plan.jobId },
  ];
}

/** The quota the rules apply in `names`' tenant: the stats document's, or the defaults. */
async function quotaIn(db: Firestore, names: CollectionNames): Promise<SubmissionQuota> {
  const stats = await getDoc(doc(db, names.stats, SINGLETON_IDS.queueStats)).catch(() => null);
  return submissionQuotaSchema.parse(stats?.exists() ? (stats.get('submissionQuota') ?? {}) : {});
}

/**
 * The gate step the hook would write now: `planGateStep` over the user's gate as read just
 * before (the hook reads it in its transaction). Over the quota the hook writes nothing;
 * this writes the next step anyway, so a test sees what the rules say to it.
 */
async function resolveGateStep(db: Firestore, names: CollectionNames, w: PlannedWrite, batch: WriteBatch): Promise<void> {
  const ref = doc(db, names.submissionGates, w.id!);
  // A read the rules refuse (another tenant's gate) leaves the commit to be refused too.
  const snap = await getDoc(ref).catch(() => null);
  const gate = snap?.exists() ? { windowStart: (snap.get('windowStart') as { toMillis(): number }).toMillis(), count: snap.get('count') as number } : null;
  const step = planGateStep(gate, Date.now(), await quotaIn(db, names));
  if (step.kind === 'open') batch.set(ref, { windowStart: serverTimestamp(), count: 1, lastJobId: w.jobId });
  else batch.update(ref, { count: step.kind === 'next' ? step.count : gate!.count + 1, lastJobId: w.jobId });
}

export async function commitBatch(db: Firestore, names: CollectionNames, writes: readonly PlannedWrite[]): Promise<void> {
  const batch = writeBatch(db);
  for (const w of writes) {
    if (w.op === 'gate') await resolveGateStep(db, names, w, batch);
    else apply(db, names, batch as never, w);
  }
  await batch.commit();
}

// ---------- operator controls ----------

export function adminActor(uid: string, email: string | null): Actor {
  return { kind: 'admin', id: uid, email };
}

export interface ControlOptions {
  /** Change the writes before they are committed (forgery tests). */
  tamper?: (writes: PlannedWrite[]) => void;
  /** The planner's clock (the dashboard passes its estimate of server time). */
  now?: number;
}

/**
 * Runs a control exactly like the dashboard: transaction reads, the pure planner, `set` of
 * each mutation and the audit entry created with `at` = commit time (what the rules demand).
 */
export async function runControl(
  db: Firestore,
  names: CollectionNames,
  input: ControlCommandInput,
  actor: Actor,
  options: ControlOptions = {},
): Promise<ControlPlan> {
  const command = parseControlCommand(input);
  return runTransaction(db, async (tx) => {
    const entries = await Promise.all(
      controlReads(command).map(async (ref) => {
        const snap = await tx.get(doc(db, names[ref.collection], ref.id));
        return { ref, doc: snap.exists() ? decodeDoc(ref.collection, snap.data()) : null };
      }),
    );
    const result = planControl(command, { actor, now: options.now ?? Date.now(), docs: readDocsFrom(entries) });
    if (!result.ok) throw result.error;
    const plan = result.plan;
    const writes: PlannedWrite[] = plan.mutations.map((m) =>
      m.op === 'delete'
        ? { op: 'delete', collection: m.collection, id: m.id }
        : { op: 'set', collection: m.collection, id: m.id, data: toWeb(encodeDoc(m.collection, m.data as never)) as DocumentData },
    );
    writes.push({ op: 'set', collection: 'audit', id: plan.auditId, data: { ...(toWeb(encodeDoc('audit', plan.audit)) as DocumentData), at: serverTimestamp() } });
    options.tamper?.(writes);
    for (const w of writes) apply(db, names, tx as never, w);
    return plan;
  });
}

/** A bulk control the way the dashboard commits it: one transaction (and audit entry) per part. */
export async function runBulkControl(db: Firestore, names: CollectionNames, input: ControlCommandInput, actor: Actor): Promise<ControlPlan[]> {
  const plans: ControlPlan[] = [];
  for (const part of auditedParts(parseControlCommand(input))) plans.push(await runControl(db, names, part, actor));
  return plans;
}

/** The audit entry among planned writes (for tampering). */
export function auditWrite(writes: PlannedWrite[]): PlannedWrite {
  const w = writes.find((x) => x.collection === 'audit');
  if (!w?.data) throw new Error('the plan has no audit entry');
  return w;
}
