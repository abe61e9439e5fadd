import { SINGLETON_IDS } from '../schema/names.js';
import type { Transaction } from '../ports/store.js';

/** The leader lease moved on: this server's leader duty must stop writing. */
export class LeadershipLostError extends Error {
  override readonly name = 'LeadershipLostError';
  constructor(serverId: string, term: number) {
    super(`server ${serverId} no longer holds leader term ${term}`);
  }
}

/**
 * Fencing for leader writes: inside the transaction, the lease must still name this server
 * with the same term and must not have expired by the transaction's (store) time. A deposed
 * leader's late write therefore aborts instead of overwriting its successor's decisions.
 */
export async function assertLeader(tx: Transaction, serverId: string, term: number): Promise<void> {
  const lease = await tx.get('leader', SINGLETON_IDS.leaderLease);
  if (!lease || lease.holder !== serverId || lease.term !== term || lease.expiresAt <= tx.now()) {
    throw new LeadershipLostError(serverId, term);
  }
}
