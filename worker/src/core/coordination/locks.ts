import type { LockDoc } from '../../schema/coordination.js';
import { LockHeldError, LockNotHeldError } from '../errors.js';

export interface LockHolder {
  name: string;
  holder: string;
  token: number;
}

/**
 * Distributed lock transitions: expiry judged by store time; the token increases with every
 * acquisition (also across force releases and expiries), so it fences writes of stale holders.
 */
export function acquireLock(
  doc: LockDoc | null,
  args: { name: string; holder: string; now: number; ttlMs: number; purpose?: string | null },
): LockDoc {
  if (doc && doc.holder !== null && doc.expiresAt !== null && doc.expiresAt > args.now && doc.holder !== args.holder) {
    throw new LockHeldError(args.name, doc.holder, doc.expiresAt);
  }
  return {
    name: args.name,
    holder: args.holder,
    token: (doc?.token ?? 0) + 1,
    acquiredAt: args.now,
    renewedAt: args.now,
    expiresAt: args.now + args.ttlMs,
    purpose: args.purpose ?? null,
    releasedAt: null,
    releasedBy: null,
  };
}

export function lockProblem(doc: LockDoc | null, held: LockHolder, now: number): string | null {
  if (!doc) return 'the lock document is gone';
  if (doc.token !== held.token) return `the token moved on to ${doc.token}`;
  if (doc.holder !== held.holder) return doc.holder === null ? 'it was released' : `it is held by ${doc.holder}`;
  if (doc.expiresAt === null || doc.expiresAt <= now) return 'it expired';
  return null;
}

export function assertLockHeld(doc: LockDoc | null, held: LockHolder, now: number): LockDoc {
  const problem = lockProblem(doc, held, now);
  if (problem !== null || !doc) throw new LockNotHeldError(held.name, held.token, problem ?? 'missing');
  return doc;
}

export function renewLock(doc: LockDoc | null, held: LockHolder, args: { now: number; ttlMs: number }): LockDoc {
  const current = assertLockHeld(doc, held, args.now);
  return { ...current, renewedAt: args.now, expiresAt: args.now + args.ttlMs };
}

/** Releasing a lock that is no longer ours is a no-op (returns null), never an error. */
export function releaseLock(doc: LockDoc | null, held: LockHolder, now: number): LockDoc | null {
  if (!doc || doc.token !== held.token || doc.holder !== held.holder) return null;
  return { ...doc, holder: null, expiresAt: null, releasedAt: now, releasedBy: held.holder };
}
