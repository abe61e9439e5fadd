/**
 * Audit by construction, fuzzed: operator controls written through the web SDK the way the
 * dashboard writes them (`src/data/controls.ts`: the engine's planner, then every mutation
 * and the audit entry in ONE transaction), then forged in one way or another. The rules must
 * take a control only together with the audit entry its documents name (`controlAudit`), and
 * refuse every forgery; a refused control must leave its documents and the audit log as they
 * were, and a taken one must leave the entry naming what was done.
 */
import { Bytes, doc as webDoc, runTransaction, serverTimestamp, type Firestore as WebFirestore } from 'firebase/firestore';
import {
  controlReads,
  CONTROL_COUNTS_WRITER_PREFIX,
  decodeDoc,
  encodeDoc,
  isQueueError,
  parseControlCommand,
  planControl,
  readDocsFrom,
  TENANT_CLAIM,
  type CollectionKey,
  type CollectionNames,
  type ControlCommandInput,
  type FirestoreStore,
  type JobDoc,
} from '@fq/worker';
import { isTypedFirestoreError, type WebClients } from './client-run.js';
import { int, pick, type Random } from './values.js';
import { describeError, type Verdict } from './verdict.js';

const MODEL = 'gemini-fuzz';
const ADMIN_EMAIL = 'ops@fuzz.example';
const HOUR_AGO = Date.now() - 3_600_000;

interface Write {
  op: 'set' | 'delete';
  collection: CollectionKey;
  id: string;
  data?: Record<string, unknown>;
}

/** Domain values to web SDK values: bytes become `Bytes`, undefined fields go. */
function toWeb(value: unknown): unknown {
  if (value instanceof Uint8Array) return Bytes.fromUint8Array(value);
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toWeb);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWeb(v);
  return out;
}

interface Tamper {
  name: string;
  apply(writes: Write[], other: { uid: string }): void;
}

const audit = (writes: Write[]) => writes.find((w) => w.collection === 'audit')!;
const controlled = (writes: Write[]) => writes.filter((w) => w.collection !== 'audit' && w.op === 'set');
const OTHER_ACTION: Record<string, string> = {
  'queue.pause': 'queue.resume',
  'queue.resume': 'queue.pause',
  'job.retry': 'job.redrive',
  'job.redrive': 'job.retry',
  'job.cancel': 'job.retry',
  'breaker.force_open': 'breaker.reset',
  'breaker.force_close': 'breaker.force_open',
  'breaker.reset': 'breaker.force_close',
  'lock.force_release': 'queue.pause',
};

/** Forgeries; each must be refused. */
const TAMPERS: readonly Tamper[] = [
  { name: 'no audit entry', apply: (w) => void w.splice(w.indexOf(audit(w)), 1) },
  { name: 'entry under another id than the documents name', apply: (w) => void (audit(w).id = `${audit(w).id}0`) },
  {
    name: 'documents name another entry',
    apply: (w) => {
      for (const c of controlled(w)) c.data = { ...c.data, controlAudit: { id: 'queue.pause:forged:1', index: 0 } };
    },
  },
  { name: 'controlAudit dropped from the documents', apply: (w) => controlled(w).forEach((c) => delete c.data!.controlAudit) },
  {
    name: 'entry index 1 instead of 0',
    apply: (w) => {
      for (const c of controlled(w)) c.data = { ...c.data, controlAudit: { ...(c.data!.controlAudit as object), index: 1 } };
    },
  },
  {
    name: 'entry records another action',
    apply: (w) => {
      const a = audit(w);
      a.data = { ...a.data, action: OTHER_ACTION[String(a.data!.action)] ?? 'queue.pause' };
    },
  },
  {
    name: 'entry names another actor',
    apply: (w) => {
      const a = audit(w);
      a.data = { ...a.data, actor: { ...(a.data!.actor as object), id: 'someone-else' } };
    },
  },
  { name: 'entry alone (the control writes dropped)', apply: (w) => void w.splice(0, w.length, audit(w)) },
  {
    name: 'entry kept one day instead of 365',
    apply: (w) => {
      const a = audit(w);
      a.data = { ...a.data, expireAt: new Date(Date.now() + 86_400_000) };
    },
  },
];

/** Who commits the plan; only the run tenant's admin may. */
const ACTORS = [
  { name: 'not an admin', claims: (tenant: string) => ({ [TENANT_CLAIM]: tenant, email: ADMIN_EMAIL }) },
  { name: 'admin of another tenant', claims: (_tenant: string, other: string) => ({ [TENANT_CLAIM]: other, admin: true, email: ADMIN_EMAIL }) },
] as const;

export interface ControlEnv {
  store: FirestoreStore;
  web: WebClients;
  names: CollectionNames;
  tenant: string;
  otherTenant: string;
}

/** The claims of the fuzz control users (uid -> claims), for WebClients. */
export function controlClaims(uid: string, tenant: string, otherTenant: string): Record<string, unknown> | null {
  if (uid === 'fz-ops') return { [TENANT_CLAIM]: tenant, admin: true, email: ADMIN_EMAIL };
  const actor = ACTORS.find((a) => uid === `fz-ops-${a.name.replace(/ /g, '-')}`);
  return actor ? actor.claims(tenant, otherTenant) : null;
}

function seedJob(id: string, status: JobDoc['status']): JobDoc {
  const started = { attempts: 1, fence: 1, firstStartedAt: HOUR_AGO + 1_000, lastStartedAt: HOUR_AGO + 1_000, position: null, estimatedWaitMs: null, positionAt: null };
  const finished = { completedAt: HOUR_AGO + 3_000, expireAt: HOUR_AGO + 7 * 86_400_000 };
  const error = { at: HOUR_AGO + 2_000, attempt: 1, errorClass: 'overloaded' as const, code: 503, message: 'overloaded', retryAfterMs: null, serverId: 'fz', model: MODEL };
  const byStatus: Partial<Record<JobDoc['status'], Record<string, unknown>>> = {
    waiting: { ...started, availableAt: Date.now() + 3_600_000, errors: [error], lastErrorClass: 'overloaded' },
    dead_lettered: { ...started, ...finished, attempts: 5, errors: [error], lastErrorClass: 'overloaded' },
  };
  return decodeDoc('jobs', {
    status,
    priority: 'normal',
    userId: `fz-owner-${id}`,
    audio: { mimeType: 'audio/wav', bytes: 1_000, chunkCount: 1, durationSec: 1, sha256: null },
    source: 'client',
    createdAt: HOUR_AGO,
    updatedAt: HOUR_AGO,
    admittedAt: HOUR_AGO,
    rank: HOUR_AGO,
    maxAttempts: 5,
    ...byStatus[status],
  });
}

/** A command, after seeding what it acts on (a fresh job or lock per case, so no case depends on another). */
async function command(env: ControlEnv, n: number, r: Random): Promise<ControlCommandInput> {
  const kind = pick(r, ['queue.pause', 'queue.resume', 'breaker', 'job.retry', 'job.redrive', 'job.cancel', 'lock.force_release'] as const);
  const reason = pick(r, [null, 'fuzz', 'é'.repeat(int(r, 1, 400))]);
  if (kind === 'queue.pause' || kind === 'queue.resume') {
    return { type: kind, priorities: pick(r, [null, ['low'], ['normal', 'high'], ['urgent', 'high', 'normal', 'low']]), reason };
  }
  if (kind === 'breaker') return { type: pick(r, ['breaker.force_open', 'breaker.force_close', 'breaker.reset'] as const), model: MODEL, reason };
  if (kind === 'lock.force_release') {
    const name = `fz-lock-${n}`;
    await env.store.commit([
      { op: 'set', collection: 'locks', id: name, data: decodeDoc('locks', { name, holder: 'fz-server', token: 3, acquiredAt: HOUR_AGO, renewedAt: HOUR_AGO, expiresAt: Date.now() + 60_000 }) },
    ]);
    return { type: kind, name, reason };
  }
  const id = `fz-ctl-${n}`;
  const status = kind === 'job.retry' ? 'waiting' : kind === 'job.redrive' ? 'dead_lettered' : 'queued';
  await env.store.commit([
    { op: 'set', collection: 'jobs', id, data: seedJob(id, status) },
    { op: 'set', collection: 'payloads', id: `${id}_0000`, data: { jobId: id, userId: `fz-owner-${id}`, index: 0, count: 1, data: new Uint8Array(1_000), createdAt: HOUR_AGO } },
  ]);
  return { type: kind, jobIds: [id], reason };
}

/** The dashboard's control transaction, with a forgery applied to the writes before they go. */
async function runControl(db: WebFirestore, names: CollectionNames, input: ControlCommandInput, uid: string, tamper: Tamper | null): Promise<{ auditId: string; writes: Write[] }> {
  const cmd = parseControlCommand(input);
  return runTransaction(db, async (tx) => {
    const entries = await Promise.all(
      controlReads(cmd).map(async (ref) => {
        const snap = await tx.get(webDoc(db, names[ref.collection], ref.id));
        return { ref, doc: snap.exists() ? decodeDoc(ref.collection, snap.data()) : null };
      }),
    );
    const result = planControl(cmd, { actor: { kind: 'admin', id: uid, email: ADMIN_EMAIL }, now: Date.now(), docs: readDocsFrom(entries) });
    if (!result.ok) throw result.error;
    const plan = result.plan;
    const writes: Write[] = plan.mutations.map((m) =>
      m.op === 'delete' ? { op: 'delete', collection: m.collection, id: m.id } : { op: 'set', collection: m.collection, id: m.id, data: toWeb(encodeDoc(m.collection, m.data as never)) as Record<string, unknown> },
    );
    writes.push({ op: 'set', collection: 'audit', id: plan.auditId, data: { ...(toWeb(encodeDoc('audit', plan.audit)) as Record<string, unknown>), at: serverTimestamp() } });
    tamper?.apply(writes, { uid });
    for (const w of writes) {
      const ref = webDoc(db, names[w.collection], w.id);
      if (w.op === 'delete') tx.delete(ref);
      else tx.set(ref, w.data ?? {});
    }
    return { auditId: plan.auditId, writes };
  });
}

async function snapshotOf(env: ControlEnv, refs: readonly { collection: CollectionKey; id: string }[]): Promise<string> {
  const docs = await Promise.all(refs.map(async (r) => (await env.store.db.collection(env.names[r.collection]).doc(r.id).get()).data() ?? null));
  return JSON.stringify(docs);
}

/** One control case: a valid control (must commit, with its entry) or a forgery (must be refused, changing nothing). */
export async function runControlCase(env: ControlEnv, n: number, r: Random): Promise<Verdict> {
  const input = await command(env, n, r);
  const roll = r();
  const tamper = roll < 0.65 ? pick(r, TAMPERS) : null;
  const actor = !tamper && roll < 0.8 ? pick(r, ACTORS) : null;
  const mustPass = !tamper && !actor;
  const uid = actor ? `fz-ops-${actor.name.replace(/ /g, '-')}` : 'fz-ops';
  const category = mustPass ? 'control: as the dashboard writes it (control)' : `control: ${tamper?.name ?? actor!.name}`;
  const verdict: Verdict = { n, path: 'admin', categories: [category], notes: [`${input.type}${tamper ? `, ${tamper.name}` : ''}${actor ? `, by ${actor.name}` : ''}`], outcome: 'committed', code: null, violations: [] };
  const refs = controlReads(parseControlCommand(input));
  const before = await snapshotOf(env, refs);
  const auditBefore = (await env.store.db.collection(env.names.audit).get()).size;
  let committed: { auditId: string; writes: Write[] } | null = null;
  try {
    committed = await runControl(env.web.db(uid), env.names, input, uid, tamper);
  } catch (error) {
    if (isQueueError(error)) {
      verdict.outcome = 'planner-refused';
      verdict.code = error.code;
    } else if (isTypedFirestoreError(error)) {
      verdict.outcome = 'denied';
      verdict.code = String((error as { code: unknown }).code);
    } else {
      verdict.outcome = 'untyped';
      verdict.code = describeError(error);
      verdict.violations.push(`untyped error ${verdict.code}`);
    }
  }
  if (!committed) {
    if (mustPass) verdict.violations.push(`a control as the dashboard writes it was refused: ${verdict.code}`);
    if ((await snapshotOf(env, refs)) !== before) verdict.violations.push('refused, yet a controlled document changed');
    const auditAfter = (await env.store.db.collection(env.names.audit).get()).size;
    if (auditAfter !== auditBefore) verdict.violations.push(`refused, yet the audit log went from ${auditBefore} to ${auditAfter} entries`);
    return verdict;
  }
  if (!mustPass) verdict.violations.push(`the rules took a forged control (${tamper?.name ?? actor!.name})`);
  const entry = (await env.store.db.collection(env.names.audit).doc(committed.auditId).get()).data();
  if (!entry) verdict.violations.push(`committed without its audit entry ${committed.auditId}`);
  else if (entry.action !== input.type || (entry.actor as { id?: string }).id !== uid) verdict.violations.push(`the entry says ${String(entry.action)} by ${String((entry.actor as { id?: string }).id)}`);
  for (const w of controlled(committed.writes)) {
    const stored = (await env.store.db.collection(env.names[w.collection]).doc(w.id).get()).data();
    // A control's analytics partial names its entry by its writer id (control:<auditId>); every other document by controlAudit.
    const names =
      w.collection === 'analyticsPartials'
        ? stored?.serverId === `${CONTROL_COUNTS_WRITER_PREFIX}${committed.auditId}`
        : (stored?.controlAudit as { id?: string } | undefined)?.id === committed.auditId;
    if (!names) verdict.violations.push(`${w.collection}/${w.id} does not name the entry committed with it`);
  }
  return verdict;
}

export const CONTROL_CATEGORIES = ['control: as the dashboard writes it (control)', ...TAMPERS.map((t) => `control: ${t.name}`), ...ACTORS.map((a) => `control: ${a.name}`)];
