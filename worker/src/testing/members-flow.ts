import { StaticFlowControl } from '../engine/static-flow-control.js';
import type { FakeClock } from './fake-clock.js';

/**
 * Static flow control that reports the fleet's members, as the leader's budget allocation
 * does: the claim loop's shards (which it listens to, which it polls) follow from them.
 */
export class MembersFlow extends StaticFlowControl {
  constructor(
    clock: FakeClock,
    private readonly list: readonly string[],
    maxConcurrentRequests = 2,
  ) {
    super({ maxConcurrentRequests, model: 'm', now: () => clock.now() });
  }
  members(): readonly string[] {
    return this.list;
  }
}
