/**
 * Rendezvous (highest-random-weight) choices: every server scores each job with
 * hash(server, job), so servers agree on an order per job without talking to each other.
 */

/** FNV-1a 32-bit: a stable, fast hash for spreading work (not for security). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Murmur3's finaliser: FNV-1a alone spreads keys that differ in one character unevenly. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

function score(serverId: string, jobId: string): number {
  return mix(fnv1a(`${serverId}\u0000${jobId}`));
}

/**
 * Rendezvous delay without knowing the fleet: wait score x spread before acting on the job.
 * The lowest-scoring live server goes first and usually wins alone; the others find the job
 * already taken when their turn comes.
 */
export function rendezvousDelayMs(serverId: string, jobId: string, spreadMs: number): number {
  return (score(serverId, jobId) / 0x1_0000_0000) * spreadMs;
}

/**
 * This server's turn for a job among `members` (0 = first), or null when it is not among
 * them. Every member computes the same order, so exactly one goes first.
 */
export function rendezvousRank(serverId: string, members: readonly string[], jobId: string): number | null {
  if (!members.includes(serverId)) return null;
  const mine = score(serverId, jobId);
  let ahead = 0;
  for (const m of members) {
    if (m === serverId) continue;
    const s = score(m, jobId);
    if (s < mine || (s === mine && m < serverId)) ahead += 1;
  }
  return ahead;
}

/**
 * Claim shards of the queue. Eight keeps an idle worker's listener within Firestore's 30
 * disjunctions even when it listens to every shard with a `priority in` of three priorities.
 */
/**
 * 16: a busy fleet of up to 16 servers polls disjoint heads (`polledShards`), so two servers
 * freeing a slot at once never race for the same job; with 8, the four servers past the
 * eighth of a 12-server fleet doubled up on shards and lost 0.3 claims per claim won. More
 * would cost nothing per job (a new job is still read by two idle listeners), but a look at
 * the other shards is one `in` query, which Firestore caps at 30 values.
 */
export const JOB_SHARDS = 16;

/** A job's shard, from its id (stable, spread by the same hash). */
export function shardOf(jobId: string): number {
  return mix(fnv1a(jobId)) % JOB_SHARDS;
}

/**
 * The shards a server listens to while idle: those where it is among the first `replicas`
 * members in the shard's rendezvous order. With `replicas` >= 2 a shard whose first server
 * is busy or dead is still watched by the next, so no shard waits for the leader to notice.
 */
export function listenedShards(serverId: string, members: readonly string[], replicas: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < JOB_SHARDS; s++) {
    const rank = rendezvousRank(serverId, members, `shard:${s}`);
    if (rank !== null && rank < replicas) out.push(s);
  }
  return out;
}

/** This server's turn on a shard among `members` (0 = first), or null when it is not a member. */
export function shardRank(serverId: string, members: readonly string[], shard: number): number | null {
  return rendezvousRank(serverId, members, `shard:${shard}`);
}

/**
 * The shards a busy server looks in first when a slot frees: a balanced split of the shards
 * over the members in id order (every member computes the same split), so concurrent looks
 * by busy servers read different heads instead of all racing for the one job at the top.
 * Up to JOB_SHARDS members own disjoint sets; beyond that, each shard has at most
 * ceil(members / JOB_SHARDS) pollers. Empty when the server is not a member.
 */
export function polledShards(serverId: string, members: readonly string[]): number[] {
  const sorted = [...members].sort();
  const i = sorted.indexOf(serverId);
  if (i < 0) return [];
  const n = sorted.length;
  if (n > JOB_SHARDS) return [i % JOB_SHARDS];
  const out: number[] = [];
  for (let s = 0; s < JOB_SHARDS; s++) if (s % n === i) out.push(s);
  return out;
}
