import type { LiveMeta, LiveSink, LiveSource } from '../live/types';

export const LIVE: LiveMeta = { fromCache: false, hasPendingWrites: false };
export const CACHED: LiveMeta = { fromCache: true, hasPendingWrites: false };

/** A controllable listener: counts subscriptions and lets the test push snapshots. */
export class FakeSource<T> implements LiveSource<T> {
  subscribeCount = 0;
  unsubscribeCount = 0;
  private sinks = new Set<LiveSink<T>>();

  constructor(readonly key: readonly unknown[]) {}

  subscribe(sink: LiveSink<T>): () => void {
    this.subscribeCount += 1;
    this.sinks.add(sink);
    return () => {
      this.unsubscribeCount += 1;
      this.sinks.delete(sink);
    };
  }

  get active(): number {
    return this.sinks.size;
  }

  emit(value: T, meta: LiveMeta = LIVE): void {
    for (const s of [...this.sinks]) s.next(value, meta);
  }

  fail(error: Error): void {
    for (const s of [...this.sinks]) s.error(error);
  }
}
