import type { Actor } from '../../schema/audit.js';
import { InvalidTransitionError, NotFoundError, PayloadGoneError, type QueueError } from '../errors.js';
import type { DocRef, ReadDocs } from '../mutations.js';
import { auditedParts, controlReads, parseControlCommand, planControl } from './planner.js';
import type { ControlCommand, ControlCommandInput } from './commands.js';
import type { ControlRetention } from '../../schema/control-audit.js';
import type { ControlPlan, SkippedTarget } from './plan.js';

/**
 * What the control executor needs from a store: ONE transaction that reads `refs` (absent
 * documents as null), hands them and the transaction's time to `decide`, and commits the plan
 * `decide` returns: every `plan.mutations` entry, and `plan.audit` created under
 * `plan.auditId` (its `at` may be the commit time where the store has one: the security
 * rules demand it of browsers). When `decide` throws, nothing is written and the error
 * propagates. The worker implements it over its `DocStore` (`engine/controls`), the console
 * over its `DataPort` (`src/data/controls`); nothing else differs between the two.
 */
export interface ControlStore {
  commitPlan(refs: readonly DocRef[], decide: (docs: ReadDocs, now: number) => ControlPlan): Promise<ControlPlan>;
}

/** Refusals of one part of a bulk command: its jobs are reported as skipped, the others go on. */
function isPlannerRefusal(error: unknown): error is QueueError {
  return error instanceof InvalidTransitionError || error instanceof NotFoundError || error instanceof PayloadGoneError;
}

function commitPart(store: ControlStore, command: ControlCommand, actor: Actor, retention: ControlRetention | undefined): Promise<ControlPlan> {
  return store.commitPlan(controlReads(command), (docs, now) => {
    const result = planControl(command, { actor, now, docs, retention });
    if (!result.ok) throw result.error;
    return result.plan;
  });
}

/**
 * The one control executor, for the worker's admin API and the console alike: validates the
 * command, plans it with the pure planner inside the store's transaction and commits the plan
 * with its audit entry. A bulk job command of more than MAX_AUDITED_JOBS_PER_COMMIT jobs is
 * committed in parts (`auditedParts`), each with its own entry, which the security rules
 * need of a browser and which keeps the worker's documents identical to the console's; a
 * part none of whose jobs can take the action counts them as skipped. Throws the planner's
 * typed errors (`ValidationError`, `InvalidTransitionError`, `NotFoundError`,
 * `PayloadGoneError`) or the store's; parts committed before a failing one stay committed,
 * each with its audit entry. The result merges the parts' plans (the first part's audit entry).
 */
export async function runControl(
  store: ControlStore,
  input: ControlCommandInput,
  actor: Actor,
  retention?: ControlRetention,
): Promise<ControlPlan> {
  const command = parseControlCommand(input);
  const parts = auditedParts(command);
  if (parts.length === 1) return commitPart(store, command, actor, retention);
  const plans: ControlPlan[] = [];
  const skipped: SkippedTarget[] = [];
  let firstError: unknown = null;
  for (const part of parts) {
    try {
      plans.push(await commitPart(store, part, actor, retention));
    } catch (error) {
      if (!isPlannerRefusal(error) || !('jobIds' in part)) throw error;
      firstError ??= error;
      skipped.push(...part.jobIds.map((id) => ({ id, error })));
    }
  }
  const first = plans[0];
  if (!first) throw firstError;
  return {
    ...first,
    command,
    mutations: plans.flatMap((p) => p.mutations),
    applied: plans.flatMap((p) => p.applied),
    skipped: [...plans.flatMap((p) => p.skipped), ...skipped],
  };
}
