import type { Actor } from '../schema/audit.js';
import { readDocsFrom } from '../core/mutations.js';
import {
  controlReads,
  parseControlCommand,
  planControl,
  type ControlCommandInput,
  type ControlPlan,
} from '../core/controls/index.js';
import type { EngineContext } from './context.js';

/**
 * The one control API on the server side: the pure planner, applied with its audit entry in
 * ONE transaction (the dashboard does the same with the web SDK).
 */
export async function applyControl(
  ctx: Pick<EngineContext, 'store' | 'config' | 'random' | 'analytics'>,
  input: ControlCommandInput,
  actor: Actor,
): Promise<ControlPlan> {
  const command = parseControlCommand(input);
  const refs = controlReads(command);
  const plan = await ctx.store.runTransaction(async (tx) => {
    const docs = await tx.getAll(refs);
    const result = planControl(command, {
      actor,
      now: tx.now(),
      docs: readDocsFrom(refs.map((ref, i) => ({ ref, doc: docs[i] ?? null }))),
      retention: { finishedJobsMs: ctx.config.retention.finishedJobsMs, auditMs: ctx.config.retention.auditMs },
    });
    if (!result.ok) throw result.error;
    tx.apply(result.plan.mutations);
    // Under the id the controlled documents name (the same shape the rules demand of browsers).
    tx.create('audit', result.plan.auditId, result.plan.audit);
    return result.plan;
  });
  for (const m of plan.mutations) {
    if (m.op !== 'set' || m.collection !== 'jobs') continue;
    if (command.type === 'job.redrive') ctx.analytics?.record({ type: 'redriven' });
    if (m.data.status === 'cancelled') ctx.analytics?.record({ type: 'cancelled' });
  }
  return plan;
}
