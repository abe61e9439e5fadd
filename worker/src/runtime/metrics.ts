import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OpsMeter } from '../ports/store.js';
import type { WorkerObserver } from './observer.js';

/**
 * Prometheus metrics of one worker process. Fed by the worker's observer hooks; gauges and
 * store operation counts are read at scrape time.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly claimed: Counter;
  private readonly conflicts: Counter;
  private readonly claimsByRoute: Counter<'route' | 'outcome'>;
  private readonly claimErrors: Counter;
  private readonly finished: Counter<'status'>;
  private readonly upstream: Counter<'model' | 'outcome' | 'error_class'>;
  private readonly upstreamLatency: Histogram<'model'>;
  private readonly leaseLost: Counter;
  private readonly leader: Gauge;
  private readonly term: Gauge;

  constructor(source: { inFlight: () => number; meter: () => OpsMeter; concurrency: () => number }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'fq_worker_' });
    const registers = [this.registry];
    this.claimed = new Counter({ name: 'fq_jobs_claimed_total', help: 'Jobs claimed by this worker', registers });
    this.conflicts = new Counter({ name: 'fq_claim_conflicts_total', help: 'Claim attempts that lost a race or found the job gone', registers });
    // Beside the unlabelled totals (which scripts read as `name value`): which route contends.
    this.claimsByRoute = new Counter({
      name: 'fq_claim_attempts_by_route_total',
      help: 'Claim attempts by where the candidate came from (listen, own shards, the other shards, the whole head, orphan check) and outcome (won, lost)',
      labelNames: ['route', 'outcome'],
      registers,
    });
    this.claimErrors = new Counter({ name: 'fq_claim_errors_total', help: 'Claim attempts that failed with an error (aborted, store fault)', registers });
    this.finished = new Counter({ name: 'fq_jobs_finished_total', help: 'Jobs this worker finished, by outcome', labelNames: ['status'], registers });
    this.upstream = new Counter({
      name: 'fq_upstream_calls_total',
      help: 'Upstream (Gemini) calls by outcome and error class',
      labelNames: ['model', 'outcome', 'error_class'],
      registers,
    });
    this.upstreamLatency = new Histogram({
      name: 'fq_upstream_latency_seconds',
      help: 'Upstream call latency',
      labelNames: ['model'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers,
    });
    this.leaseLost = new Counter({ name: 'fq_lease_lost_total', help: 'Jobs whose lease was lost while running', registers });
    this.leader = new Gauge({ name: 'fq_is_leader', help: '1 while this worker is the elected leader', registers });
    this.term = new Gauge({ name: 'fq_leader_term', help: 'Leader term last seen', registers });
    new Gauge({ name: 'fq_jobs_in_flight', help: 'Jobs running in this worker', registers, collect() { this.set(source.inFlight()); } });
    new Gauge({ name: 'fq_concurrency_limit', help: 'Current concurrency limit of this worker', registers, collect() { this.set(source.concurrency()); } });
    let last: OpsMeter = { reads: 0, writes: 0, deletes: 0 };
    new Counter({
      name: 'fq_store_operations_total',
      help: 'Firestore operations performed by this worker (billing units, client-side count)',
      labelNames: ['kind'],
      registers,
      collect() {
        const m = source.meter();
        this.inc({ kind: 'read' }, m.reads - last.reads);
        this.inc({ kind: 'write' }, m.writes - last.writes);
        this.inc({ kind: 'delete' }, m.deletes - last.deletes);
        last = { ...m };
      },
    });
  }

  observer(): WorkerObserver {
    return {
      claimed: (_id, route) => {
        this.claimed.inc();
        if (route) this.claimsByRoute.inc({ route, outcome: 'won' });
      },
      claimConflict: (_id, route) => {
        this.conflicts.inc();
        if (route) this.claimsByRoute.inc({ route, outcome: 'lost' });
      },
      claimError: () => this.claimErrors.inc(),
      finished: (_id, status) => this.finished.inc({ status }),
      upstream: (o) => {
        this.upstream.inc({ model: o.model, outcome: o.ok ? 'ok' : 'error', error_class: o.errorClass ?? 'none' });
        this.upstreamLatency.observe({ model: o.model }, o.latencyMs / 1000);
      },
      leaseLost: () => this.leaseLost.inc(),
      leadership: (isLeader, term) => {
        this.leader.set(isLeader ? 1 : 0);
        this.term.set(term);
      },
    };
  }
}
