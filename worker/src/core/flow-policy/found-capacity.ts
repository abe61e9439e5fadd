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
