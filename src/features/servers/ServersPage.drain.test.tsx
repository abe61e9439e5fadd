import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FakeAuth } from '../../test/fakeAuth';
import { controls, server } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { ServersPage } from './ServersPage';

function auditActions(data: FakeData): string[] {
  return data
    .all('audit')
    .map(([id]) => data.read('audit', id))
    .map((r) => (r?.ok ? `${r.data.action}:${r.data.target.id}` : 'invalid'))
    .sort();
}

describe('ServersPage: drain and resume one server', () => {
  it('drains a server through the one executor (audited), follows it to draining and drained, then resumes it', async () => {
    const data = new FakeData();
    data.put('servers', 'srv-a', server({ serverId: 'srv-a', inFlight: 2 }));
    data.put('servers', 'srv-b', server({ serverId: 'srv-b' }));
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
    // The worker writes `draining` while its two jobs finish, then 0 in flight.
    data.put('servers', 'srv-a', server({ serverId: 'srv-a', state: 'draining', inFlight: 2 }));
    await waitFor(() => expect(screen.getByTestId('server-state-srv-a')).toHaveTextContent(/^draining$/));
    data.put('servers', 'srv-a', server({ serverId: 'srv-a', state: 'draining', inFlight: 0 }));
    await waitFor(() => expect(screen.getByTestId('server-state-srv-a')).toHaveTextContent('drained'));

    await user.click(within(screen.getByTestId('server-row-srv-a')).getByRole('button', { name: 'Resume' }));
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => {
      const doc = data.read('controls', 'queue');
      expect(doc?.ok && doc.data.drainedServers).toEqual([]);
    });
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
