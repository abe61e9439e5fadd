/**
 * Fleet flow control on the store port (Firestore in production): the shared circuit breaker,
 * the global upstream budget with adaptive concurrency, and fallback routing.
 *
 * Wiring (one per worker process):
 *   const { flow, duties } = createFleetFlowControl({ store, serverId, config, clock, logger });
 *   startWorker({ store, transcriber, config, serverId, clock, flowControl: flow, duties });
 */
import type { WorkerConfig } from '../schema/config.js';
import type { Clock } from '../ports/clock.js';
import type { LeaderDuty } from '../ports/flow-control.js';
import type { Logger } from '../ports/logger.js';
import type { DocStore } from '../ports/store.js';
import { FleetFlowControl } from './fleet-flow-control.js';
import { FlowLeader } from './flow-leader.js';

export { FleetFlowControl, type FleetFlowOptions, type ModelFlowStatus } from './fleet-flow-control.js';
export { FlowLeader, type FlowLeaderOptions } from './flow-leader.js';
export { LeadershipLostError, checkLeader } from './leader-fence.js';
export { tripOpen, takeProbe, finishProbe, evaluateFenced } from './breaker-ops.js';
export type { EffectiveSlice } from './model-flow.js';

export interface CreateFleetFlowOptions {
  store: DocStore;
  /** Must be the worker's server id: slices are keyed by it and the leader fence checks it. */
  serverId: string;
  config: WorkerConfig;
  clock: Clock;
  logger?: Logger;
}

export function createFleetFlowControl(options: CreateFleetFlowOptions): {
  flow: FleetFlowControl;
  leader: FlowLeader;
  duties: LeaderDuty[];
} {
  const flow = new FleetFlowControl(options);
  const leader = new FlowLeader(options);
  return { flow, leader, duties: [leader.duty()] };
}
export { QueueHeadCache } from './queue-head.js';
