import type { LiveStatus } from './types';

/**
 * What the shell's connection badge shows:
 * - `offline`: the browser says it has no network (`navigator.onLine === false`);
 * - `reconnecting`: some listener's latest snapshot came from the local cache, i.e. the SDK
 *   lost its stream and serves cached data until it is back;
 * - `connecting`: listeners are waiting for their first snapshot;
 * - `live`: every open listener is current with the server;
 * - `idle`: nothing is being listened to.
 * `errors` counts listeners that died (permission denied, failed precondition...).
 */
export type ConnectionState = 'live' | 'reconnecting' | 'offline' | 'connecting' | 'idle';

export interface ConnectionSummary {
  state: ConnectionState;
  errors: number;
  listeners: number;
}

export function deriveConnection(online: boolean, statuses: readonly LiveStatus[]): ConnectionSummary {
  const active = statuses.filter((s) => s !== 'detached');
  const errors = active.filter((s) => s === 'error').length;
  const listening = active.filter((s) => s !== 'error');
  let state: ConnectionState;
  if (!online) state = 'offline';
  else if (listening.some((s) => s === 'cached')) state = 'reconnecting';
  else if (listening.some((s) => s === 'connecting')) state = 'connecting';
  else if (listening.length > 0) state = 'live';
  else state = 'idle';
  return { state, errors, listeners: listening.length };
}
