import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { T0, leader, server, stats } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { ServersPage } from './ServersPage';

describe('ServersPage', () => {
  it('shows heartbeat age, limits, the leader badge with its term, and flags stale servers', async () => {
    const data = new FakeData();
    data.put('servers', 'srv-a', server({ serverId: 'srv-a', heartbeatAt: T0 - 2_000, inFlight: 3, concurrencyLimit: 6, version: '1.2.3' }));
    data.put('servers', 'srv-b', server({ serverId: 'srv-b', heartbeatAt: T0 - 60_000 }));
    data.put('leader', 'current', leader({ holder: 'srv-a', term: 7, expiresAt: T0 + 10_000 }));
    renderPage(<ServersPage />, { data });
    const a = await screen.findByTestId('server-row-srv-a');
    expect(a).toHaveAttribute('data-stale', 'false');
    expect(a).toHaveTextContent('2.0 s');
    expect(a).toHaveTextContent('6 / max 4');
    expect(a).toHaveTextContent('1.2.3');
    expect(within(a).getByTestId('leader-badge')).toHaveTextContent('leader · term 7');
    const b = screen.getByTestId('server-row-srv-b');
    expect(b).toHaveAttribute('data-stale', 'true');
    expect(within(b).getByTestId('stale-badge')).toBeInTheDocument();
    expect(within(b).queryByTestId('leader-badge')).toBeNull();
  });

  it("shows each server's budget slice per model: leased, expired, or provisional before the leader allocates", async () => {
    const data = new FakeData();
    const slice = (model: string, o: { concurrency: number; term: number; expiresAt: number; rpm?: number; tpm?: number }) => ({
      model,
      concurrency: o.concurrency,
      requestsPerMinute: o.rpm ?? 0,
      tokensPerMinute: o.tpm ?? 0,
      term: o.term,
      expiresAt: o.expiresAt,
    });
    data.put('servers', 'srv-a', server({ serverId: 'srv-a', budget: { m1: slice('m1', { concurrency: 3, term: 7, expiresAt: T0 + 5_000, rpm: 40.6, tpm: 90_000 }) } }));
    data.put('servers', 'srv-b', server({ serverId: 'srv-b', budget: { m1: slice('m1', { concurrency: 1, term: 7, expiresAt: T0 - 1_000 }) } }));
    data.put('servers', 'srv-c', server({ serverId: 'srv-c', budget: { m1: slice('m1', { concurrency: 2, term: 0, expiresAt: 0 }) } }));
    data.put('servers', 'srv-d', server({ serverId: 'srv-d' }));
    renderPage(<ServersPage />, { data });
    const a = await screen.findByTestId('budget-srv-a');
    expect(a).toHaveTextContent('m1 3 slots · 40 req/min · 90,000 tok/min');
    expect(a).not.toHaveTextContent(/expired|provisional/);
    expect(screen.getByTestId('budget-srv-b')).toHaveTextContent('m1 1 slot expired');
    expect(screen.getByTestId('budget-srv-c')).toHaveTextContent('m1 2 slots provisional');
    expect(screen.getByTestId('budget-srv-d')).toHaveTextContent('none');
  });

  it("judges staleness by the fleet's published serverTimeoutMs, as the leader does, not by a multiple of the interval", async () => {
    const data = new FakeData();
    // 30 s silent at a 5 s interval: 6 intervals missed, but inside the fleet's 60 s timeout.
    data.put('servers', 'srv-a', server({ serverId: 'srv-a', heartbeatAt: T0 - 30_000, heartbeatIntervalMs: 5_000 }));
    data.put('servers', 'srv-b', server({ serverId: 'srv-b', heartbeatAt: T0 - 61_000, heartbeatIntervalMs: 5_000 }));
    data.put('stats', 'queue', stats({ serverLiveness: { serverTimeoutMs: 60_000, heartbeatIntervalMs: 5_000 } }));
    renderPage(<ServersPage />, { data });
    expect(await screen.findByTestId('server-row-srv-a')).toHaveAttribute('data-stale', 'false');
    expect(screen.getByTestId('server-row-srv-b')).toHaveAttribute('data-stale', 'true');
    expect(screen.getByText(/server timeout \(1 min/)).toBeInTheDocument();
    // A leader with a shorter timeout publishes it: the same heartbeat is stale now.
    data.put('stats', 'queue', stats({ serverLiveness: { serverTimeoutMs: 25_000, heartbeatIntervalMs: 5_000 } }));
    await waitFor(() => expect(screen.getByTestId('server-row-srv-a')).toHaveAttribute('data-stale', 'true'));
  });

  it('judges staleness in Firestore time, not by a skewed browser clock', async () => {
    const data = new FakeData();
    // Browser clock is 5 minutes fast: by the raw clock every heartbeat looks stale.
    const skew = 5 * 60_000;
    data.put('servers', 'srv-a', server({ serverId: 'srv-a', heartbeatAt: T0 - 1_000 }));
    const { context } = renderPage(<ServersPage />, { data, now: T0 + skew });
    context.serverClock.observe(T0 - 500, T0 + skew - 300);
    data.put('servers', 'srv-a', server({ serverId: 'srv-a', heartbeatAt: T0 - 1_000, inFlight: 2 }));
    const row = await screen.findByTestId('server-row-srv-a');
    expect(row).toHaveAttribute('data-stale', 'false');
  });

  it('says when no leader is elected and when there are no servers', async () => {
    renderPage(<ServersPage />, { data: new FakeData() });
    expect(await screen.findByText('No leader elected yet.')).toBeInTheDocument();
    expect(screen.getByText(/No worker has registered yet/)).toBeInTheDocument();
  });
});
