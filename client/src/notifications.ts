/**
 * Remembers, per user, which jobs this browser is waiting for and which it already reported,
 * so onComplete/onError fire exactly once per job, also across a reload: a job that finished
 * while the page was closed is reported on return; old history is never reported.
 */
export interface NotificationLedger {
  /** Marks a job as awaited (seen active, or just submitted). */
  await(id: string): void;
  isAwaited(id: string): boolean;
  /** True the first time it is called for `id`; records it. */
  claimNotification(id: string): boolean;
}

interface Stored {
  awaited: string[];
  notified: string[];
}

const MAX_IDS = 200;

export function createLedger(key: string, storage: Pick<Storage, 'getItem' | 'setItem'> | null): NotificationLedger {
  let state: Stored = { awaited: [], notified: [] };
  try {
    const raw = storage?.getItem(key);
    if (raw) {
      const parsed = JSON.parse(raw) as Partial<Stored>;
      state = {
        awaited: Array.isArray(parsed.awaited) ? parsed.awaited.filter((x) => typeof x === 'string') : [],
        notified: Array.isArray(parsed.notified) ? parsed.notified.filter((x) => typeof x === 'string') : [],
      };
    }
  } catch {
    // unreadable storage: start empty
  }
  const save = () => {
    state = { awaited: state.awaited.slice(-MAX_IDS), notified: state.notified.slice(-MAX_IDS) };
    try {
      storage?.setItem(key, JSON.stringify(state));
    } catch {
      // quota or disabled storage: notifications stay correct for this page's lifetime
    }
  };
  return {
    await(id) {
      if (state.awaited.includes(id) || state.notified.includes(id)) return;
      state.awaited.push(id);
      save();
    },
    isAwaited: (id) => state.awaited.includes(id),
    claimNotification(id) {
      if (state.notified.includes(id)) return false;
      state.notified.push(id);
      state.awaited = state.awaited.filter((x) => x !== id);
      save();
      return true;
    },
  };
}
