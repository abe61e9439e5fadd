import * as grpc from '@grpc/grpc-js';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type protobuf from 'protobufjs';
import type { FirestoreError } from '../../model/index.js';
import { MAX_REQUEST_BYTES, requestTooLarge, toFirestoreError } from '../../model/index.js';
import type { CallContext, FirestoreService, StreamHandle, StreamSink } from '../../service/index.js';
import type { Codec } from './codec.js';
import { codecFor } from './codec.js';
import { grpcContext } from './context.js';
import { FIRESTORE_SERVICE, firestoreMethods, loadFirestoreRoot } from './protos.js';

type Json = Record<string, unknown>;
type Unary = (req: Json, ctx: CallContext) => Promise<Json>;
type ServerStreaming = (req: Json, ctx: CallContext) => Promise<Json[]>;
type Bidi = (ctx: CallContext, sink: StreamSink) => StreamHandle;

/**
 * A request that could not be decoded. grpc-js answers INTERNAL ("Error deserializing
 * request") when a deserializer throws, and the web SDK retries INTERNAL forever; so the
 * deserializer hands the error over in place of the message and the handler answers with
 * its own status (INVALID_ARGUMENT for oversized, malformed, too deep or non-UTF-8 input).
 */
const DECODE_FAILURE = Symbol('decode failure');
type Decoded = Json & { [DECODE_FAILURE]?: unknown };

function decodeRequest(codec: Codec, buffer: Buffer): Decoded {
  try {
    // Firestore's 10 MiB limit is on the encoded request (each message of a stream).
    if (buffer.length > MAX_REQUEST_BYTES) throw requestTooLarge();
    return codec.decode(buffer);
  } catch (err) {
    return { [DECODE_FAILURE]: err };
  }
}

/** Throws the decoding error carried by a request, if any. */
function checkDecoded(request: Decoded): Json {
  if (DECODE_FAILURE in request) throw request[DECODE_FAILURE];
  return request;
}

function toServiceError(err: FirestoreError): Partial<grpc.ServiceError> {
  return { code: err.code, details: err.message, message: err.message, metadata: new grpc.Metadata() };
}

/** One codec per message type, shared by the methods that carry it. */
const codecsByType = new Map<string, Codec>();

function codecOf(type: protobuf.Type): Codec {
  let c = codecsByType.get(type.fullName);
  if (!c) {
    c = codecFor(type);
    codecsByType.set(type.fullName, c);
  }
  return c;
}

function methodCodecs(name: string): { req: Codec; res: Codec } {
  const method = loadFirestoreRoot().lookupService(FIRESTORE_SERVICE).methods[name]!;
  method.resolve();
  return { req: codecOf(method.resolvedRequestType!), res: codecOf(method.resolvedResponseType!) };
}

/**
 * Translates google.firestore.v1.Firestore gRPC calls to the service facade and back.
 * Nothing here knows Firestore semantics; every handler is guarded so bad input becomes a
 * status, never a crash.
 */
export function createGrpcServer(service: FirestoreService, logger: Logger): grpc.Server {
  const definition: Record<string, grpc.MethodDefinition<Json, Json>> = {};
  for (const method of firestoreMethods()) {
    // The protobufjs types are built on the method's first message, not at start.
    let codecs: { req: Codec; res: Codec } | undefined;
    const codec = (): { req: Codec; res: Codec } => (codecs ??= methodCodecs(method.name));
    definition[method.name] = {
      path: `/${FIRESTORE_SERVICE}/${method.name}`,
      requestStream: method.requestStream,
      responseStream: method.responseStream,
      requestSerialize: (v: Json) => codec().req.encode(v),
      requestDeserialize: (b: Buffer) => decodeRequest(codec().req, b),
      responseSerialize: (v: Json) => codec().res.encode(v),
      responseDeserialize: (b: Buffer) => codec().res.decode(b),
    };
  }

  const fail = (method: string, err: unknown): Partial<grpc.ServiceError> => {
    const e = toFirestoreError(err);
    if (e.status === 'INTERNAL') logger.error({ err, method }, 'internal error');
    else logger.debug({ method, status: e.status, message: e.message }, 'request failed');
    return toServiceError(e);
  };

  const unary = (name: string, fn: Unary): grpc.handleUnaryCall<Json, Json> => (call, callback) => {
    let ctx: CallContext;
    try {
      ctx = grpcContext(call);
    } catch (err) {
      callback(fail(name, err));
      return;
    }
    Promise.resolve()
      .then(() => fn(checkDecoded(call.request), ctx))
      .then(
        (r) => callback(null, r),
        (err: unknown) => callback(fail(name, err)),
      );
  };

  const serverStreaming = (name: string, fn: ServerStreaming): grpc.handleServerStreamingCall<Json, Json> => (call) => {
    let ctx: CallContext;
    try {
      ctx = grpcContext(call);
    } catch (err) {
      call.emit('error', fail(name, err));
      return;
    }
    Promise.resolve()
      .then(() => fn(checkDecoded(call.request), ctx))
      .then(
        (responses) => {
          for (const r of responses) call.write(r);
          call.end();
        },
        (err: unknown) => {
          // Headers first, then the status: a trailers-only error looks like "no response" to
          // google-gax's retry-request, which would retry a permanent error twice with backoff.
          call.sendMetadata(new grpc.Metadata());
          call.emit('error', fail(name, err));
        },
      );
  };

  const bidi = (name: string, open: Bidi): grpc.handleBidiStreamingCall<Json, Json> => (call) => {
    let ended = false;
    let ctx: CallContext;
    try {
      ctx = grpcContext(call);
    } catch (err) {
      call.emit('error', fail(name, err));
      return;
    }
    const handle = open(ctx, {
      send: (m) => {
        if (ended) return;
        logger.trace({ method: name, response: m }, 'stream response');
        call.write(m);
      },
      fail: (err) => {
        if (ended) return;
        ended = true;
        call.emit('error', fail(name, err));
      },
    });
    const close = (): void => {
      handle.close();
    };
    call.on('data', (m: Decoded) => {
      logger.trace({ method: name, request: m }, 'stream request');
      if (DECODE_FAILURE in m) {
        // A stream message that cannot be decoded ends the stream with its status.
        handle.close();
        if (!ended) {
          ended = true;
          call.emit('error', fail(name, m[DECODE_FAILURE]));
        }
        return;
      }
      void handle.request(m);
    });
    call.on('end', () => {
      close();
      if (!ended) {
        ended = true;
        call.end();
      }
    });
    call.on('cancelled', close);
    call.on('error', close);
    call.on('close', close);
  };

  const impl: grpc.UntypedServiceImplementation = {
    GetDocument: unary('GetDocument', service.getDocument),
    ListDocuments: unary('ListDocuments', service.listDocuments),
    CreateDocument: unary('CreateDocument', service.createDocument),
    UpdateDocument: unary('UpdateDocument', service.updateDocument),
    DeleteDocument: unary('DeleteDocument', service.deleteDocument),
    BeginTransaction: unary('BeginTransaction', service.beginTransaction),
    Commit: unary('Commit', service.commit),
    Rollback: unary('Rollback', service.rollback),
    ListCollectionIds: unary('ListCollectionIds', service.listCollectionIds),
    BatchWrite: unary('BatchWrite', service.batchWrite),
    PartitionQuery: unary('PartitionQuery', service.partitionQuery),
    BatchGetDocuments: serverStreaming('BatchGetDocuments', service.batchGetDocuments),
    RunQuery: serverStreaming('RunQuery', service.runQuery),
    RunAggregationQuery: serverStreaming('RunAggregationQuery', service.runAggregationQuery),
    Listen: bidi('Listen', service.openListen),
    Write: bidi('Write', service.openWrite),
  };

  // Messages up to 64 MiB reach the deserializer, which refuses those over Firestore's 10 MiB
  // with INVALID_ARGUMENT (grpc-js itself would answer RESOURCE_EXHAUSTED). No channelz:
  // its per-call bookkeeping (call counters, timestamps, socket references) serves an admin
  // service nobody registers here.
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    'grpc.enable_channelz': 0,
  });
  server.addService(definition as grpc.ServiceDefinition, impl);
  return server;
}

/** The gRPC side of the emulator port: HTTP/2 connections are handed to it once sniffed. */
export interface GrpcFrontEnd {
  injectConnection(socket: Socket): void;
  /** Ends every gRPC call and connection. */
  close(): void;
}

export function createGrpcFrontEnd(service: FirestoreService, logger: Logger): GrpcFrontEnd {
  const server = createGrpcServer(service, logger);
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  return {
    injectConnection: (socket) => injector.injectConnection(socket),
    close() {
      injector.destroy();
      server.forceShutdown();
    },
  };
}
