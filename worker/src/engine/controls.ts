import type { Actor } from '../schema/audit.js';
import { readDocsFrom } from '../core/mutations.js';
import { runControl, type ControlCommandInput, type ControlPlan, type ControlStore } from '../core/controls/index.js';
import type { DocStore } from '../ports/store.js';
import type { EngineContext } from './context.js';

/** The control executor's store: one transaction of the worker's `DocStore`, at its read time. */
function docStoreControls(store: DocStore): ControlStore {
  return {
    commitPlan: (refs, decide) =>
      store.runTransaction(async (tx) => {
        const docs = await tx.getAll(refs);
        const plan = decide(readDocsFrom(refs.map((ref, i) => ({ ref, doc: docs[i] ?? null }))), tx.now());
        tx.apply(plan.mutations);
        // Under the id the controlled documents name (the same shape the rules demand of browsers).
        tx.create('audit', plan.auditId, plan.audit);
        return plan;
      }),
  };
}

/**
 * The control API on the server side: the one executor (`runControl`, which the console
 * runs over its data port too) over this worker's store, with the fleet's retention. The
 * plan carries everything the control changes, its analytics counts included, so a redrive
 * or cancel counts the same whoever runs it.
 */
export function applyControl(ctx: Pick<EngineContext, 'store' | 'config'>, input: ControlCommandInput, actor: Actor): Promise<ControlPlan> {
  const { finishedJobsMs, auditMs } = ctx.config.retention;
  return runControl(docStoreControls(ctx.store), input, actor, { finishedJobsMs, auditMs });
}
