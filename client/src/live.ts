import type { Listener, Unsubscribe } from './store.js';

/** Where a live value is: waiting for its first snapshot, current, or dead with an error. */
export type LiveState<T> = { status: 'loading' } | { status: 'ready'; value: T } | { status: 'error'; error: Error };

/**
 * One Firestore listener shared by every view that needs the same document or query:
 * started by the first subscriber, stopped when the last one leaves, started afresh by the
 * next (so a listener that died with an error is retried by a new subscription).
 */
export interface LiveSource<T> {
  /** Loading while nobody subscribes: a value is only current while its listener runs. */
  state(): LiveState<T>;
  subscribe(onChange: () => void): Unsubscribe;
  /** The first value (the current one when live), holding the listener only until then. */
  first(): Promise<T>;
}

/** `onValue` sees every value, with `first` set on the first one since the listener (re)started. */
export function liveSource<T>(open: (listener: Listener<T>) => Unsubscribe, onValue?: (value: T, first: boolean) => void): LiveSource<T> {
  let state: LiveState<T> = { status: 'loading' };
  let close: Unsubscribe | null = null;
  const watchers = new Set<() => void>();
  const changed = () => {
    for (const w of [...watchers]) w();
  };
  const start = () => {
    state = { status: 'loading' };
    // A listener may deliver its first snapshot synchronously (fakes, the SDK's cache).
    let opened = false;
    let stopNow = false;
    const fail = (error: Error) => {
      state = { status: 'error', error };
      if (opened) close = null;
      else stopNow = true;
      changed();
    };
    let stop: Unsubscribe = () => undefined;
    try {
      stop = open({
        next(value) {
          const first = state.status !== 'ready';
          state = { status: 'ready', value };
          onValue?.(value, first);
          changed();
        },
        error: fail,
      });
    } catch (error) {
      // A listener the SDK refuses to open (an invalid query) fails like one that died.
      fail(error instanceof Error ? error : new Error(String(error)));
    }
    opened = true;
    close = stopNow ? null : stop;
  };
  const source: LiveSource<T> = {
    state: () => state,
    subscribe(onChange) {
      watchers.add(onChange);
      if (watchers.size === 1 && close === null) start();
      return () => {
        if (!watchers.delete(onChange) || watchers.size > 0) return;
        close?.();
        close = null;
        state = { status: 'loading' };
      };
    },
    first() {
      return new Promise<T>((resolve, reject) => {
        let done = false;
        let unsubscribe: Unsubscribe | null = null;
        const check = () => {
          const s = source.state();
          if (done || s.status === 'loading') return;
          done = true;
          // Leave after the current delivery: unsubscribing inside it would stop the listener mid-call.
          queueMicrotask(() => unsubscribe?.());
          if (s.status === 'ready') resolve(s.value);
          else reject(s.error);
        };
        unsubscribe = source.subscribe(check);
        check();
      });
    },
  };
  return source;
}
