import type { CollectionKey } from '../schema/names.js';
import type { DocOf } from '../schema/documents.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { DocStore, Unsubscribe } from '../ports/store.js';

/**
 * A document listener that survives errors: on a failed stream it resubscribes with
 * backoff (1 s doubling to 30 s), so a flaky connection never leaves a server blind to a
 * breaker forced open. `ready` settles on the first snapshot (or the first error).
 */
export class DocWatcher<K extends CollectionKey = CollectionKey> {
  readonly ready: Promise<void>;
  private unsubscribe: Unsubscribe | null = null;
  private retry: TimerHandle | null = null;
  private backoffMs = 1_000;
  private closed = false;
  private settle: () => void = () => undefined;

  constructor(
    private readonly store: DocStore,
    private readonly clock: Clock,
    private readonly collection: K,
    private readonly id: string,
    private readonly log: Logger,
    private readonly onDoc: (doc: DocOf<K> | null) => void,
  ) {
    this.ready = new Promise((resolve) => (this.settle = resolve));
    this.subscribe();
  }

  private subscribe(): void {
    this.unsubscribe = this.store.listenDoc(
      this.collection,
      this.id,
      ({ doc }) => {
        if (this.closed) return;
        this.backoffMs = 1_000;
        this.onDoc(doc);
        this.settle();
      },
      (error) => {
        this.settle();
        if (this.closed) return;
        this.log.warn({ err: error, collection: this.collection, id: this.id, retryMs: this.backoffMs }, 'document listener failed');
        this.unsubscribe?.();
        this.retry = this.clock.setTimer(() => {
          this.retry = null;
          if (!this.closed) this.subscribe();
        }, this.backoffMs);
        this.backoffMs = Math.min(30_000, this.backoffMs * 2);
      },
    );
  }

  close(): void {
    this.closed = true;
    this.retry?.cancel();
    this.unsubscribe?.();
    this.settle();
  }
}
