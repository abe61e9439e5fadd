import { aborted } from '../model/index.js';

export type LockMode = 'shared' | 'exclusive';

/**
 * Anything that holds document locks: a read-write transaction or a single commit.
 * `priority` is the age: a smaller number is older. Older owners wound (abort) younger
 * holders that stand in their way; younger owners wait for older ones. Waits only ever go
 * from younger to older, so there are no deadlocks; a wait timeout is the safety net.
 */
export interface LockOwner {
  readonly id: string;
  readonly priority: number;
  wounded: boolean;
  /** Why the owner was aborted, when not by an older owner's lock (its ABORTED message). */
  woundReason?: string;
  /** Called once when an older owner aborts this one (the owner should fail with ABORTED). */
  onWounded(): void;
}

/** The ABORTED message an aborted owner fails with. */
export function woundMessage(owner: LockOwner): string {
  return owner.woundReason ?? WOUNDED_MESSAGE;
}

interface Waiter {
  owner: LockOwner;
  mode: LockMode;
  resolve(): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface Entry {
  holders: Map<LockOwner, LockMode>;
  waiters: Waiter[];
}

export const WOUNDED_MESSAGE =
  'Transaction was aborted because of contention with an older transaction on the same documents. Please retry.';

export class LockManager {
  private readonly entries = new Map<string, Entry>();
  private readonly held = new Map<LockOwner, Set<string>>();
  private readonly waiting = new Map<LockOwner, { key: string; waiter: Waiter }>();

  constructor(private readonly waitTimeoutMs: number) {}

  /** Acquires `mode` on every key, one at a time in a stable order. */
  async acquireAll(owner: LockOwner, keys: Iterable<string>, mode: LockMode): Promise<void> {
    const sorted = [...new Set(keys)].sort();
    for (const key of sorted) await this.acquire(owner, key, mode);
  }

  acquire(owner: LockOwner, key: string, mode: LockMode): Promise<void> {
    if (owner.wounded) return Promise.reject(aborted(woundMessage(owner)));
    if (this.tryAcquire(owner, key, mode)) return Promise.resolve();
    const entry = this.entryFor(key);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { owner, mode, resolve, reject, timer: undefined };
      if (this.waitTimeoutMs > 0) {
        waiter.timer = setTimeout(() => {
          this.removeWaiter(key, waiter);
          reject(aborted('Transaction lock timeout: the documents are locked by another transaction.'));
        }, this.waitTimeoutMs);
        waiter.timer.unref?.();
      }
      // Older owners queue first so a younger one never jumps ahead of them.
      const at = entry.waiters.findIndex((w) => w.owner.priority > owner.priority);
      if (at < 0) entry.waiters.push(waiter);
      else entry.waiters.splice(at, 0, waiter);
      this.waiting.set(owner, { key, waiter });
    });
  }

  /**
   * Acquires `mode` now if it can: wounds every younger holder in the way, then grants the
   * lock unless an older owner holds or awaits a conflicting one. False: `acquire` would wait.
   */
  tryAcquire(owner: LockOwner, key: string, mode: LockMode): boolean {
    if (owner.wounded) return false;
    let entry = this.entryFor(key);
    const current = entry.holders.get(owner);
    if (current === 'exclusive' || current === mode) return true;

    // Wound every younger holder in the way (re-checking: releasing a victim may grant the
    // lock to a queued owner that is younger than us too).
    for (;;) {
      let victim: LockOwner | undefined;
      for (const [holder, held] of entry.holders) {
        if (holder !== owner && conflicts(mode, held) && holder.priority > owner.priority) victim = holder;
      }
      if (!victim) break;
      this.wound(victim);
      entry = this.entryFor(key);
    }
    if (!this.grantable(entry, owner, mode)) return false;
    this.grant(entry, owner, key, mode);
    return true;
  }

  private entryFor(key: string): Entry {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { holders: new Map(), waiters: [] };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private grantable(entry: Entry, owner: LockOwner, mode: LockMode): boolean {
    for (const [holder, held] of entry.holders) if (holder !== owner && conflicts(mode, held)) return false;
    for (const w of entry.waiters) {
      if (w.owner === owner) continue;
      if (w.owner.priority < owner.priority && conflicts(mode, w.mode)) return false;
    }
    return true;
  }

  private grant(entry: Entry, owner: LockOwner, key: string, mode: LockMode): void {
    entry.holders.set(owner, mode);
    let keys = this.held.get(owner);
    if (!keys) {
      keys = new Set();
      this.held.set(owner, keys);
    }
    keys.add(key);
  }

  /** Aborts `owner`: releases its locks and fails its pending wait (`reason`: its ABORTED message). */
  wound(owner: LockOwner, reason?: string): void {
    if (owner.wounded) return;
    owner.wounded = true;
    if (reason !== undefined) owner.woundReason = reason;
    this.releaseAll(owner);
    owner.onWounded();
  }

  /** Releases every lock of `owner` and cancels its pending wait. */
  releaseAll(owner: LockOwner): void {
    const pending = this.waiting.get(owner);
    if (pending) {
      this.removeWaiter(pending.key, pending.waiter);
      pending.waiter.reject(aborted(woundMessage(owner)));
    }
    const keys = this.held.get(owner);
    if (!keys) return;
    this.held.delete(owner);
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      entry.holders.delete(owner);
      this.pump(key, entry);
    }
  }

  private removeWaiter(key: string, waiter: Waiter): void {
    if (waiter.timer) clearTimeout(waiter.timer);
    if (this.waiting.get(waiter.owner)?.waiter === waiter) this.waiting.delete(waiter.owner);
    const entry = this.entries.get(key);
    if (!entry) return;
    const i = entry.waiters.indexOf(waiter);
    if (i >= 0) entry.waiters.splice(i, 1);
    this.pump(key, entry);
  }

  /** Grants queued requests that have become compatible, oldest first. */
  private pump(key: string, entry: Entry): void {
    while (entry.waiters.length > 0) {
      const w = entry.waiters[0]!;
      let blocked = false;
      for (const [holder, held] of entry.holders) {
        if (holder !== w.owner && conflicts(w.mode, held)) blocked = true;
      }
      if (blocked) break;
      entry.waiters.shift();
      if (w.timer) clearTimeout(w.timer);
      this.waiting.delete(w.owner);
      this.grant(entry, w.owner, key, w.mode);
      w.resolve();
    }
    if (entry.holders.size === 0 && entry.waiters.length === 0) this.entries.delete(key);
  }

  /** Number of owners waiting for a lock (tests wait on it to know a writer is blocked). */
  get waiters(): number {
    return this.waiting.size;
  }

  /** Number of keys with holders or waiters (tests use it to prove nothing leaks). */
  get size(): number {
    return this.entries.size;
  }

  holds(owner: LockOwner, key: string): LockMode | undefined {
    return this.entries.get(key)?.holders.get(owner);
  }
}

function conflicts(a: LockMode, b: LockMode): boolean {
  return a === 'exclusive' || b === 'exclusive';
}
