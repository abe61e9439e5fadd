import type { LeaderLeaseDoc } from '../../schema/coordination.js';

export type LeadershipDecision =
  | { kind: 'acquired'; next: LeaderLeaseDoc }
  | { kind: 'renewed'; next: LeaderLeaseDoc }
  | { kind: 'follower'; holder: string; term: number; expiresAt: number };

/**
 * One step of leader election over the `transcription_leader/current` lease, judged by the
 * store's time. The term increments whenever a different server (or the same one after its
 * lease lapsed) takes over: it is the fencing token of leader-only writes.
 */
export function decideLeadership(
  doc: LeaderLeaseDoc | null,
  args: { candidate: string; now: number; leaseMs: number; idle?: boolean },
): LeadershipDecision {
  const { candidate, now, leaseMs } = args;
  const idle = args.idle ?? false;
  if (doc && doc.holder === candidate && doc.expiresAt > now) {
    return { kind: 'renewed', next: { ...doc, renewedAt: now, expiresAt: now + leaseMs, idle } };
  }
  if (doc && doc.holder !== null && doc.expiresAt > now) {
    return { kind: 'follower', holder: doc.holder, term: doc.term, expiresAt: doc.expiresAt };
  }
  return {
    kind: 'acquired',
    // A new leader has not looked at the queue yet: it starts busy.
    next: { holder: candidate, term: (doc?.term ?? 0) + 1, acquiredAt: now, renewedAt: now, expiresAt: now + leaseMs, idle: false },
  };
}

/** Giving the lease up on shutdown: expire it now so a follower takes over at once. */
export function resignLeadership(doc: LeaderLeaseDoc | null, args: { candidate: string; term: number; now: number }): LeaderLeaseDoc | null {
  if (!doc || doc.holder !== args.candidate || doc.term !== args.term) return null;
  return { ...doc, holder: null, renewedAt: args.now, expiresAt: args.now, idle: false };
}
