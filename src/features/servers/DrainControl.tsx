import type { ServerDoc, ServerState } from '@fq/worker/schema';
import { ControlButton } from '../controls/ControlButton';

/**
 * How a server's drain reads on the Servers page: `drained` once an operator's drain has left
 * it nothing in flight (its document stays `draining`: there is no `drained` state, see the
 * worker's README), `draining` while it finishes its jobs (or while its load is not read
 * yet: `inFlight` null), or its own state.
 */
export function drainView(server: { state: ServerState; inFlight: number | null }, listed: boolean): { label: string; tone: 'good' | 'warn' | 'neutral' } {
  if (listed && server.state === 'draining') return { label: server.inFlight === 0 ? 'drained' : 'draining', tone: 'warn' };
  if (listed && server.state === 'active') return { label: 'drain requested', tone: 'warn' };
  return { label: server.state, tone: server.state === 'active' ? 'good' : server.state === 'draining' ? 'warn' : 'neutral' };
}

/**
 * Drain or resume one server (`server.drain` / `server.resume`, audited). Hidden from viewers
 * with every other control (ControlButton). A server that stopped or went stale while
 * drained can still be resumed: that removes it from the drained list.
 */
export function DrainControl({ server, listed, stale }: { server: Pick<ServerDoc, 'serverId' | 'state'>; listed: boolean; stale: boolean }) {
  const id = server.serverId;
  if (listed) {
    return (
      <ControlButton
        label="Resume"
        title={`Resume server ${id}?`}
        description={
          <p>
            <span className="font-mono">{id}</span> claims jobs again as soon as it sees the change, and the leader gives it a
            share of the fleet's upstream budget at its next allocation.
          </p>
        }
        command={(reason) => ({ type: 'server.resume', serverId: id, reason })}
        testId={`resume-${id}`}
      />
    );
  }
  if (stale || (server.state !== 'active' && server.state !== 'draining')) return null;
  return (
    <ControlButton
      label="Drain"
      title={`Drain server ${id}?`}
      description={
        <p>
          <span className="font-mono">{id}</span> stops claiming jobs; the other servers take the new ones. The jobs it is
          running finish there, or are released for another server (attempt refunded) if they outlast its drain grace. It stays
          registered and shows <em>draining</em>, then <em>drained</em>, until you resume it.
        </p>
      }
      command={(reason) => ({ type: 'server.drain', serverId: id, reason })}
      testId={`drain-${id}`}
    />
  );
}
