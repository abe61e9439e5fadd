/**
 * The global upstream budget: per model, requests and tokens per minute across the fleet
 * (audio costs ~32 tokens per second), plus the fleet's adaptive concurrency limit. The
 * leader splits them into slices for live servers; each server spends its slice locally
 * through token buckets, so no document is written per job.
 */

/** Tokens one transcription is expected to cost: audio, prompt and transcript. */
export function estimateCallTokens(audioSeconds: number | null, tokensPerAudioSecond: number, assumeAudioSeconds = 30): number {
  const seconds = audioSeconds !== null && Number.isFinite(audioSeconds) && audioSeconds >= 0 ? audioSeconds : assumeAudioSeconds;
  // ~2.5 spoken words per second at ~1.5 tokens per word for the transcript, ~40 for the prompt.
  return Math.ceil(seconds * (tokensPerAudioSecond + 4)) + 40;
}

/**
 * A token bucket that never lets more than `perMinute` units through in any 60 s window:
 * `perMinute` units per minute, holding up to `burstSeconds` of them (a burst lets a server
 * start at once), plus a log of what it let through in the last minute. perMinute = 0 means
 * unlimited.
 *
 * Why the log: upstream quotas (Gemini's RPM and TPM) are counted over a sliding minute, and a
 * bucket of capacity B refilled at R a minute lets B + R through in one: with the default 5 s
 * burst the fleet sent 8 % over its configured quota (the quota scenario's 429s, part of the
 * fleet-budget scenario's token overshoot). Refilling at R - B instead keeps the minute but
 * loses B for good, and B is at least one call: a 10-a-minute slice then runs at 9 (the quota
 * scenario fell to 0.88 of N). The log costs nothing in throughput: a take waits until both
 * the bucket and the last minute have room. A cost larger than the whole bucket is let
 * through when the bucket is full and the minute empty (it goes into debt), so an oversized
 * job is slowed, never starved.
 */
export interface RateBucket {
  level: number;
  at: number;
  perMinute: number;
  capacity: number;
  /** What was let through in the last minute (oldest first). */
  spent: readonly Spend[];
}

export interface Spend {
  at: number;
  cost: number;
}

const MINUTE_MS = 60_000;

export function bucketFor(perMinute: number, burstSeconds: number, now: number, previous?: RateBucket | null): RateBucket {
  const capacity = Math.max(1, (perMinute * burstSeconds) / 60);
  if (!previous) return { level: perMinute > 0 ? capacity : 0, at: now, perMinute, capacity, spent: [] };
  const refilled = refill(previous, now);
  return { level: Math.min(capacity, refilled.level), at: now, perMinute, capacity, spent: refilled.spent };
}

function refill(bucket: RateBucket, now: number): RateBucket {
  if (bucket.perMinute <= 0) return { ...bucket, at: now };
  const elapsed = Math.max(0, now - bucket.at);
  const spent = bucket.spent.length > 0 && bucket.spent[0]!.at <= now - MINUTE_MS ? bucket.spent.filter((s) => s.at > now - MINUTE_MS) : bucket.spent;
  return { ...bucket, level: Math.min(bucket.capacity, bucket.level + (elapsed * bucket.perMinute) / MINUTE_MS), at: now, spent };
}

function minuteSum(spent: readonly Spend[]): number {
  let sum = 0;
  for (const s of spent) sum += s.cost;
  return sum;
}

/** Time until the last minute has room for `cost` more (0: now). `spent` is already pruned to the minute. */
function minuteWait(spent: readonly Spend[], now: number, cost: number, perMinute: number): number {
  let sum = minuteSum(spent);
  if (sum + cost <= perMinute + 1e-9) return 0;
  for (const s of spent) {
    sum -= s.cost;
    if (sum + cost <= perMinute + 1e-9) return Math.max(1, s.at + MINUTE_MS - now + 1);
  }
  return MINUTE_MS;
}

export type BucketTake = { ok: true; bucket: RateBucket } | { ok: false; bucket: RateBucket; waitMs: number };

export function takeFromBucket(bucket: RateBucket, now: number, cost: number): BucketTake {
  if (bucket.perMinute <= 0) return { ok: true, bucket: { ...bucket, at: now } };
  const b = refill(bucket, now);
  const need = Math.min(cost, b.capacity);
  const bucketWait = b.level + 1e-9 >= need ? 0 : Math.ceil(((need - b.level) * MINUTE_MS) / b.perMinute);
  const windowWait = minuteWait(b.spent, now, Math.min(cost, b.perMinute), b.perMinute);
  if (bucketWait === 0 && windowWait === 0) return { ok: true, bucket: { ...b, level: b.level - cost, spent: [...b.spent, { at: now, cost }] } };
  return { ok: false, bucket: b, waitMs: Math.max(bucketWait, windowWait) };
}

/**
 * Correct the bucket once the real cost is known (positive = it cost more than taken). A
 * higher cost also counts in the minute's log, from now; a lower one is refunded to the
 * bucket only (the log keeps the estimate: conservative, never over the minute).
 */
export function adjustBucket(bucket: RateBucket, now: number, extra: number): RateBucket {
  if (bucket.perMinute <= 0 || extra === 0) return bucket;
  const b = refill(bucket, now);
  const spent = extra > 0 ? [...b.spent, { at: now, cost: extra }] : b.spent;
  return { ...b, level: Math.min(b.capacity, b.level - extra), spent };
}

/** How many calls of `cost` the bucket allows right now. */
export function bucketRoom(bucket: RateBucket, now: number, cost: number): number {
  if (bucket.perMinute <= 0) return Number.POSITIVE_INFINITY;
  const b = refill(bucket, now);
  const unit = Math.max(cost, 1e-9);
  const inBucket = Math.floor((b.level + 1e-9) / unit);
  const inMinute = Math.floor((b.perMinute - minuteSum(b.spent) + 1e-9) / unit);
  return Math.max(0, Math.min(inBucket, inMinute));
}

export interface AllocationEntry {
  id: string;
  /** What the entry would use if it could. */
  demand: number;
  /** Hard upper bound for the entry (e.g. its maxConcurrentRequests); Infinity for none. */
  cap: number;
}

/**
 * Split `total` among entries: max-min fair on demand (water-filling: nobody gets more than
 * it asks while another asking entry gets less than an equal share), then work-conserving:
 * whatever demand leaves over is spread over everyone still under their cap, so a server whose
 * work arrives between two allocations can start at once. `integer` rounds down with the
 * remainders going to the largest fractions; among equal fractions, to the entries that held
 * that unit in `previous` (so the same demand gives the same split and the leader has nothing
 * to rewrite), then by `rotate`. The sum never exceeds `total`.
 */
export function allocate(
  total: number,
  entries: readonly AllocationEntry[],
  integer: boolean,
  rotate = 0,
  previous: Readonly<Record<string, number>> = {},
): Record<string, number> {
  const share: Record<string, number> = Object.fromEntries(entries.map((e) => [e.id, 0]));
  if (entries.length === 0 || !(total > 0)) return share;
  let remaining = total;
  const fill = (wants: (e: AllocationEntry) => number): void => {
    let open = entries.filter((e) => wants(e) - (share[e.id] as number) > 1e-9);
    while (open.length > 0 && remaining > 1e-9) {
      const equal = remaining / open.length;
      const next: AllocationEntry[] = [];
      let given = 0;
      for (const e of open) {
        const gap = wants(e) - (share[e.id] as number);
        const give = Math.min(gap, equal);
        share[e.id] = (share[e.id] as number) + give;
        given += give;
        if (gap - give > 1e-9) next.push(e);
      }
      remaining -= given;
      if (next.length === open.length) break; // everyone took an equal share: total used up
      open = next;
    }
  };
  fill((e) => Math.min(e.demand, e.cap));
  fill((e) => e.cap);
  if (!integer) return share;
  const floors = entries.map((e, i) => ({ id: e.id, i, whole: Math.floor((share[e.id] as number) + 1e-9), frac: 0 }));
  for (const f of floors) f.frac = (share[f.id] as number) - f.whole;
  let left = Math.floor(total + 1e-9) - floors.reduce((s, f) => s + f.whole, 0);
  const n = entries.length;
  const held = (f: { id: string; whole: number }) => ((previous[f.id] ?? 0) > f.whole ? 0 : 1);
  const sameFrac = (a: number, b: number) => Math.abs(a - b) <= 1e-9;
  const order = [...floors].sort(
    (a, b) =>
      (sameFrac(a.frac, b.frac) ? 0 : b.frac - a.frac) ||
      held(a) - held(b) ||
      ((a.i - rotate) % n + n) % n - ((b.i - rotate) % n + n) % n,
  );
  for (const f of order) {
    if (left <= 0) break;
    if (f.frac > 1e-9) {
      f.whole += 1;
      left -= 1;
    }
  }
  return Object.fromEntries(floors.map((f) => [f.id, f.whole]));
}

/** Live-server view the leader allocates from (from heartbeat documents and report deltas). */
export interface ServerDemand {
  serverId: string;
  inFlight: number;
  /** The concurrency limit the server applied at its last heartbeat. */
  concurrencyLimit: number;
  maxConcurrency: number;
  /** Requests and tokens the server spent against this model over the last minute. */
  requestsLastMinute: number;
  tokensLastMinute: number;
  /** Its current slice (null when it has none yet). */
  slice: { requestsPerMinute: number; tokensPerMinute: number; concurrency: number } | null;
}

export interface SliceAllocation {
  concurrency: Record<string, number>;
  requestsPerMinute: Record<string, number>;
  tokensPerMinute: Record<string, number>;
}

/** A server wants more when it used (nearly) all it had; otherwise what it used plus room to grow. */
function wants(used: number, granted: number | null, fallback: number): number {
  if (granted === null) return fallback;
  if (used >= granted * 0.8) return Math.max(granted * 1.5, used + 1);
  return used * 1.25 + 1;
}

/** Concurrency a server could use now: its maximum when it runs at its limit, else one more than it runs. */
export function sliceDemand(s: Pick<ServerDemand, 'inFlight' | 'concurrencyLimit' | 'maxConcurrency'>): number {
  return s.concurrencyLimit > 0 && s.inFlight >= s.concurrencyLimit ? s.maxConcurrency : Math.min(s.maxConcurrency, s.inFlight + 1);
}

export function allocateSlices(
  servers: readonly ServerDemand[],
  budget: { concurrency: number; requestsPerMinute: number; tokensPerMinute: number },
  rotate = 0,
): SliceAllocation {
  const concurrency = allocate(
    budget.concurrency,
    servers.map((s) => ({
      id: s.serverId,
      demand: sliceDemand(s),
      cap: s.maxConcurrency,
    })),
    true,
    rotate,
    Object.fromEntries(servers.flatMap((s) => (s.slice ? [[s.serverId, s.slice.concurrency]] : []))),
  );
  const rate = (total: number, used: (s: ServerDemand) => number, granted: (s: ServerDemand) => number | null) =>
    total > 0
      ? allocate(total, servers.map((s) => ({ id: s.serverId, demand: wants(used(s), granted(s), total), cap: Infinity })), false)
      : Object.fromEntries(servers.map((s) => [s.serverId, 0]));
  return {
    concurrency,
    requestsPerMinute: rate(budget.requestsPerMinute, (s) => s.requestsLastMinute, (s) => s.slice?.requestsPerMinute ?? null),
    tokensPerMinute: rate(budget.tokensPerMinute, (s) => s.tokensLastMinute, (s) => s.slice?.tokensPerMinute ?? null),
  };
}
