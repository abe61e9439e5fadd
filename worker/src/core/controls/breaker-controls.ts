import { MAX_BREAKER_HISTORY, type BreakerDoc, type BreakerState } from '../../schema/flow.js';
import { InvalidTransitionError } from '../errors.js';
import type { CommandOf } from './commands.js';
import { DEFAULT_CONTROL_RETENTION, type ControlContext, type UnsealedResult } from './plan.js';

type BreakerCommand =
  | CommandOf<'breaker.force_open'>
  | CommandOf<'breaker.force_close'>
  | CommandOf<'breaker.clear_override'>
  | CommandOf<'breaker.reset'>;

export function breakerControlReads(command: BreakerCommand): { collection: 'breakers'; id: string }[] {
  return [{ collection: 'breakers', id: command.model }];
}

function freshBreaker(model: string, now: number): BreakerDoc {
  return {
    model,
    state: 'closed',
    generation: 0,
    since: now,
    openedAt: null,
    nextProbeAt: null,
    probe: null,
    probeToken: 0,
    window: null,
    consecutiveFailures: 0,
    override: null,
    overrideBy: null,
    overrideAt: null,
    history: [],
    updatedAt: now,
  };
}

function transition(doc: BreakerDoc, to: BreakerState, reason: string, by: string, now: number): BreakerDoc {
  if (doc.state === to) return { ...doc, updatedAt: now };
  return {
    ...doc,
    state: to,
    generation: doc.generation + 1,
    since: now,
    openedAt: to === 'open' ? now : doc.openedAt,
    // A forced-open breaker sends no probes until the override is cleared.
    nextProbeAt: null,
    probe: null,
    history: [...doc.history, { from: doc.state, to, at: now, reason, by }].slice(-MAX_BREAKER_HISTORY),
    updatedAt: now,
  };
}

/**
 * Manual breaker actions. Overrides pin the state until cleared; the shared breaker logic
 * (flow control) leaves a breaker with an override alone. Reset clears counts, the probe and
 * any override and closes the breaker.
 */
export function planBreakerControl(command: BreakerCommand, ctx: ControlContext): UnsealedResult {
  const by = ctx.actor.id;
  const now = ctx.now;
  const current = ctx.docs.get('breakers', command.model);
  const doc = current ?? freshBreaker(command.model, now);
  const why = (what: string) => (command.reason ? `${what}: ${command.reason}` : what);
  let next: BreakerDoc;
  switch (command.type) {
    case 'breaker.force_open':
      next = { ...transition(doc, 'open', why('forced open'), by, now), override: 'force_open', overrideBy: by, overrideAt: now };
      break;
    case 'breaker.force_close':
      next = {
        ...transition(doc, 'closed', why('forced closed'), by, now),
        override: 'force_closed',
        overrideBy: by,
        overrideAt: now,
      };
      break;
    case 'breaker.clear_override':
      if (!current || current.override === null) {
        return {
          ok: false,
          error: new InvalidTransitionError(command.model, doc.state, 'clear_override', `breaker ${command.model} has no override`),
        };
      }
      next = { ...doc, override: null, overrideBy: null, overrideAt: null, updatedAt: now };
      break;
    case 'breaker.reset':
      next = {
        ...transition(doc, 'closed', why('reset'), by, now),
        window: null,
        consecutiveFailures: 0,
        probe: null,
        nextProbeAt: null,
        openedAt: null,
        override: null,
        overrideBy: null,
        overrideAt: null,
      };
      break;
  }
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
        details: { from: doc.state, to: next.state, override: next.override },
        expireAt: now + retention.auditMs,
      },
      applied: [command.model],
      skipped: [],
    },
  };
}
