import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServerHandle } from './http-server.js';
import { WorkerMetrics } from './metrics.js';
import type { WorkerStatus } from './worker.js';

let server: HttpServerHandle | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('worker HTTP server', () => {
  it('serves /healthz by worker state and Prometheus /metrics', async () => {
    const metrics = new WorkerMetrics({ inFlight: () => 2, meter: () => ({ reads: 10, writes: 4, deletes: 1 }), concurrency: () => 4 });
    const observer = metrics.observer();
    observer.claimed?.('j1');
    observer.claimConflict?.('j2');
    observer.claimConflict?.('j3');
    observer.claimError?.('j4', new Error('aborted'));
    observer.finished?.('j1', 'succeeded');
    observer.upstream?.({ ok: false, errorClass: 'overloaded', latencyMs: 120, model: 'm' });
    observer.leadership?.(true, 3);
    let state: WorkerStatus['state'] = 'running';
    server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      registry: metrics.registry,
      status: () => ({ serverId: 's', state, inFlight: 2, jobsCompleted: 1, jobsFailed: 0, leadership: { isLeader: true, term: 3, holder: 's' }, pausedPriorities: [] }),
    });
    const base = `http://127.0.0.1:${server.port}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ state: 'running', inFlight: 2 });
    state = 'draining';
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/fq_jobs_claimed_total 1/);
    // The bench's contention figure: (conflicts + errors) per claim won.
    expect(text).toMatch(/fq_claim_conflicts_total 2/);
    expect(text).toMatch(/fq_claim_errors_total 1/);
    expect(text).toMatch(/fq_jobs_finished_total\{status="succeeded"\} 1/);
    expect(text).toMatch(/fq_upstream_calls_total\{model="m",outcome="error",error_class="overloaded"\} 1/);
    expect(text).toMatch(/fq_is_leader 1/);
    expect(text).toMatch(/fq_jobs_in_flight 2/);
    expect(text).toMatch(/fq_store_operations_total\{kind="read"\} 10/);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
