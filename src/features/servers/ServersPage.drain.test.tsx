import type { FleetSummary, ServerDoc } from '@fq/worker/schema';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeAuth } from '../../test/fakeAuth';
import { T0, controls, server, stats } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { SERVER_LOAD_POLL_MS } from './health';
import { ServersPage } from './ServersPage';

/** The leader's fleet summary of these server documents. */
function summary(changedAt: number, ...servers: ServerDoc[]): FleetSummary {
  return {
    changedAt,
    servers: servers.map((s) => ({ serverId: s.serverId, state: s.state, version: s.version, startedAt: s.startedAt, routing: null })),
  };
}

function auditActions(data: FakeData): string[] {
  return data
    .all('audit')
    .map(([id]) => data.read('audit', id))
    .map((r) => (r?.ok ? `${r.data.action}:${r.data.target.id}` : 'invalid'))
    .sort();
}

describe('ServersPage: drain and resume one server', () => {
  afterEach(() => void vi.useRealTimers());

  it('drains a server through the one executor (audited), follows it to draining and drained, then resumes it', async () => {
    // Fake intervals only: the page's 30 s read of the server documents.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const data = new FakeData();
    const b = server({ serverId: 'srv-b' });
    data.put('servers', 'srv-a', server({ serverId: 'srv-a', inFlight: 2 }));
    data.put('servers', 'srv-b', b);
    data.put('stats', 'queue', stats({ fleet: summary(T0, server({ serverId: 'srv-a' }), b) }));
    data.put('controls', 'queue', controls({ pausedPriorities: ['low'] }));
    const user = userEvent.setup();
    renderPage(<ServersPage />, { data });
    const a = await screen.findByTestId('server-row-srv-a');
    expect(within(a).getByTestId('server-state-srv-a')).toHaveTextContent('active');
    await user.click(within(a).getByRole('button', { name: 'Drain' }));
    expect(screen.getByRole('dialog', { name: 'Drain server srv-a?' })).toHaveTextContent('stops claiming jobs');
    await user.type(screen.getByLabelText(/Reason/), 'kernel update');
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => {
      const doc = data.read('controls', 'queue');
      expect(doc?.ok && doc.data).toMatchObject({ drainedServers: ['srv-a'], pausedPriorities: ['low'] });
    });
    // Listed, but the worker has not answered yet.
    await waitFor(() => expect(screen.getByTestId('server-state-srv-a')).toHaveTextContent('drain requested'));
    expect(within(screen.getByTestId('server-row-srv-b')).getByRole('button', { name: 'Drain' })).toBeInTheDocument();
    // The worker writes `draining` while its two jobs finish, and the leader's summary says so.
    const draining = server({ serverId: 'srv-a', state: 'draining', inFlight: 2 });
    data.put('servers', 'srv-a', draining);
    data.put('stats', 'queue', stats({ fleet: summary(T0 + 1_000, draining, b) }));
    await waitFor(() => expect(screen.getByTestId('server-state-srv-a')).toHaveTextContent(/^draining$/));
    // 0 in flight changes no state: the page sees it at its next read of the load.
    data.put('servers', 'srv-a', server({ serverId: 'srv-a', state: 'draining', inFlight: 0 }));
    expect(screen.getByTestId('server-state-srv-a')).toHaveTextContent(/^draining$/);
    act(() => void vi.advanceTimersByTime(SERVER_LOAD_POLL_MS));
    await waitFor(() => expect(screen.getByTestId('server-state-srv-a')).toHaveTextContent('drained'));

    await user.click(within(screen.getByTestId('server-row-srv-a')).getByRole('button', { name: 'Resume' }));
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => {
      const doc = data.read('controls', 'queue');
      expect(doc?.ok && doc.data.drainedServers).toEqual([]);
    });
    // The worker claims again: active in its document and in the summary.
    const resumed = server({ serverId: 'srv-a', inFlight: 1 });
    data.put('servers', 'srv-a', resumed);
    data.put('stats', 'queue', stats({ fleet: summary(T0 + 2_000, resumed, b) }));
    await waitFor(() => expect(screen.getByTestId('server-state-srv-a')).toHaveTextContent('active'));
    expect(within(screen.getByTestId('server-row-srv-a')).getByRole('button', { name: 'Drain' })).toBeInTheDocument();
    expect(auditActions(data)).toEqual(['server.drain:srv-a', 'server.resume:srv-a']);
    const entry = data.all('audit').map(([id]) => data.read('audit', id)).find((r) => r?.ok && r.data.action === 'server.drain');
    expect(entry?.ok && entry.data).toMatchObject({ reason: 'kernel update', actor: { id: 'admin-1' } });
  });

  it('offers no drain for a stopped or stale server, and a resume for a drained one that stopped', async () => {
    const data = new FakeData();
    data.put('servers', 'srv-stopped', server({ serverId: 'srv-stopped', state: 'stopped' }));
    data.put('servers', 'srv-gone', server({ serverId: 'srv-gone', state: 'stopped' }));
    data.put('controls', 'queue', controls({ drainedServers: ['srv-gone'] }));
    renderPage(<ServersPage />, { data });
    const stopped = await screen.findByTestId('server-row-srv-stopped');
    expect(within(stopped).queryByRole('button', { name: 'Drain' })).toBeNull();
    await waitFor(() => expect(within(screen.getByTestId('server-row-srv-gone')).getByRole('button', { name: 'Resume' })).toBeInTheDocument());
  });

  it('a viewer sees the servers and their drain state, and no control at all', async () => {
    const data = new FakeData();
    data.put('servers', 'srv-a', server({ serverId: 'srv-a', state: 'draining', inFlight: 0 }));
    data.put('servers', 'srv-b', server({ serverId: 'srv-b' }));
    data.put('controls', 'queue', controls({ drainedServers: ['srv-a'] }));
    renderPage(<ServersPage />, { data, auth: new FakeAuth().as({ uid: 'viewer-1', isAdmin: false, isViewer: true }) });
    await waitFor(() => expect(screen.getByTestId('server-state-srv-a')).toHaveTextContent('drained'));
    expect(screen.getByTestId('server-row-srv-b')).toBeInTheDocument();
    expect(screen.queryAllByRole('button')).toEqual([]);
    expect(screen.queryByRole('columnheader', { name: 'Control' })).toBeNull();
  });
});
