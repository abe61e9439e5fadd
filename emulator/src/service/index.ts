export * from './context.js';
export * from './authorizer.js';
export * from './meter.js';
export type { StreamHandle, StreamSink } from './streams.js';
export type { CallInterceptor, StreamMethodName, UnaryMethodName } from './interceptor.js';
export * from './firestore-service.js';
