import { runJsonScript } from '../lib/child-json.js';
import { WORKER_ROOT } from '../lib/paths.js';
import type { Scenario } from '../lib/scenario.js';
import { round } from '../lib/stats.js';
import { atMost, describeFigure, ratio, reported, type Figure } from '../lib/goals.js';
import type { Cell, Table } from '../lib/table.js';

/**
 * Cost: Firestore reads, writes and deletes per completed job from the emulator's meter.
 * Runs the worker package's own measurement (`worker/src/bench/ops-per-job.ts`, also
 * `npm run -w @fq/worker bench:ops`) and derives the amortised figure from its output.
 * The scenario runs it for a fleet of 3 and of 12 workers, one after the other, and derives
 * from the two runs: cost per job and its 12/3 ratio, the idle fleets' cost per minute and
 * one idle server's, and claim contention with 12 workers on one queue (claim conflicts
 * per successful claim, from every worker's /metrics).
 *
 * The jobs' audio (2 s of WAV, about 64 KB) is under the default `payload.inlineMaxBytes`
 * (64 KiB), so it travels inline in the job documents. One more run of the smallest fleet
 * with inlining off (`--inline-max-bytes 0`) measures the same jobs with their audio in
 * chunk documents, which is what every job with audio above the threshold pays: the
 * `opsPerJobChunkedWorkers<N>` figure, reported beside the inline ones so the trade is
 * visible (`chunkedRuns` holds that run).
 */
interface Counts {
  reads: number;
  writes: number;
  deletes: number;
}
interface PerJob extends Counts {
  total: number;
}
export interface OpsPerJobOutput {
  jobs: number;
  workers: number;
  concurrencyPerWorker: number;
  elapsedSec: number;
  audioSecondsPerJob: number;
  /** Where the audio travelled (absent before inline audio existed: always chunks). */
  payload?: { inlineMaxBytes: number; audioBytesPerJob: number; inlineJobs: number; chunkedJobs: number };
  idle: { windowSec: number; perSecond: Counts };
  meterTotal: Counts;
  benchClient: { enqueue: Counts; polling: Counts };
  perJob: { enqueue: PerJob; fleetRaw: PerJob; marginalIncludingEnqueue: PerJob };
  engineSelfReportedOpsPerJob: number | null;
  /** Present when the emulator's meter breaks charges down (byCall/byCollection). */
  breakdown?: { idlePerMinute: MeterBreakdown | null; runPerJob: MeterBreakdown | null };
  claims?: {
    claimed: number;
    conflicts: number;
    /** Claim attempts that threw (fq_claim_errors_total; absent before that counter existed). */
    errors?: number;
    /** (conflicts + errors) / claimed. */
    conflictsPerClaim: number | null;
    perWorker: Array<{ serverId: string; claimed: number | null; conflicts: number | null; errors?: number | null }>;
  };
}
interface MeterBreakdown {
  byCall: Record<string, Counts> | null;
  byCollection: Record<string, Counts> | null;
}

export interface CostResult {
  /** `inlineMaxBytes`: the enqueuing client's `payload.inlineMaxBytes` (absent: the default). */
  options: { jobs: number; workers: number; idleMs: number; concurrency: number; inlineMaxBytes?: number };
  /** Everything the system spent during the run divided by the jobs: enqueue + the fleet
   * (claims, heartbeats, completions, leader maintenance, rollups, listeners). */
  amortisedPerJob: PerJob;
  /** The same with the idle fleet's cost over the run's duration taken out. */
  marginalPerJob: PerJob;
  idlePerMinute: Counts;
  /** The meter's breakdown by call and by collection, when the emulator reports one. */
  breakdown: OpsPerJobOutput['breakdown'] | null;
  /** Claims won and claim conflicts over the run, summed over the workers' /metrics. */
  claims: OpsPerJobOutput['claims'] | null;
  raw: OpsPerJobOutput;
}

const add = (a: PerJob, b: PerJob): PerJob => ({
  reads: round(a.reads + b.reads),
  writes: round(a.writes + b.writes),
  deletes: round(a.deletes + b.deletes),
  total: round(a.total + b.total),
});

export async function measureCost(options: CostResult['options'], log: (m: string) => void): Promise<CostResult> {
  const inline = options.inlineMaxBytes === undefined ? [] : ['--inline-max-bytes', String(options.inlineMaxBytes)];
  log(`cost: worker/src/bench/ops-per-job.ts --jobs ${options.jobs} --workers ${options.workers}${inline.length ? ` ${inline.join(' ')}` : ''}`);
  const raw = await runJsonScript<OpsPerJobOutput>({
    script: 'src/bench/ops-per-job.ts',
    args: ['--jobs', String(options.jobs), '--workers', String(options.workers), '--idle-ms', String(options.idleMs), '--concurrency', String(options.concurrency), ...inline],
    cwd: WORKER_ROOT,
    timeoutMs: 30 * 60_000,
  });
  const idle = raw.idle.perSecond;
  return {
    options,
    amortisedPerJob: add(raw.perJob.enqueue, raw.perJob.fleetRaw),
    marginalPerJob: raw.perJob.marginalIncludingEnqueue,
    idlePerMinute: { reads: round(idle.reads * 60, 1), writes: round(idle.writes * 60, 1), deletes: round(idle.deletes * 60, 1) },
    breakdown: raw.breakdown ?? null,
    claims: raw.claims ?? null,
    raw,
  };
}

/** The fleet sizes the issue compares (cost must not grow with the fleet). */
export const FLEETS = [3, 12] as const;
/** Idle windows shorter than this report their figures without judging them against a goal. */
export const MIN_IDLE_WINDOW_SEC = 59;

export interface CostFleetsOptions {
  jobs: number;
  idleMs: number;
  concurrency: number;
  fleets: readonly number[];
  /**
   * Fleet sizes measured once more with inlining off (audio in chunk documents, as audio
   * above `payload.inlineMaxBytes` is). Default: the smallest fleet; [] skips it.
   */
  chunkedFleets?: readonly number[];
}

export interface CostFleetsResult {
  options: CostFleetsOptions;
  figures: {
    cost: Record<string, Figure>;
    idle: Record<string, Figure>;
    contention: Record<string, Figure>;
  };
  /** One measurement per fleet size, keyed `workers<N>`. */
  runs: Record<string, CostResult>;
  /** The same with inlining off (`chunkedFleets`), keyed `workers<N>`. */
  chunkedRuns: Record<string, CostResult>;
}

const total = (c: Counts) => round(c.reads + c.writes + c.deletes, 1);

/**
 * Cost, idle and contention figures from one ops-per-job run per fleet size. With fleets
 * [small, large]: ratio = large / small; one idle server = (idle(large) - idle(small)) /
 * (large - small) per minute; contention from the largest fleet.
 */
export async function measureCostFleets(options: CostFleetsOptions, log: (m: string) => void): Promise<CostFleetsResult> {
  const runs: Record<string, CostResult> = {};
  for (const workers of options.fleets) {
    runs[`workers${workers}`] = await measureCost({ jobs: options.jobs, workers, idleMs: options.idleMs, concurrency: options.concurrency }, log);
  }
  const sizes = [...options.fleets].sort((a, b) => a - b);
  const chunkedRuns: Record<string, CostResult> = {};
  for (const workers of options.chunkedFleets ?? sizes.slice(0, 1)) {
    chunkedRuns[`workers${workers}`] = await measureCost({ jobs: options.jobs, workers, idleMs: options.idleMs, concurrency: options.concurrency, inlineMaxBytes: 0 }, log);
  }
  const small = sizes[0]!;
  const large = sizes[sizes.length - 1]!;
  const s = runs[`workers${small}`]!;
  const l = runs[`workers${large}`]!;
  const cost: Record<string, Figure & { reads?: number; writes?: number; deletes?: number }> = {};
  const idle: Record<string, Figure & { reads?: number; writes?: number; deletes?: number; windowSec?: number }> = {};
  for (const n of sizes) {
    const r = runs[`workers${n}`]!;
    const a = r.amortisedPerJob;
    cost[`opsPerJobWorkers${n}`] = { ...atMost(a.total, 8, 'ops/job'), reads: a.reads, writes: a.writes, deletes: a.deletes };
    const chunked = chunkedRuns[`workers${n}`];
    if (chunked) {
      // Reported, not judged: the trade for audio above the threshold (its floor alone is 8).
      const c = chunked.amortisedPerJob;
      cost[`opsPerJobChunkedWorkers${n}`] = { ...reported(c.total, 'ops/job'), reads: c.reads, writes: c.writes, deletes: c.deletes };
    }
    // Goals: 3 idle workers <= 30 ops/min, 12 idle workers <= 4x that.
    const idleGoal = n === 3 ? 30 : n === 12 ? 120 : null;
    const t = total(r.idlePerMinute);
    const judged = idleGoal === null ? reported(t, 'ops/min') : atMost(t, idleGoal, 'ops/min');
    // Idle servers heartbeat about once a minute: a shorter window can miss the steady cost.
    idle[`opsPerMinuteWorkers${n}`] = { ...judged, ...(r.raw.idle.windowSec < MIN_IDLE_WINDOW_SEC ? { met: null } : {}), ...r.idlePerMinute, windowSec: r.raw.idle.windowSec };
  }
  if (large !== small) {
    cost[`ratio${large}to${small}`] = atMost(ratio(l.amortisedPerJob.total, s.amortisedPerJob.total), 1.15);
    const idleRatio = ratio(total(l.idlePerMinute), total(s.idlePerMinute));
    // 12 idle workers <= 4x the cost of 3: linear in servers, not quadratic.
    idle[`ratio${large}to${small}`] = { ...atMost(idleRatio, large / small), ...(l.raw.idle.windowSec < MIN_IDLE_WINDOW_SEC ? { met: null } : {}) };
    idle.perIdleServerPerMinute = reported(round((total(l.idlePerMinute) - total(s.idlePerMinute)) / (large - small), 1), 'ops/min');
  }
  idle[`averagePerServerPerMinuteWorkers${small}`] = reported(round(total(s.idlePerMinute) / small, 1), 'ops/min');
  const counts = (r: CostResult) => ({ claimed: r.claims?.claimed ?? 0, conflicts: r.claims?.conflicts ?? 0, errors: r.claims?.errors ?? 0 });
  const contention: Record<string, Figure & { claimed?: number; conflicts?: number; errors?: number }> = {
    [`conflictsPerClaimWorkers${large}`]: { ...atMost(l.claims?.conflictsPerClaim ?? null, 0.2), ...counts(l) },
  };
  if (large !== small) contention[`conflictsPerClaimWorkers${small}`] = { ...reported(s.claims?.conflictsPerClaim ?? null), ...counts(s) };
  return { options, figures: { cost, idle, contention }, runs, chunkedRuns };
}

function breakdownTable(title: string, rows: Record<string, Counts> | null | undefined): Table | null {
  if (!rows) return null;
  const entries = Object.entries(rows).filter(([, c]) => total(c) >= 0.01);
  if (!entries.length) return null;
  return {
    title,
    headers: ['', 'reads', 'writes', 'deletes', 'total'],
    rows: entries.map(([k, c]) => [k, c.reads, c.writes, c.deletes, total(c)]),
  };
}

/** A per-job row's cells; blank for a fleet that was not measured this way. */
function cells(c: PerJob | undefined): Cell[] {
  return c ? [c.reads, c.writes, c.deletes, c.total] : ['', '', '', ''];
}

function describePayload(r: CostResult): string {
  const p = r.raw.payload;
  if (!p) return 'in chunk documents';
  return `${p.audioBytesPerJob} bytes a job, ${p.inlineJobs} of ${r.raw.jobs} jobs inline (payload.inlineMaxBytes ${p.inlineMaxBytes})`;
}

export function costTables(result: CostFleetsResult): Table[] {
  const tables: Table[] = [];
  const sizes = Object.keys(result.runs);
  tables.push({
    title: `cost: Firestore operations per completed job (${result.options.jobs} jobs per fleet, ${result.options.concurrency} slots per worker)`,
    headers: ['per job', ...sizes.flatMap((k) => [`${k} reads`, 'writes', 'deletes', 'total'])],
    rows: [
      ['amortised (all ops / jobs)', ...sizes.flatMap((k) => { const a = result.runs[k]!.amortisedPerJob; return [a.reads, a.writes, a.deletes, a.total]; })],
      ['marginal (idle fleet removed)', ...sizes.flatMap((k) => { const m = result.runs[k]!.marginalPerJob; return [m.reads, m.writes, m.deletes, m.total]; })],
      ['of which enqueue', ...sizes.flatMap((k) => { const e = result.runs[k]!.raw.perJob.enqueue; return [e.reads, e.writes, e.deletes, e.total]; })],
      ...(Object.keys(result.chunkedRuns ?? {}).length
        ? [
            ['amortised, audio in chunks', ...sizes.flatMap((k) => cells(result.chunkedRuns[k]?.amortisedPerJob))],
            ['of which enqueue, audio in chunks', ...sizes.flatMap((k) => cells(result.chunkedRuns[k]?.raw.perJob.enqueue))],
          ]
        : []),
    ],
    notes: [
      `audio: ${describePayload(result.runs[sizes[0]!]!)}; "audio in chunks": the same jobs with payload.inlineMaxBytes 0, what audio above the threshold costs`,
      'amortised = (enqueue + everything the workers did during the run) / jobs: heartbeats, leader work, rollups and every listener included',
      'the harness\'s own progress polling is excluded; source: emulator meter (billing units)',
    ],
  });
  tables.push({
    title: 'cost, idle and contention against the issue\'s goals',
    headers: ['figure', 'value'],
    rows: [
      ...Object.entries(result.figures.cost).map(([k, f]) => [`cost ${k}`, describeFigure(f)]),
      ...Object.entries(result.figures.idle).map(([k, f]) => [`idle ${k}`, describeFigure(f)]),
      ...Object.entries(result.figures.contention).map(([k, f]) => [`contention ${k}`, describeFigure(f)]),
    ],
    notes: [
      `idle: the fleet doing nothing (heartbeats, leader, listeners) over ${Math.round(result.options.idleMs / 1000)} s before the jobs (not judged below ${MIN_IDLE_WINDOW_SEC} s); one idle server = difference of the two fleets / difference of their sizes`,
      'contention: claim attempts that lost a race or found the job gone (fq_claim_conflicts_total) or failed with an error (fq_claim_errors_total) per claim won (fq_jobs_claimed_total), summed over every worker\'s /metrics',
    ],
  });
  for (const k of sizes) {
    const b = result.runs[k]!.breakdown;
    const run = breakdownTable(`cost ${k}: operations per job by kind of call (emulator meter)`, b?.runPerJob?.byCall);
    const coll = breakdownTable(`cost ${k}: operations per job by collection`, b?.runPerJob?.byCollection);
    const idleColl = breakdownTable(`idle ${k}: operations per minute by collection`, b?.idlePerMinute?.byCollection);
    for (const t of [run, coll, idleColl]) if (t) tables.push(t);
  }
  for (const [k, r] of Object.entries(result.chunkedRuns ?? {})) {
    const coll = breakdownTable(`cost ${k}, audio in chunks: operations per job by collection`, r.breakdown?.runPerJob?.byCollection);
    if (coll) tables.push(coll);
  }
  return tables;
}

export const costScenario: Scenario<CostFleetsResult> = async (ctx) => {
  const options: CostFleetsOptions = ctx.quick
    ? { jobs: 40, idleMs: 60_000, concurrency: 4, fleets: FLEETS }
    : { jobs: 300, idleMs: 120_000, concurrency: 4, fleets: FLEETS };
  const result = await measureCostFleets(options, ctx.log);
  return { result, tables: costTables(result) };
};
