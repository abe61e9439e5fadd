import type { QueryKey } from '@tanstack/query-core';

/** Snapshot metadata (Firestore's `SnapshotMetadata` subset). */
export interface LiveMeta {
  fromCache: boolean;
  hasPendingWrites: boolean;
}

export interface LiveSink<T> {
  next(value: T, meta: LiveMeta): void;
  /** After an error the underlying listener is dead; the bridge re-subscribes on `restart`. */
  error(error: Error): void;
}

/** A shareable live subscription: one key, one way to open the listener. */
export interface LiveSource<T> {
  readonly key: QueryKey;
  subscribe(sink: LiveSink<T>): () => void;
}

/**
 * Per-subscription status. `cached` = the last snapshot came from the local cache (the SDK
 * lost its stream and is reconnecting); `detached` = no observers and the grace time passed.
 */
export type LiveStatus = 'connecting' | 'live' | 'cached' | 'error' | 'detached';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};
