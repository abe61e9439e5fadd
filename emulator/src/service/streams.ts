import type {
  FirestoreError} from '../model/index.js';
import {
  documentsRoot,
  formatNanos,
  invalidArgument,
  parseParentName,
  parseToNanos,
  sameDatabase,
  toFirestoreError,
} from '../model/index.js';
import { joinPath, parseStructuredQuery } from '../query/index.js';
import type { Database } from '../store/index.js';
import type { ListenResponse, TargetSpec } from '../watch/index.js';
import { ListenSession, documentPaths, evaluateTarget } from '../watch/index.js';
import { commitWrites } from './commit.js';
import type { CallContext } from './context.js';
import { asObject, parseWrite, transactionId, writeResultJson } from './convert.js';
import type { ServiceCore } from './core.js';
import { chargesByCollection } from './meter.js';

type Json = Record<string, unknown>;

/** A bidirectional stream as front ends see it: feed requests in, responses come out. */
export interface StreamHandle {
  /** Handles one client message; resolves once it was processed. */
  request(message: Json): Promise<void>;
  /** The client went away (or the front end closes the stream): free everything. */
  close(): void;
}

export interface StreamSink {
  send(message: Json): void;
  /** Ends the stream with an error status. */
  fail(error: FirestoreError): void;
}

/** Serialises async request handling so messages are processed in arrival order. */
class Serial {
  private tail: Promise<void> = Promise.resolve();
  run(task: () => Promise<void> | void): Promise<void> {
    const next = this.tail.then(task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export function openListen(core: ServiceCore, ctx: CallContext, sink: StreamSink): StreamHandle {
  let session: ListenSession | undefined;
  let closed = false;
  const serial = new Serial();

  const ensureSession = (database: unknown): ListenSession => {
    // Only the first request has to name the database; later ones may omit it.
    if (session && (database === undefined || database === null || database === '')) return session;
    const db = core.database(database);
    if (!session) {
      session = new ListenSession(core.store, db, (m: ListenResponse) => sink.send(m), {
        chargeReads: (reads, paths, fallback) =>
          core.charge(ctx, db, { reads }, { call: 'listen', collections: chargesByCollection('reads', paths, reads, fallback) }),
      });
    } else if (!sameDatabase(session.database.id, db.id)) {
      throw invalidArgument('All requests on a Listen stream must use the same database.');
    }
    return session;
  };

  const handle = async (message: Json): Promise<void> => {
    if (closed) return;
    const s = ensureSession(message.database);
    if (message.addTarget !== undefined && message.addTarget !== null) {
      const target = asObject(message.addTarget, 'target');
      const targetId = Number(target.targetId ?? 0);
      try {
        const spec = parseTarget(s.database, target);
        await authorizeTarget(core, ctx, s.database, spec);
        if (closed) return;
        s.addTarget(targetId, spec, {
          resumeToken: transactionId(target.resumeToken),
          readTime: target.readTime ? parseToNanos(target.readTime) : undefined,
          expectedCount: expectedCount(target.expectedCount),
          once: target.once === true,
        });
      } catch (err) {
        s.failTarget(targetId, toFirestoreError(err));
      }
      return;
    }
    if (message.removeTarget !== undefined && message.removeTarget !== null) {
      s.removeTarget(Number(message.removeTarget));
    }
  };

  return {
    request: (message) =>
      serial.run(async () => {
        try {
          await handle(message);
        } catch (err) {
          sink.fail(toFirestoreError(err));
          closeAll();
        }
      }),
    close: () => closeAll(),
  };

  function closeAll(): void {
    closed = true;
    session?.close();
  }
}

function expectedCount(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'object' ? Number((v as { value?: unknown }).value ?? 0) : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function parseTarget(db: Database, target: Json): TargetSpec {
  if (target.documents) {
    const names = asObject(target.documents, 'documents target').documents ?? [];
    if (!Array.isArray(names) || names.length === 0) throw invalidArgument('A documents target needs at least one document.');
    const paths = documentPaths(names.map(String));
    for (const n of names) {
      if (!String(n).startsWith(documentsRoot(db.id) + '/')) throw invalidArgument(`Document "${String(n)}" is not in the stream's database.`);
    }
    return { kind: 'documents', paths };
  }
  if (target.query) {
    const q = asObject(target.query, 'query target');
    const parent = parseParentName(String(q.parent ?? ''));
    if (!sameDatabase(parent, db.id)) throw invalidArgument(`Query parent "${String(q.parent)}" is not in the stream's database.`);
    return { kind: 'query', query: parseStructuredQuery(q.structuredQuery, parent.path) };
  }
  throw invalidArgument('A target must be a query or a documents target.');
}

async function authorizeTarget(core: ServiceCore, ctx: CallContext, db: Database, spec: TargetSpec): Promise<void> {
  if (ctx.auth.kind === 'owner') return;
  if (spec.kind === 'query') {
    await core.authorize(ctx, db, { method: 'list', path: joinPath(spec.query.parentPath, spec.query.collectionId), resource: null, query: spec.query });
    return;
  }
  const current = evaluateTarget(db, spec);
  for (const path of spec.paths) await core.authorize(ctx, db, { method: 'get', path, resource: current.get(path) ?? null });
}

/**
 * The Write stream: the first message (with `database`) gets `{streamId, streamToken}`;
 * every later message with writes is committed atomically and answered with the commit
 * time and write results. A message without writes gets no answer (the client sends one
 * while tearing down and asserts a commit time on any answer).
 */
export function openWrite(core: ServiceCore, ctx: CallContext, sink: StreamSink): StreamHandle {
  let db: Database | undefined;
  let handshakeDone = false;
  let closed = false;
  let counter = 0;
  const streamId = Buffer.from(Math.random().toString(36).slice(2)).toString('base64url');
  const serial = new Serial();
  const token = (): string => Buffer.from(`${streamId}:${++counter}`).toString('base64');

  const handle = async (message: Json): Promise<void> => {
    if (closed) return;
    if (!handshakeDone) {
      db = core.database(message.database);
      handshakeDone = true;
      if (Array.isArray(message.writes) && message.writes.length > 0) throw invalidArgument('The first Write request must not contain writes.');
      sink.send({ streamId, streamToken: token() });
      return;
    }
    if (message.database && !sameDatabase(core.database(message.database).id, db!.id)) {
      throw invalidArgument('All requests on a Write stream must use the same database.');
    }
    const list = message.writes;
    if (!Array.isArray(list) || list.length === 0) return;
    const writes = list.map((w) => parseWrite(db!.id, w));
    const { commitTime, plan } = await commitWrites(core, ctx, db!, writes, 'write');
    if (closed) return;
    sink.send({ streamToken: token(), commitTime: formatNanos(commitTime), writeResults: plan.results.map(writeResultJson) });
  };

  return {
    request: (message) =>
      serial.run(async () => {
        try {
          await handle(message);
        } catch (err) {
          closed = true;
          sink.fail(toFirestoreError(err));
        }
      }),
    close: () => {
      closed = true;
    },
  };
}
