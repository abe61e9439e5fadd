import { acquireLock, assertLockHeld, releaseLock, renewLock, type LockHolder } from '../core/coordination/locks.js';
import { LockHeldError, LockNotHeldError } from '../core/errors.js';
import type { Transaction } from '../ports/store.js';
import type { EngineContext } from './context.js';

export interface LockLease extends LockHolder {
  /** Store time when the lock expires unless renewed. */
  expiresAt: number;
}

export interface LockOptions {
  ttlMs: number;
  purpose?: string | null;
}

/**
 * Distributed locks with expiry and fencing tokens, judged by store time. Use the token to
 * fence writes (`assertHeld` inside your own transaction): a holder that stalled past its
 * expiry cannot write even if it does not know yet that it lost the lock.
 */
export class DistributedLocks {
  constructor(private readonly ctx: Pick<EngineContext, 'store' | 'clock' | 'serverId' | 'log'>) {}

  /** Takes the lock if free or expired; null when someone else holds it. */
  async tryAcquire(name: string, options: LockOptions): Promise<LockLease | null> {
    try {
      return await this.acquire(name, options);
    } catch (error) {
      if (error instanceof LockHeldError) return null;
      throw error;
    }
  }

  /** Takes the lock or throws `LockHeldError` (with holder and expiry). */
  async acquire(name: string, options: LockOptions): Promise<LockLease> {
    return this.ctx.store.runTransaction(async (tx) => {
      const doc = await tx.get('locks', name);
      const next = acquireLock(doc, { name, holder: this.ctx.serverId, now: tx.now(), ttlMs: options.ttlMs, purpose: options.purpose ?? null });
      tx.set('locks', name, next);
      return { name, holder: next.holder!, token: next.token, expiresAt: next.expiresAt! };
    });
  }

  /** Extends the lease; throws `LockNotHeldError` if it was lost. */
  async renew(lease: LockLease, ttlMs: number): Promise<LockLease> {
    return this.ctx.store.runTransaction(async (tx) => {
      const doc = await tx.get('locks', lease.name);
      const next = renewLock(doc, lease, { now: tx.now(), ttlMs });
      tx.set('locks', lease.name, next);
      return { ...lease, expiresAt: next.expiresAt! };
    });
  }

  /** Releases if still ours; returns whether it was. */
  async release(lease: LockLease): Promise<boolean> {
    return this.ctx.store.runTransaction(async (tx) => {
      const doc = await tx.get('locks', lease.name);
      const next = releaseLock(doc, lease, tx.now());
      if (next) tx.set('locks', lease.name, next);
      return next !== null;
    });
  }

  /** For fenced writes in the caller's transaction (counts as a read of the lock). */
  async assertHeld(tx: Transaction, lease: LockHolder): Promise<void> {
    assertLockHeld(await tx.get('locks', lease.name), lease, tx.now());
  }

  /**
   * Runs `fn` under the lock, renewing it every ttl/3. If a renewal fails, `signal` aborts
   * (with `LockNotHeldError`) and `fn` must stop writing. Releases the lock afterwards.
   */
  async withLock<T>(name: string, options: LockOptions, fn: (lease: LockLease, signal: AbortSignal) => Promise<T>): Promise<T> {
    let lease = await this.acquire(name, options);
    const controller = new AbortController();
    let timer = this.ctx.clock.setTimer(() => void renew(), options.ttlMs / 3);
    const renew = async () => {
      try {
        lease = await this.renew(lease, options.ttlMs);
        if (!controller.signal.aborted) timer = this.ctx.clock.setTimer(() => void renew(), options.ttlMs / 3);
      } catch (error) {
        this.ctx.log.warn({ lock: name, err: error }, 'lock renewal failed');
        controller.abort(error instanceof LockNotHeldError ? error : new LockNotHeldError(name, lease.token, String(error)));
      }
    };
    try {
      return await fn(lease, controller.signal);
    } finally {
      timer.cancel();
      if (!controller.signal.aborted) {
        controller.abort(new LockNotHeldError(name, lease.token, 'released'));
        await this.release(lease).catch((error: unknown) => this.ctx.log.warn({ lock: name, err: error }, 'lock release failed'));
      }
    }
  }
}
