/**
 * Where the servers found the upstream's capacity, and the split that keeps them there.
 *
 * A server refused as overloaded cuts its own limit to the calls the upstream had taken from
 * it (`localOverload`), at once and without I/O, and reports the cut early. The leader then
 * knows, per server, the level that was refused: the cut servers' new limits plus the slices
 * of the servers that did not cut are what the fleet was running when the upstream filled up.
 * It sets the fleet limit there (`FleetTick.reportedLimit`) and splits it so that each cut
 * server keeps exactly its cut limit and every other server its slice: nobody's slice rises
 * while another's falls (a server whose slice falls still has its calls in flight, so one that
 * rises at the same moment would be refused again), and acknowledging the cuts (the slices
 * echo them) leaves every server where it stopped.
 */
export interface ServerCutReport {
  serverId: string;
  /** Cuts the server has made (its report's counter; undefined from older workers). */
  cuts: number | undefined;
  /** The server's own limit as it last reported it. */
  limit: number | undefined;
}

/** Servers whose latest report holds a cut the previous allocation did not know: id -> its limit. */
export function unacknowledgedCuts(
  reports: readonly ServerCutReport[],
  previous: Readonly<Record<string, { concurrency: number; cuts?: number | undefined }>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of reports) {
    const slice = previous[r.serverId];
    if (r.cuts === undefined || r.limit === undefined || !slice) continue;
    if (r.cuts > (slice.cuts ?? 0)) out[r.serverId] = Math.min(slice.concurrency, r.limit);
  }
  return out;
}

/** The fleet's level when the cut servers stopped: their limits plus everyone else's slice. */
export function foundLevel(ids: readonly string[], previous: Readonly<Record<string, { concurrency: number }>>, cuts: Readonly<Record<string, number>>): number {
  return ids.reduce((sum, id) => sum + (cuts[id] ?? previous[id]?.concurrency ?? 0), 0);
}

/**
 * Slices summing to `total` (at most `foundLevel`): the cut servers at their limits, the others
 * at their slices; what is over `total` comes off the largest slices first, one at a time
 * (ties: the servers that did not cut, whose refusals are yet to come, then by id).
 */
export function splitAtFoundLevel(
  ids: readonly string[],
  previous: Readonly<Record<string, { concurrency: number }>>,
  cuts: Readonly<Record<string, number>>,
  total: number,
): Record<string, number> {
  const slices: Record<string, number> = Object.fromEntries(ids.map((id) => [id, cuts[id] ?? previous[id]?.concurrency ?? 0]));
  let over = ids.reduce((s, id) => s + (slices[id] as number), 0) - Math.max(0, Math.floor(total));
  while (over > 0) {
    const largest = [...ids].sort(
      (a, b) => (slices[b] as number) - (slices[a] as number) || Number(a in cuts) - Number(b in cuts) || a.localeCompare(b),
    )[0];
    if (largest === undefined || (slices[largest] as number) <= 0) break;
    slices[largest] = (slices[largest] as number) - 1;
    over -= 1;
  }
  return slices;
}

/** What a server can do with concurrency, from its last report (see `stableSplit`). */
export interface SliceUse {
  serverId: string;
  /** Units it could use now: its maximum when it is at its limit, else what runs plus one. */
  wants: number;
}

/**
 * The fleet limit split without moving units a server may be using: each server keeps its
 * previous slice; a raise goes to the servers that want more (the smallest slice first, then
 * id: the load spreads), a fall comes off the slices their servers do not want; and a
 * server that wants more may take units another does not want. Moving a unit from a busy
 * server to another is what a demand-based split does on every report (a heartbeat's in-flight
 * count is up to one heartbeat old), and the busy server's calls run on while the other starts
 * its own: for a few seconds the fleet calls above its limit and the upstream refuses (a probe
 * that capacity would have held fails, a level is cut that was right).
 */
export function stableSplit(uses: readonly SliceUse[], previous: Readonly<Record<string, { concurrency: number }>>, total: number): Record<string, number> {
  const slices: Record<string, number> = Object.fromEntries(uses.map((u) => [u.serverId, previous[u.serverId]?.concurrency ?? 0]));
  const target = Math.max(0, Math.floor(total));
  const slice = (id: string) => slices[id] as number;
  const spare = (u: SliceUse) => slice(u.serverId) - u.wants;
  const short = (u: SliceUse) => u.wants - slice(u.serverId);
  const byId = (a: SliceUse, b: SliceUse) => (a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : 0);
  let sum = uses.reduce((s, u) => s + slice(u.serverId), 0);
  while (sum > target) {
    // Units nobody wants first, then the largest slices.
    const donor = [...uses].filter((u) => slice(u.serverId) > 0).sort((a, b) => spare(b) - spare(a) || slice(b.serverId) - slice(a.serverId) || byId(a, b))[0];
    if (!donor) break;
    slices[donor.serverId] = slice(donor.serverId) - 1;
    sum -= 1;
  }
  while (sum < target && uses.length > 0) {
    const taker = [...uses].sort((a, b) => Number(short(b) > 0) - Number(short(a) > 0) || slice(a.serverId) - slice(b.serverId) || byId(a, b))[0]!;
    slices[taker.serverId] = slice(taker.serverId) + 1;
    sum += 1;
  }
  // A server short of units takes one another does not want, one at a time.
  for (let moves = 0; moves < target; moves++) {
    const taker = [...uses].filter((u) => short(u) > 0).sort((a, b) => slice(a.serverId) - slice(b.serverId) || byId(a, b))[0];
    const donor = [...uses].filter((u) => spare(u) > 0 && u !== taker).sort((a, b) => spare(b) - spare(a) || byId(a, b))[0];
    if (!taker || !donor) break;
    slices[donor.serverId] = slice(donor.serverId) - 1;
    slices[taker.serverId] = slice(taker.serverId) + 1;
  }
  // Fairness, slowly: a server two or more units below another while both want more (one that
  // joined or was resumed while the limit stood still) gets one unit of it per allocation. One
  // unit moved at a time risks one refusal, not a fleet-wide overshoot.
  const wanting = uses.filter((u) => short(u) > 0 || slice(u.serverId) >= u.wants);
  const poorest = [...wanting].filter((u) => short(u) > 0).sort((a, b) => slice(a.serverId) - slice(b.serverId) || byId(a, b))[0];
  const richest = [...wanting].sort((a, b) => slice(b.serverId) - slice(a.serverId) || byId(a, b))[0];
  if (poorest && richest && slice(richest.serverId) - slice(poorest.serverId) >= 2) {
    slices[richest.serverId] = slice(richest.serverId) - 1;
    slices[poorest.serverId] = slice(poorest.serverId) + 1;
  }
  return slices;
}
