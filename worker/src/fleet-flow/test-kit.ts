import { SINGLETON_IDS } from '../schema/names.js';
import { resolveConfig, type WorkerConfig, type WorkerConfigInput } from '../schema/config.js';
import type { ServerDoc } from '../schema/coordination.js';
import type { Priority } from '../schema/job.js';
import type { Clock } from '../ports/clock.js';
import type { PermitDecision, UpstreamOutcome } from '../ports/flow-control.js';
import type { DocStore } from '../ports/store.js';
import { createFleetFlowControl } from './index.js';
import type { FleetFlowControl } from './fleet-flow-control.js';
import type { FlowLeader } from './flow-leader.js';

/**
 * Several "servers" of fleet flow control in one test process, on any store (memory with a
 * fake clock, or Firestore on the emulator). Tests drive calls, heartbeats and the leader's
 * ticks explicitly; the queue runtime is not needed to test flow control.
 */
export interface KitServer {
  id: string;
  store: DocStore;
  flow: FleetFlowControl;
  leader: FlowLeader;
  inFlight: number;
}

export interface FleetKit {
  config: WorkerConfig;
  servers: KitServer[];
  /** Writes the server's heartbeat document (its report, load and slices), as the runtime does. */
  heartbeat(server: KitServer): Promise<void>;
  heartbeatAll(): Promise<void>;
  /** Makes `server` the leader for `term` (writes the lease directly). */
  lead(server: KitServer, term: number, leaseMs?: number): Promise<void>;
  /** One leader tick of `server` under `term`. */
  tick(server: KitServer, term: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFleetKit(options: {
  stores: DocStore[];
  clock: Clock;
  config?: WorkerConfigInput;
  ids?: string[];
}): Promise<FleetKit> {
  const config = resolveConfig(options.config ?? {});
  const servers: KitServer[] = options.stores.map((store, i) => {
    const id = options.ids?.[i] ?? `s${i}`;
    const { flow, leader } = createFleetFlowControl({ store, serverId: id, config, clock: options.clock });
    return { id, store, flow, leader, inFlight: 0 };
  });
  await Promise.all(servers.map((s) => s.flow.start()));
  const heartbeat = async (server: KitServer): Promise<void> => {
    const now = server.store.now();
    const doc: ServerDoc = {
      serverId: server.id,
      hostname: 'test',
      pid: 1,
      version: 'test',
      state: 'active',
      startedAt: now,
      heartbeatAt: now,
      heartbeatIntervalMs: config.serverCoordination.heartbeatIntervalMs,
      inFlight: server.inFlight,
      concurrencyLimit: server.flow.claimBudget(0).slots,
      maxConcurrency: config.maxConcurrentRequests,
      jobsCompleted: 0,
      jobsFailed: 0,
      upstream: server.flow.report(),
      budget: server.flow.slices(),
      labels: {},
    };
    await server.store.commit([{ op: 'set', collection: 'servers', id: server.id, data: doc }]);
  };
  return {
    config,
    servers,
    heartbeat,
    heartbeatAll: async () => void (await Promise.all(servers.map(heartbeat))),
    lead: async (server, term, leaseMs = 3_600_000) => {
      const now = server.store.now();
      await server.store.commit([
        {
          op: 'set',
          collection: 'leader',
          id: SINGLETON_IDS.leaderLease,
          data: { holder: server.id, term, acquiredAt: now, renewedAt: now, expiresAt: now + leaseMs, idle: false },
        },
      ]);
    },
    tick: (server, term) => server.leader.run(term, new AbortController().signal),
    close: async () => void (await Promise.all(servers.map((s) => s.flow.stop()))),
  };
}

export function job(id: string, priority: Priority = 'normal', audioSeconds: number | null = 10, model: string | null = null) {
  return { id, priority, model, audioSeconds };
}

/** Acquire a permit and report the outcome at once; returns the decision. */
export async function call(server: KitServer, outcome: UpstreamOutcome, priority: Priority = 'normal'): Promise<PermitDecision> {
  const decision = await server.flow.acquire(job(`j${Math.random()}`, priority));
  if (decision.granted) decision.permit.complete(outcome);
  return decision;
}

export const ok = (latencyMs = 1_000, audioSeconds = 10): UpstreamOutcome => ({ ok: true, latencyMs, audioSeconds, tokens: null });
export const fail = (errorClass: Extract<UpstreamOutcome, { ok: false }>['errorClass'], retryAfterMs: number | null = null): UpstreamOutcome => ({
  ok: false,
  errorClass,
  latencyMs: 50,
  retryAfterMs,
});
