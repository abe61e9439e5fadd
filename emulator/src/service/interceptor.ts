import type { CallContext } from './context.js';
import type { StreamHandle, StreamSink } from './streams.js';

type Json = Record<string, unknown>;

/** Facade methods by their google.firestore.v1.Firestore RPC name. */
export type UnaryMethodName =
  | 'GetDocument'
  | 'ListDocuments'
  | 'ListCollectionIds'
  | 'BatchGetDocuments'
  | 'RunQuery'
  | 'RunAggregationQuery'
  | 'CreateDocument'
  | 'UpdateDocument'
  | 'DeleteDocument'
  | 'Commit'
  | 'BatchWrite'
  | 'BeginTransaction'
  | 'Rollback'
  | 'PartitionQuery';

export type StreamMethodName = 'Listen' | 'Write';

/**
 * A seam around every facade call, used by fault injection (delays, forced commit failures,
 * dropping open streams). It sits in the facade so every transport (gRPC, REST, WebChannel)
 * sees the same faults. With no interceptor installed the facade calls straight through.
 */
export interface CallInterceptor {
  /** Wraps one unary or server-streaming call; `next()` runs the real method. */
  unary<R>(method: UnaryMethodName, request: Json, ctx: CallContext, next: () => Promise<R>): Promise<R>;
  /** Wraps a bidirectional stream as it opens; `open(sink)` opens the real stream. */
  stream(method: StreamMethodName, ctx: CallContext, sink: StreamSink, open: (sink: StreamSink) => StreamHandle): StreamHandle;
}
