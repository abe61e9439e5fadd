import { PRIORITIES, type Priority } from '../../schema/job.js';
import { SINGLETON_IDS } from '../../schema/names.js';
import type { QueueControlsDoc } from '../../schema/flow.js';
import type { CommandOf } from './commands.js';
import { DEFAULT_CONTROL_RETENTION, type ControlContext, type UnsealedResult } from './plan.js';

type QueueCommand = CommandOf<'queue.pause'> | CommandOf<'queue.resume'>;

export function queueControlReads(): { collection: 'controls'; id: string }[] {
  return [{ collection: 'controls', id: SINGLETON_IDS.queueControls }];
}

/** Priorities that workers must not claim under these controls. */
export function pausedPriorities(controls: QueueControlsDoc | null): Priority[] {
  if (!controls) return [];
  return controls.paused ? [...PRIORITIES] : PRIORITIES.filter((p) => controls.pausedPriorities.includes(p));
}

/**
 * Pause/resume of the whole queue or of some priorities. Pausing only stops claiming:
 * admission continues and running jobs finish. Resuming without priorities resumes all.
 */
export function planQueueControl(command: QueueCommand, ctx: ControlContext): UnsealedResult {
  const current = ctx.docs.get('controls', SINGLETON_IDS.queueControls);
  const before = pausedPriorities(current);
  const wasPaused = current?.paused ?? false;
  let paused = wasPaused;
  let list = new Set<Priority>(current?.pausedPriorities ?? []);
  if (command.type === 'queue.pause') {
    if (command.priorities) command.priorities.forEach((p) => list.add(p));
    else paused = true;
  } else if (command.priorities) {
    if (paused) {
      // Resuming some priorities of a fully paused queue: keep the others paused.
      paused = false;
      list = new Set(PRIORITIES);
    }
    command.priorities.forEach((p) => list.delete(p));
  } else {
    paused = false;
    list.clear();
  }
  const next: QueueControlsDoc = {
    paused,
    pausedPriorities: PRIORITIES.filter((p) => list.has(p)),
    reason: command.reason,
    // Drained servers are another control's (server.drain/resume): a pause keeps them.
    drainedServers: current?.drainedServers ?? [],
    updatedAt: ctx.now,
    updatedBy: ctx.actor.id,
  };
  const after = pausedPriorities(next);
  const retention = ctx.retention ?? DEFAULT_CONTROL_RETENTION;
  return {
    ok: true,
    plan: {
      command,
      mutations: [{ op: 'set', collection: 'controls', id: SINGLETON_IDS.queueControls, data: next }],
      audit: {
        at: ctx.now,
        actor: ctx.actor,
        action: command.type,
        target: { kind: 'queue', id: command.priorities ? command.priorities.join(',') : 'all' },
        targetIds: [],
        reason: command.reason,
        details: { pausedBefore: before.join(',') || 'none', pausedAfter: after.join(',') || 'none' },
        expireAt: ctx.now + retention.auditMs,
      },
      applied: [SINGLETON_IDS.queueControls],
      skipped: [],
    },
  };
}
