import { operateBreaker, type BreakerOperation } from '../flow-policy/breaker.js';
import type { CommandOf } from './commands.js';
import { DEFAULT_CONTROL_RETENTION, type ControlContext, type UnsealedResult } from './plan.js';

type BreakerCommand =
  | CommandOf<'breaker.force_open'>
  | CommandOf<'breaker.force_close'>
  | CommandOf<'breaker.clear_override'>
  | CommandOf<'breaker.reset'>;

const OPERATION: Record<BreakerCommand['type'], BreakerOperation> = {
  'breaker.force_open': 'force_open',
  'breaker.force_close': 'force_close',
  'breaker.clear_override': 'clear_override',
  'breaker.reset': 'reset',
};

export function breakerControlReads(command: BreakerCommand): { collection: 'breakers'; id: string }[] {
  return [{ collection: 'breakers', id: command.model }];
}

/**
 * Manual breaker actions: the breaker's own state machine (`core/flow-policy/breaker`
 * `operateBreaker`) decides the document; this adds the write and the audit entry.
 */
export function planBreakerControl(command: BreakerCommand, ctx: ControlContext): UnsealedResult {
  const now = ctx.now;
  const current = ctx.docs.get('breakers', command.model);
  const result = operateBreaker(current, command.model, OPERATION[command.type], { now, by: ctx.actor.id, reason: command.reason });
  if (!result.ok) return result;
  const next = result.step.doc;
  const retention = ctx.retention ?? DEFAULT_CONTROL_RETENTION;
  return {
    ok: true,
    plan: {
      command,
      mutations: [{ op: 'set', collection: 'breakers', id: command.model, data: next }],
      audit: {
        at: now,
        actor: ctx.actor,
        action: command.type,
        target: { kind: 'breaker', id: command.model },
        targetIds: [],
        reason: command.reason,
        details: { from: current?.state ?? 'closed', to: next.state, override: next.override },
        expireAt: now + retention.auditMs,
      },
      applied: [command.model],
      skipped: [],
    },
  };
}
