import { describe, expect, it } from 'vitest';
import { WorkerMetrics } from './metrics.js';

describe('WorkerMetrics claim counters', () => {
  it('counts claims won and lost in the totals and by the route the candidate came from', async () => {
    const metrics = new WorkerMetrics({ inFlight: () => 0, meter: () => ({ reads: 0, writes: 0, deletes: 0 }), concurrency: () => 1 });
    const observer = metrics.observer();
    observer.claimed?.('a', 'own');
    observer.claimed?.('b', 'listen');
    observer.claimConflict?.('c', 'others');
    observer.claimConflict?.('d', 'others');
    observer.claimConflict?.('e'); // a caller without a route: only the total
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^fq_jobs_claimed_total 2$/m);
    expect(text).toMatch(/^fq_claim_conflicts_total 3$/m);
    expect(text).toMatch(/^fq_claim_attempts_by_route_total\{route="own",outcome="won"\} 1$/m);
    expect(text).toMatch(/^fq_claim_attempts_by_route_total\{route="listen",outcome="won"\} 1$/m);
    expect(text).toMatch(/^fq_claim_attempts_by_route_total\{route="others",outcome="lost"\} 2$/m);
  });
});
