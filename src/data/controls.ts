import { readDocsFrom, runControl, type ControlCommandInput, type ControlPlan, type ControlStore } from '@fq/worker/core';
import type { Actor, CollectionKey, ControlRetention } from '@fq/worker/schema';
import { CorruptDocumentError } from './errors';
import { SERVER_TIME, type DataPort, type Mutation } from './port';
import { encodeDoc, type DocOf } from './schemas';
import { docSpec } from './specs';

/**
 * The control executor's store over the console's data port: one transaction that reads the
 * documents the planner asks for (a document its schema refuses is a `CorruptDocumentError`),
 * and commits the plan's writes with the audit entry, whose time is the commit time (the
 * security rules require `at == request.time`). `now` should be Firestore time (the
 * server-clock estimate), not the raw browser clock.
 */
function dataPortControls(port: DataPort, now: () => number): ControlStore {
  return {
    commitPlan: (refs, decide) =>
      port.transact(async (tx) => {
        const entries = await Promise.all(
          refs.map(async (ref) => {
            const row = await tx.get(docSpec(ref.collection, ref.id));
            if (row && !row.ok) throw new CorruptDocumentError(`${ref.collection}/${ref.id}`, row.error);
            return { ref, doc: row?.data ?? null };
          }),
        );
        const plan = decide(readDocsFrom(entries), now());
        const mutations: Mutation[] = plan.mutations.map((m) =>
          m.op === 'delete'
            ? { op: 'delete', collection: m.collection, id: m.id }
            : { op: 'set', collection: m.collection, id: m.id, data: encode(m.collection, m.data) },
        );
        mutations.push({ op: 'create', collection: 'audit', id: plan.auditId, data: { ...encode('audit', plan.audit), at: SERVER_TIME } });
        return { mutations, result: plan };
      }),
  };
}

/**
 * Runs an operator control with the engine's one executor (`runControl`, which the worker's
 * admin API runs over its own store): the pure planner decides every write, the audit entry
 * and the analytics counts, and this port commits them. `retention` is the fleet's (published
 * in the stats document; the config's defaults without it), so a cancelled job expires when
 * the workers' own cancels would. Throws the planner's typed errors (`ValidationError`,
 * `InvalidTransitionError`, `NotFoundError`, `PayloadGoneError`) or `CorruptDocumentError`.
 */
export function executeControl(
  port: DataPort,
  input: ControlCommandInput,
  actor: Actor,
  now: () => number,
  retention?: ControlRetention,
): Promise<ControlPlan> {
  return runControl(dataPortControls(port, now), input, actor, retention);
}

function encode<K extends CollectionKey>(collection: K, data: DocOf<K>): Record<string, unknown> {
  return encodeDoc(collection, data);
}
