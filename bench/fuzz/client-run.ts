import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import {
  Bytes,
  connectFirestoreEmulator,
  doc as webDoc,
  FirestoreError,
  initializeFirestore,
  runTransaction,
  serverTimestamp,
  setLogLevel,
  terminate,
  type Timestamp,
  type Firestore as WebFirestore,
} from 'firebase/firestore';
import { FieldValue } from 'firebase-admin/firestore';
import { decodeDoc, planGateStep, type FirestoreStore, type SubmissionQuota } from '@fq/worker';
import { SERVER_TIME, type ClientCase } from './client-cases.js';
import { durationProblems } from './duration-oracle.js';
import { describeError, type Verdict } from './verdict.js';

/** Web SDK clients signed in as each fuzz user (emulator mock tokens), one per uid. */
export class WebClients {
  private readonly apps = new Map<string, { app: FirebaseApp; db: WebFirestore }>();
  constructor(
    private readonly host: string,
    private readonly projectId: string,
    /** The collection prefix the users' tenant claim names (the rules bind accounts to one). */
    private readonly tenant: string,
    /** Other claims for some users (tenant and tier cases): replace `{ tenant }` entirely. */
    private readonly claimsOf: (uid: string) => Record<string, unknown> | null = () => null,
  ) {}

  db(uid: string): WebFirestore {
    // Refusals are the point of the exercise: keep the SDK from logging each one.
    setLogLevel('silent');
    let entry = this.apps.get(uid);
    if (!entry) {
      const app = initializeApp({ projectId: this.projectId, apiKey: 'fuzz-api-key' }, `fuzz-${uid}`);
      const db = initializeFirestore(app, {});
      const i = this.host.lastIndexOf(':');
      connectFirestoreEmulator(db, this.host.slice(0, i), Number(this.host.slice(i + 1)), { mockUserToken: { sub: uid, user_id: uid, ...(this.claimsOf(uid) ?? { tenant: this.tenant }) } });
      entry = { app, db };
      this.apps.set(uid, entry);
    }
    return entry.db;
  }

  async close(): Promise<void> {
    for (const { app, db } of this.apps.values()) {
      await terminate(db);
      await deleteApp(app);
    }
  }
}

function convert(value: unknown, serverTime: () => unknown, bytes: (b: Uint8Array) => unknown): unknown {
  if (value === SERVER_TIME) return serverTime();
  if (value instanceof Uint8Array) return bytes(value);
  if (Array.isArray(value)) return value.map((v) => convert(v, serverTime, bytes));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, serverTime, bytes)]));
  }
  return value;
}

/**
 * The fuzz users' submission quota: the cases are about what a submission holds, so the
 * quota (its own rules suite, `tests/rules/submission-gates.test.ts`) never refuses one.
 */
export const FUZZ_SUBMISSION_QUOTA: SubmissionQuota = { perWindow: 1_000_000, windowMs: 1_000 };

async function write(c: ClientCase, env: ClientEnv): Promise<void> {
  const { docs } = c;
  if (c.via === 'web') {
    const db = env.web.db(c.uid);
    const data = (v: unknown) => convert(v, serverTimestamp, (b) => Bytes.fromUint8Array(b)) as Record<string, unknown>;
    // As the hook commits it: one transaction with the step of the user's submission gate
    // (cases of one user run in parallel; the SDK retries the one whose gate read went stale).
    await runTransaction(db, async (tx) => {
      const gateRef = webDoc(db, env.names.submissionGates, c.uid);
      const snap = await tx.get(gateRef);
      const gate = snap.exists() ? { windowStart: (snap.get('windowStart') as Timestamp).toMillis(), count: snap.get('count') as number } : null;
      const step = planGateStep(gate, Date.now(), FUZZ_SUBMISSION_QUOTA);
      tx.set(webDoc(db, env.names.jobs, docs.jobId), data(docs.job));
      for (const chunk of docs.chunks) tx.set(webDoc(db, env.names.payloads, chunk.id), data(chunk.doc));
      if (step.kind === 'next') tx.update(gateRef, { count: step.count, lastJobId: docs.jobId });
      else tx.set(gateRef, { windowStart: serverTimestamp(), count: 1, lastJobId: docs.jobId });
    });
  } else {
    const db = env.store.db;
    const batch = db.batch();
    const data = (v: unknown) => convert(v, () => FieldValue.serverTimestamp(), (b) => Buffer.from(b)) as Record<string, unknown>;
    batch.set(db.collection(env.names.jobs).doc(docs.jobId), data(docs.job));
    for (const chunk of docs.chunks) batch.set(db.collection(env.names.payloads).doc(chunk.id), data(chunk.doc));
    await batch.commit();
  }
}

/** Firestore's status codes as the web SDK names them (FirebaseError.code). */
const WEB_CODES = new Set([
  'cancelled', 'unknown', 'invalid-argument', 'deadline-exceeded', 'not-found', 'already-exists', 'permission-denied',
  'resource-exhausted', 'failed-precondition', 'aborted', 'out-of-range', 'unimplemented', 'internal', 'unavailable',
  'data-loss', 'unauthenticated',
]);

/**
 * What a client can branch on: the web SDK's FirestoreError (or FirebaseError) with a
 * Firestore code, or the admin SDK's error with a numeric gRPC status.
 */
export function isTypedFirestoreError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (error instanceof FirestoreError) return true;
  return (typeof code === 'string' && WEB_CODES.has(code)) || (typeof code === 'number' && code >= 0 && code <= 16);
}

export interface ClientEnv {
  store: FirestoreStore;
  web: WebClients;
  names: { jobs: string; payloads: string; submissionGates: string };
  decideTimeoutMs: number;
}

/** A string Firestore accepts as a document id (others cannot have been written). */
export function isDocumentId(id: string): boolean {
  return id.length > 0 && Buffer.byteLength(id) <= 1_500 && !id.includes('/') && id !== '.' && id !== '..' && !/^__.*__$/.test(id);
}

async function chunksLeft(env: ClientEnv, jobId: string): Promise<number> {
  const snap = await env.store.db.collection(env.names.payloads).where('jobId', '==', jobId).get();
  return snap.size;
}

async function jobDoc(env: ClientEnv, jobId: string): Promise<Record<string, unknown> | null> {
  if (!isDocumentId(jobId)) return null;
  const snap = await env.store.db.collection(env.names.jobs).doc(jobId).get();
  return snap.exists ? (snap.data() ?? null) : null;
}

/**
 * Writes one browser-path case and follows it to a verdict: refused by the SDK or the rules
 * (typed FirestoreError, nothing written), or written and then admitted or rejected by the
 * engine (a `rejected` job with a code and no audio left, or a job that runs).
 */
export async function runClientCase(env: ClientEnv, c: ClientCase): Promise<Verdict> {
  const verdict: Verdict = { n: c.n, path: c.via, categories: c.categories, notes: c.notes, outcome: 'written', code: null, violations: [] };
  const control = c.categories.includes('valid (control)');
  // Path-like ids repeat across cases ("constructor"): a refusal leaves only what was there.
  const existed = (await jobDoc(env, c.docs.jobId)) !== null;
  const chunksBefore = await chunksLeft(env, c.docs.jobId);
  try {
    await write(c, env);
  } catch (error) {
    // The admin SDK validates paths before sending: a backend cannot write such a job at all.
    const localPathCheck = c.via === 'admin' && error instanceof Error && /^Value for argument "documentPath"/.test(error.message);
    const typed = isTypedFirestoreError(error) || localPathCheck;
    verdict.outcome = localPathCheck ? 'refused-locally' : typed ? 'denied' : 'untyped';
    verdict.code = localPathCheck ? 'invalid-document-path' : typed ? String((error as { code: unknown }).code) : describeError(error);
    if (!typed) verdict.violations.push(`untyped error ${verdict.code}`);
    if (control) verdict.violations.push(`a valid submission was refused: ${describeError(error)}`);
    if (!existed && (await jobDoc(env, c.docs.jobId))) verdict.violations.push('refused, yet the job document exists');
    const left = (await chunksLeft(env, c.docs.jobId)) - chunksBefore;
    if (left > 0) verdict.violations.push(`refused, yet ${left} audio chunks exist`);
    return verdict;
  }
  if (c.expect === 'denied') verdict.violations.push(`the rules took a write they must refuse (${c.categories.join(', ')})`);
  // The admin SDK normalises a path it accepts ("/leading" names the document "leading"):
  // follow the document it actually wrote.
  const jobId = c.via === 'admin' ? env.store.db.collection(env.names.jobs).doc(c.docs.jobId).id : c.docs.jobId;
  const deadline = Date.now() + env.decideTimeoutMs;
  // Follow it to the end: admitted jobs run at once (the fake answers instantly), and
  // garbage that got past admission shows how far it went (payload check or upstream 400).
  const settled = (r: Record<string, unknown> | null) => !r || ['succeeded', 'failed', 'dead_lettered', 'cancelled', 'rejected'].includes(String(r.status));
  let raw = await jobDoc(env, jobId);
  while (!settled(raw) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    raw = await jobDoc(env, jobId);
  }
  if (!raw) {
    verdict.outcome = 'vanished';
    verdict.violations.push('written, then the job document disappeared');
    return verdict;
  }
  if (raw.status === 'submitted' || raw.status === 'queued' || raw.status === 'waiting' || raw.status === 'running') {
    if (raw.status !== 'submitted') {
      verdict.outcome = `admitted, still ${String(raw.status)}`;
      verdict.violations.push(`admitted but not finished after ${env.decideTimeoutMs / 1000} s`);
      return verdict;
    }
    let decodable = true;
    try {
      decodeDoc('jobs', raw);
    } catch {
      decodable = false;
    }
    verdict.outcome = decodable ? 'undecided' : 'undecodable';
    verdict.violations.push(
      decodable
        ? `still submitted after ${env.decideTimeoutMs / 1000} s`
        : `still submitted after ${env.decideTimeoutMs / 1000} s: the engine cannot read the document (it skips it) and never rejects it`,
    );
    return verdict;
  }
  const status = String(raw.status);
  const rejection = raw.rejection as { code?: string } | null | undefined;
  verdict.outcome = status === 'rejected' ? 'rejected' : status;
  verdict.code = status === 'rejected' ? (rejection?.code ?? null) : typeof raw.lastErrorClass === 'string' ? raw.lastErrorClass : null;
  if (status === 'rejected' && !verdict.code) verdict.violations.push('rejected without a code');
  if (control && status !== 'succeeded') verdict.violations.push(`a valid submission ended ${status} (${verdict.code})`);
  // Admitted: the queue must use the measured duration, not the declared one.
  if (raw.admittedAt != null) {
    const declared = (c.docs.job.audio as { durationSec?: number | null } | undefined)?.durationSec;
    verdict.violations.push(...durationProblems(raw, c.trueDurationSec ?? null, declared));
  }
  if (['rejected', 'succeeded', 'cancelled'].includes(status)) {
    const left = await chunksLeft(env, c.docs.jobId);
    if (left) verdict.violations.push(`${status}, yet ${left} audio chunks were left behind`);
  }
  return verdict;
}
