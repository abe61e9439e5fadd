import type { CollectionKey } from '../schema/names.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { StoreClosedError, type DocResult, type DocStore, type ListenSnapshot, type Query, type Unsubscribe } from '../ports/store.js';

/**
 * SDK listeners retry transient errors themselves; an error that reaches the callback ends
 * the listener for good (a missing index, a restarted emulator, revoked credentials). The
 * worker must not go deaf because of that: re-subscribe with capped exponential backoff.
 */
function resubscribing(
  subscribe: (onError: (error: Error) => void) => Unsubscribe,
  deps: { clock: Clock; log: Logger; what: string },
): Unsubscribe {
  let current: Unsubscribe | null = null;
  let timer: TimerHandle | null = null;
  let stopped = false;
  let failures = 0;
  const onError = (error: Error) => {
    current?.();
    current = null;
    if (stopped) return;
    if (error instanceof StoreClosedError) {
      // Shutting down: the owner stops its listeners next; nothing to retry.
      deps.log.debug({ listener: deps.what }, 'listener ended: store closed');
      return;
    }
    failures += 1;
    const delay = Math.min(30_000, 500 * 2 ** Math.min(failures - 1, 6));
    deps.log.error({ err: error, listener: deps.what, retryInMs: delay }, 'listener failed; re-subscribing');
    timer = deps.clock.setTimer(start, delay);
  };
  const start = () => {
    if (stopped) return;
    try {
      current = subscribe(onError);
    } catch (error) {
      onError(error as Error);
    }
  };
  start();
  return () => {
    stopped = true;
    timer?.cancel();
    current?.();
  };
}

export function listenResilient<K extends CollectionKey>(
  store: DocStore,
  query: Query<K>,
  onNext: (snapshot: ListenSnapshot<K>) => void,
  deps: { clock: Clock; log: Logger; what: string },
): Unsubscribe {
  return resubscribing((onError) => store.listen(query, onNext, onError), deps);
}

export function listenDocResilient<K extends CollectionKey>(
  store: DocStore,
  collection: K,
  id: string,
  onNext: (result: DocResult<K>) => void,
  deps: { clock: Clock; log: Logger; what: string },
): Unsubscribe {
  return resubscribing((onError) => store.listenDoc(collection, id, onNext, onError), deps);
}
