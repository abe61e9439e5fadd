import {
  auditedParts,
  controlReads,
  InvalidTransitionError,
  NotFoundError,
  parseControlCommand,
  PayloadGoneError,
  planControl,
  readDocsFrom,
  type ControlCommand,
  type ControlCommandInput,
  type ControlPlan,
  type QueueError,
  type SkippedTarget,
} from '@fq/worker/core';
import type { Actor, CollectionKey } from '@fq/worker/schema';
import { CorruptDocumentError } from './errors';
import { SERVER_TIME, type DataPort, type Mutation } from './port';
import { encodeDoc, type DocOf } from './schemas';
import { docSpec } from './specs';

/**
 * Runs an operator control exactly like the worker's admin API does: the engine's pure
 * planner decides the document writes and the audit entry; this only reads what the planner
 * asks for and commits its plan in one transaction, the audit entry under the id the written
 * documents name (the security rules refuse a control without its entry). A bulk job control
 * of more than MAX_AUDITED_JOBS_PER_COMMIT jobs is committed in parts, each with its own entry
 * (`auditedParts`); a part none of whose jobs can take the action counts them as skipped.
 * Throws the planner's typed errors (`ValidationError`, `InvalidTransitionError`,
 * `NotFoundError`, `PayloadGoneError`) or `CorruptDocumentError`; parts committed before a
 * failing one stay committed, each with its audit entry.
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
  const parts = auditedParts(command);
  if (parts.length === 1) return executePart(port, command, actor, now);
  const plans: ControlPlan[] = [];
  const skipped: SkippedTarget[] = [];
  let firstError: unknown = null;
  for (const part of parts) {
    try {
      plans.push(await executePart(port, part, actor, now));
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

function isPlannerRefusal(error: unknown): error is QueueError {
  return error instanceof InvalidTransitionError || error instanceof NotFoundError || error instanceof PayloadGoneError;
}

async function executePart(port: DataPort, command: ControlCommand, actor: Actor, now: () => number): Promise<ControlPlan> {
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
    mutations.push({ op: 'create', collection: 'audit', id: plan.auditId, data: { ...encode('audit', plan.audit), at: SERVER_TIME } });
    return { mutations, result: plan };
  });
}

function encode<K extends CollectionKey>(collection: K, data: DocOf<K>): Record<string, unknown> {
  return encodeDoc(collection, data);
}
