import { MAX_DRAINED_SERVERS, type QueueControlsDoc } from '../../schema/flow.js';
import { SINGLETON_IDS } from '../../schema/names.js';
import { InvalidTransitionError, NotFoundError } from '../errors.js';
import type { DocRef } from '../mutations.js';
import type { CommandOf } from './commands.js';
import { DEFAULT_CONTROL_RETENTION, type ControlContext, type UnsealedResult } from './plan.js';

type ServerCommand = CommandOf<'server.drain'> | CommandOf<'server.resume'>;

/** The queue controls (where drained servers are listed) and the server's own document. */
export function serverControlReads(command: ServerCommand): DocRef[] {
  return [
    { collection: 'controls', id: SINGLETON_IDS.queueControls },
    { collection: 'servers', id: command.serverId },
  ];
}

/** Whether the queue controls list `serverId` as drained. */
export function isDrained(controls: Pick<QueueControlsDoc, 'drainedServers'> | null, serverId: string): boolean {
  return controls?.drainedServers.includes(serverId) ?? false;
}

/**
 * Drains one server (it stops claiming; what it runs finishes, or is released when its drain
 * grace runs out) or resumes it (it claims again). The list lives in the queue controls
 * document every worker already listens to; the pause switches stay as they are. A drain
 * needs a live registered server (`active` or `draining`); a resume only needs the server
 * listed, so the entry of a server that stopped while drained can be removed.
 */
export function planServerControl(command: ServerCommand, ctx: ControlContext): UnsealedResult {
  const current = ctx.docs.get('controls', SINGLETON_IDS.queueControls);
  const server = ctx.docs.get('servers', command.serverId);
  const listed = isDrained(current, command.serverId);
  const before = current?.drainedServers ?? [];
  let after: string[];
  if (command.type === 'server.drain') {
    if (!server) return { ok: false, error: new NotFoundError('server', command.serverId) };
    if (listed) return refuse(command, 'draining', `server ${command.serverId} is already drained`);
    if (server.state !== 'active' && server.state !== 'draining') {
      return refuse(command, server.state, `server ${command.serverId} is ${server.state}: only a running server can be drained`);
    }
    if (before.length >= MAX_DRAINED_SERVERS) {
      return refuse(command, 'active', `${before.length} servers are drained already (at most ${MAX_DRAINED_SERVERS}): resume one first`);
    }
    after = [...before, command.serverId];
  } else {
    if (!listed) return refuse(command, server?.state ?? 'unknown', `server ${command.serverId} is not drained`);
    after = before.filter((id) => id !== command.serverId);
  }
  const next: QueueControlsDoc = {
    paused: current?.paused ?? false,
    pausedPriorities: current?.pausedPriorities ?? [],
    reason: current?.reason ?? null,
    drainedServers: after,
    updatedAt: ctx.now,
    updatedBy: ctx.actor.id,
  };
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
        target: { kind: 'server', id: command.serverId },
        targetIds: [],
        reason: command.reason,
        details: { drainedBefore: before.length, drainedAfter: after.length },
        expireAt: ctx.now + retention.auditMs,
      },
      applied: [command.serverId],
      skipped: [],
    },
  };
}

function refuse(command: ServerCommand, state: string, message: string): UnsealedResult {
  return { ok: false, error: new InvalidTransitionError(command.serverId, state, command.type === 'server.drain' ? 'drain' : 'resume', message) };
}
