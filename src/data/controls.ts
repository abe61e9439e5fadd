import {
  controlReads,
  parseControlCommand,
  planControl,
  readDocsFrom,
  type ControlCommandInput,
  type ControlPlan,
} from '@fq/worker/core';
import type { Actor, CollectionKey } from '@fq/worker/schema';
import { CorruptDocumentError } from './errors';
import { SERVER_TIME, type DataPort, type Mutation } from './port';
import { encodeDoc, type DocOf } from './schemas';
import { docSpec } from './specs';

/**
 * Runs an operator control exactly like the worker's admin API does: the engine's pure
 * planner decides the document writes and the audit entry; this only reads what the planner
 * asks for and commits its plan in one transaction (so the write and its audit entry land
 * together or not at all). Throws the planner's typed errors (`ValidationError`,
 * `InvalidTransitionError`, `NotFoundError`, `PayloadGoneError`) or `CorruptDocumentError`.
 *
 * `now` should be Firestore time (the server-clock estimate), not the raw browser clock.
 */
export async function executeControl(
  port: DataPort,
  input: ControlCommandInput,
  actor: Actor,
  now: () => number,
): Promise<ControlPlan> {
  const command = parseControlCommand(input);
  return port.transact(async (tx) => {
    const refs = controlReads(command);
    const entries = await Promise.all(
      refs.map(async (ref) => {
        const row = await tx.get(docSpec(ref.collection, ref.id));
        if (row && !row.ok) throw new CorruptDocumentError(`${ref.collection}/${ref.id}`, row.error);
        return { ref, doc: row?.data ?? null };
      }),
    );
    const result = planControl(command, { actor, now: now(), docs: readDocsFrom(entries) });
    if (!result.ok) throw result.error;
    const plan = result.plan;
    const mutations: Mutation[] = plan.mutations.map((m) =>
      m.op === 'delete'
        ? { op: 'delete', collection: m.collection, id: m.id }
        : { op: 'set', collection: m.collection, id: m.id, data: encode(m.collection, m.data) },
    );
    // The entry's time is the commit time (security rules require `at == request.time`).
    mutations.push({ op: 'create', collection: 'audit', id: null, data: { ...encode('audit', plan.audit), at: SERVER_TIME } });
    return { mutations, result: plan };
  });
}

function encode<K extends CollectionKey>(collection: K, data: DocOf<K>): Record<string, unknown> {
  return encodeDoc(collection, data);
}
