import { SINGLETON_IDS } from '../schema/names.js';
import type { DocStore } from '../ports/store.js';

/** The leader lease moved on: this server's leader duty must stop writing. */
export class LeadershipLostError extends Error {
  override readonly name = 'LeadershipLostError';
  constructor(serverId: string, term: number) {
    super(`server ${serverId} no longer holds leader term ${term}`);
  }
}

/**
 * Fencing for leader writes: the lease must still name this server with the same term and
 * must not have expired by the read's (store) time. Read without a transaction, and the
 * write is then guarded by the version of the document it changes (`commitIf`): no lock on
 * the lease, so a leader killed mid-write cannot block the election of its successor.
 * Returns the store time of the read.
 * A successor's own write to that document moves its version, so a deposed leader's late
 * write fails; what remains is a write a few milliseconds after the lease lapsed, before the
 * successor wrote anything, which is a decision from the state the successor then reads.
 */
export async function checkLeader(store: DocStore, serverId: string, term: number): Promise<number> {
  const { doc: lease, readTime } = await store.get('leader', SINGLETON_IDS.leaderLease);
  if (!lease || lease.holder !== serverId || lease.term !== term || lease.expiresAt <= readTime) {
    throw new LeadershipLostError(serverId, term);
  }
  return readTime;
}
