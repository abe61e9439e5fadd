import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import {
  Bytes,
  connectFirestoreEmulator,
  doc,
  getDoc,
  increment,
  initializeFirestore,
  runTransaction,
  serverTimestamp,
  setLogLevel,
  terminate,
  type Timestamp,
  writeBatch,
  type Firestore,
} from 'firebase/firestore';
import {
  clientSubmissionSchema,
  encodeDoc,
  planGateStep,
  SubmissionThrottledError,
  type CollectionNames,
  type SubmissionPlan,
  type SubmissionQuota,
} from '@fq/worker';

/**
 * End users in a bench: one web SDK instance each (its own connection, so the emulator's
 * meter bills each user apart), signed in through the emulator's mock tokens with the
 * tenant claim of the run's prefix, writing under the project's security rules.
 */
export class WebUser {
  readonly db: Firestore;
  private constructor(
    readonly uid: string,
    private readonly app: FirebaseApp,
    private readonly names: CollectionNames,
  ) {
    this.db = initializeFirestore(app, {});
  }

  static connect(options: { uid: string; host: string; projectId: string; prefix: string; names: CollectionNames }): WebUser {
    // Refusals are part of the measurement: keep the SDK from logging each one.
    setLogLevel('silent');
    const app = initializeApp({ projectId: options.projectId, apiKey: 'bench-api-key' }, `bench-${options.uid}-${Date.now()}`);
    const user = new WebUser(options.uid, app, options.names);
    const i = options.host.lastIndexOf(':');
    connectFirestoreEmulator(user.db, options.host.slice(0, i), Number(options.host.slice(i + 1)), {
      mockUserToken: { sub: options.uid, user_id: options.uid, tenant: options.prefix },
    });
    return user;
  }

  private gateRef() {
    return doc(this.db, this.names.submissionGates, this.uid);
  }

  /** The user's submission gate (one read: it also opens the SDK's connection). */
  async readGate(): Promise<{ windowStart: number; count: number } | null> {
    const snap = await getDoc(this.gateRef());
    return snap.exists() ? { windowStart: (snap.get('windowStart') as Timestamp).toMillis(), count: snap.get('count') as number } : null;
  }

  private writeSubmission(target: { set(ref: never, data: never, options?: never): unknown }, plan: SubmissionPlan): void {
    const job = { ...clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }), createdAt: serverTimestamp() };
    target.set(doc(this.db, this.names.jobs, plan.jobId) as never, job as never);
    for (const c of plan.chunks) {
      const data = { ...encodeDoc('payloads', c.doc), data: Bytes.fromUint8Array(c.doc.data), createdAt: serverTimestamp() };
      target.set(doc(this.db, this.names.payloads, c.id) as never, data as never);
    }
  }

  /**
   * As the browser client submits (`commitSubmission` in `@fq/client`): one transaction reading the
   * gate, then the job, its chunks and the gate step; over the quota nothing is written and
   * `SubmissionThrottledError` is thrown.
   */
  async submitLikeTheHook(plan: SubmissionPlan, quota: SubmissionQuota): Promise<void> {
    await runTransaction(this.db, async (tx) => {
      const snap = await tx.get(this.gateRef());
      const gate = snap.exists() ? { windowStart: (snap.get('windowStart') as Timestamp).toMillis(), count: snap.get('count') as number } : null;
      const step = planGateStep(gate, Date.now(), quota);
      if (step.kind === 'throttled') throw new SubmissionThrottledError(this.uid, step.retryAfterMs, step.resetAt, quota);
      this.writeSubmission(tx as never, plan);
      if (step.kind === 'open') tx.set(this.gateRef(), { windowStart: serverTimestamp(), count: 1, lastJobId: plan.jobId });
      else tx.update(this.gateRef(), { count: step.count, lastJobId: plan.jobId });
    });
  }

  /**
   * A flooder's submission: no read, one batch, the gate either reopened (`open`) or counted
   * on blindly with `increment(1)`. The fastest a client can try; the rules decide.
   */
  async submitBlind(plan: SubmissionPlan, step: 'open' | 'next'): Promise<void> {
    const batch = writeBatch(this.db);
    this.writeSubmission(batch as never, plan);
    if (step === 'open') batch.set(this.gateRef(), { windowStart: serverTimestamp(), count: 1, lastJobId: plan.jobId });
    else batch.set(this.gateRef(), { count: increment(1), lastJobId: plan.jobId }, { merge: true });
    await batch.commit();
  }

  async close(): Promise<void> {
    await terminate(this.db).catch(() => undefined);
    await deleteApp(this.app).catch(() => undefined);
  }
}
