import type { CommandOf } from './commands.js';
import { InvalidTransitionError, NotFoundError } from '../errors.js';
import { DEFAULT_CONTROL_RETENTION, type ControlContext, type UnsealedResult } from './plan.js';

type LockCommand = CommandOf<'lock.force_release'>;

export function lockControlReads(command: LockCommand): { collection: 'locks'; id: string }[] {
  return [{ collection: 'locks', id: command.name }];
}

/**
 * Frees a lock whose holder is stuck. The token is kept (the next holder gets token + 1), so
 * the old holder's fenced writes keep failing even if it wakes up.
 */
export function planLockControl(command: LockCommand, ctx: ControlContext): UnsealedResult {
  const lock = ctx.docs.get('locks', command.name);
  if (!lock) return { ok: false, error: new NotFoundError('lock', command.name) };
  if (lock.holder === null) {
    return {
      ok: false,
      error: new InvalidTransitionError(command.name, 'free', 'force_release', `lock ${command.name} is not held`),
    };
  }
  const retention = ctx.retention ?? DEFAULT_CONTROL_RETENTION;
  return {
    ok: true,
    plan: {
      command,
      mutations: [
        {
          op: 'set',
          collection: 'locks',
          id: command.name,
          data: { ...lock, holder: null, expiresAt: null, releasedAt: ctx.now, releasedBy: ctx.actor.id },
        },
      ],
      audit: {
        at: ctx.now,
        actor: ctx.actor,
        action: command.type,
        target: { kind: 'lock', id: command.name },
        targetIds: [],
        reason: command.reason,
        details: { holder: lock.holder, token: lock.token },
        expireAt: ctx.now + retention.auditMs,
      },
      applied: [command.name],
      skipped: [],
    },
  };
}
