import type { DatabaseId } from '../model/index.js';
import { invalidArgument } from '../model/index.js';
import type { StoreOptions } from '../store/index.js';
import { Store } from '../store/index.js';
import type { Authorizer } from './authorizer.js';
import { allowAll } from './authorizer.js';
import type { CallContext } from './context.js';
import { ServiceCore } from './core.js';
import type { CallInterceptor, StreamMethodName, UnaryMethodName } from './interceptor.js';
import type { MeterSnapshot } from './meter.js';
import { Meter } from './meter.js';
import * as mutations from './mutations.js';
import { partitionQuery } from './partitions.js';
import * as reads from './reads.js';
import { runAggregationQueryRequest, runQueryRequest } from './queries.js';
import type { StreamHandle, StreamSink } from './streams.js';
import { openListen, openWrite } from './streams.js';

type Json = Record<string, unknown>;

/** Every facade method validates the envelope first: front ends may hand us anything. */
function guard<R>(fn: (req: Json, ctx: CallContext) => Promise<R> | R): (req: Json, ctx: CallContext) => Promise<R> {
  return async (req, ctx) => {
    if (!req || typeof req !== 'object' || Array.isArray(req)) throw invalidArgument('The request must be a message object.');
    return fn(req, ctx);
  };
}

/** A slot for the optional interceptor, shared by the method wrappers built below. */
interface InterceptorSlot {
  current?: CallInterceptor;
}

function unary<R>(slot: InterceptorSlot, method: UnaryMethodName, fn: (req: Json, ctx: CallContext) => Promise<R> | R): (req: Json, ctx: CallContext) => Promise<R> {
  const guarded = guard(fn);
  return (req, ctx) => {
    const interceptor = slot.current;
    return interceptor ? interceptor.unary(method, req, ctx, () => guarded(req, ctx)) : guarded(req, ctx);
  };
}

export interface FirestoreServiceOptions extends StoreOptions {
  store?: Store;
  authorizer?: Authorizer;
  meter?: Meter;
  /** Housekeeping interval (transaction expiry, history pruning); 0 disables it. */
  sweepIntervalMs?: number;
}

/**
 * The one facade every front end (gRPC now; REST and WebChannel later) calls. Requests and
 * responses are `google.firestore.v1` messages in proto3-JSON shape; streaming calls return
 * arrays of response messages; bidirectional streams are opened with a sink.
 *
 * Billing (the operations meter) follows Firestore: a document lookup costs one read (found
 * or not); a query costs one read per returned document and at least one; an aggregation one
 * read per 1000 index entries (at least one); a listener one read per document added or
 * changed in its results (a resume within 30 minutes only pays for changes); each written
 * document one write, each deleted document one delete; verify writes are free.
 */
export class FirestoreService {
  readonly store: Store;
  readonly meter: Meter;
  private readonly core: ServiceCore;
  private readonly sweepTimer: ReturnType<typeof setInterval> | undefined;
  private readonly interceptor: InterceptorSlot = {};

  constructor(options: FirestoreServiceOptions = {}) {
    this.store = options.store ?? new Store(options);
    this.meter = options.meter ?? new Meter();
    this.core = new ServiceCore(this.store, this.meter, options.authorizer ?? allowAll);
    const every = options.sweepIntervalMs ?? 10_000;
    if (every > 0) {
      this.sweepTimer = setInterval(() => this.store.sweep(), every);
      this.sweepTimer.unref();
    }
  }

  /** Plugs in the security-rules engine (or any other access policy). */
  setAuthorizer(authorizer: Authorizer): void {
    this.core.authorizer = authorizer;
  }

  get authorizer(): Authorizer {
    return this.core.authorizer;
  }

  /** Installs (or with undefined removes) the call interceptor (fault injection). */
  setInterceptor(interceptor: CallInterceptor | undefined): void {
    this.interceptor.current = interceptor;
  }

  getDocument = unary(this.interceptor, 'GetDocument', (req: Json, ctx: CallContext) => reads.getDocument(this.core, ctx, req));
  listDocuments = unary(this.interceptor, 'ListDocuments', (req: Json, ctx: CallContext) => reads.listDocuments(this.core, ctx, req));
  listCollectionIds = unary(this.interceptor, 'ListCollectionIds', (req: Json, ctx: CallContext) => reads.listCollectionIds(this.core, ctx, req));
  batchGetDocuments = unary(this.interceptor, 'BatchGetDocuments', (req: Json, ctx: CallContext) => reads.batchGetDocuments(this.core, ctx, req));
  runQuery = unary(this.interceptor, 'RunQuery', (req: Json, ctx: CallContext) => runQueryRequest(this.core, ctx, req));
  runAggregationQuery = unary(this.interceptor, 'RunAggregationQuery', (req: Json, ctx: CallContext) => runAggregationQueryRequest(this.core, ctx, req));
  createDocument = unary(this.interceptor, 'CreateDocument', (req: Json, ctx: CallContext) => mutations.createDocument(this.core, ctx, req));
  updateDocument = unary(this.interceptor, 'UpdateDocument', (req: Json, ctx: CallContext) => mutations.updateDocument(this.core, ctx, req));
  deleteDocument = unary(this.interceptor, 'DeleteDocument', (req: Json, ctx: CallContext) => mutations.deleteDocument(this.core, ctx, req));
  commit = unary(this.interceptor, 'Commit', (req: Json, ctx: CallContext) => mutations.commit(this.core, ctx, req));
  batchWrite = unary(this.interceptor, 'BatchWrite', (req: Json, ctx: CallContext) => mutations.batchWrite(this.core, ctx, req));
  beginTransaction = unary(this.interceptor, 'BeginTransaction', (req: Json, ctx: CallContext) => mutations.beginTransaction(this.core, ctx, req));
  rollback = unary(this.interceptor, 'Rollback', (req: Json, ctx: CallContext) => mutations.rollback(this.core, ctx, req));

  partitionQuery = unary(this.interceptor, 'PartitionQuery', (req: Json, ctx: CallContext) => partitionQuery(this.core, ctx, req));

  openListen = (ctx: CallContext, sink: StreamSink): StreamHandle => this.openStream('Listen', ctx, sink, (s) => openListen(this.core, ctx, s));
  openWrite = (ctx: CallContext, sink: StreamSink): StreamHandle => this.openStream('Write', ctx, sink, (s) => openWrite(this.core, ctx, s));

  private openStream(method: StreamMethodName, ctx: CallContext, sink: StreamSink, open: (sink: StreamSink) => StreamHandle): StreamHandle {
    const interceptor = this.interceptor.current;
    return interceptor ? interceptor.stream(method, ctx, sink, open) : open(sink);
  }

  /** Emulator endpoint: delete every document of a database (listeners see the deletes). */
  clearDatabase(id: DatabaseId): void {
    this.store.clear(id);
  }

  meterSnapshot(projectId: string): MeterSnapshot {
    return this.meter.snapshot(projectId);
  }

  resetMeter(projectId: string): void {
    this.meter.reset(projectId);
  }

  dispose(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }
}
