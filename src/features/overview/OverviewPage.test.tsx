import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { T0, breaker, controls, leader, rollup, server, stats } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { OverviewPage } from './OverviewPage';

describe('OverviewPage', () => {
  it('shows queue depth, throughput, latency, breakers, servers and leader from small state documents', async () => {
    const data = new FakeData();
    data.put('stats', 'queue', stats({ inFlight: 5, throughputPerMin: 42.5, successRate: 0.9, p50Ms: 1_200, p95Ms: 4_800, firestoreOpsPerJob: 9.5 }));
    data.put('breakers', 'gemini-2.5-flash', breaker({ state: 'half_open' }));
    data.put('servers', 'srv-a', server({ serverId: 'srv-a' }));
    data.put('servers', 'srv-b', server({ serverId: 'srv-b', heartbeatAt: T0 - 120_000 }));
    data.put('leader', 'current', leader({ holder: 'srv-a', term: 4 }));
    data.put('controls', 'queue', controls({ paused: true, reason: 'maintenance' }));
    data.put('analytics', 'minute_x', rollup({ periodStart: T0 - 60_000, counters: { succeeded: 9, failed: 1 } }));
    renderPage(<OverviewPage />, { data });

    expect(await screen.findByTestId('stat-in-flight')).toHaveTextContent('5');
    expect(screen.getByTestId('stat-throughput')).toHaveTextContent('42.5');
    expect(screen.getByTestId('stat-success-rate')).toHaveTextContent('90.0%');
    expect(screen.getByTestId('stat-p95')).toHaveTextContent('4.8 s');
    expect(screen.getByTestId('stat-ops-per-job')).toHaveTextContent('9.5');
    expect(within(screen.getByTestId('depth-by-priority')).getByText('high').nextSibling).toHaveTextContent('2');
    expect(screen.getByTestId('overview-breaker-gemini-2.5-flash')).toHaveAttribute('data-state', 'half_open');
    expect(screen.getByTestId('stat-active-servers')).toHaveTextContent('1');
    expect(screen.getByTestId('stat-leader')).toHaveTextContent('srv-a');
    expect(screen.getByTestId('stat-leader')).toHaveTextContent('term 4');
    expect(screen.getByTestId('paused-banner')).toHaveTextContent('The whole queue is paused (maintenance)');
    expect(within(screen.getByTestId('recent-card')).getByText('10')).toBeInTheDocument();
  });

  it('shows dead letters as a red link to the job list filtered to them, other statuses as chips', async () => {
    const data = new FakeData();
    data.put('stats', 'queue', stats({ byStatus: { queued: 3, dead_lettered: 4 } }));
    renderPage(<OverviewPage />, { data });
    const link = await screen.findByTestId('overview-dead-letters');
    expect(link).toHaveTextContent('dead lettered: 4');
    expect(link).toHaveAttribute('href', '/queues?status=dead_lettered');
    expect(within(screen.getByTestId('depth-by-status')).getAllByRole('link')).toHaveLength(1);
  });

  it('opens ONE listener per document however many widgets read it', async () => {
    const data = new FakeData();
    data.put('stats', 'queue', stats());
    const { bridge } = renderPage(<OverviewPage />, { data });
    await screen.findByTestId('stat-in-flight');
    // stats, controls, breakers, servers, leader, rollups: six sources, six listeners
    expect(data.watchers.size).toBe(6);
    expect(bridge.openListeners()).toBe(6);
  });

  it('shows an empty state before the leader has written stats, and invalid documents as error rows', async () => {
    const data = new FakeData();
    data.putRaw('breakers', 'bad', { model: 42 });
    renderPage(<OverviewPage />, { data });
    expect(await screen.findByText(/No queue statistics yet/)).toBeInTheDocument();
    expect(await screen.findByTestId('invalid-row')).toHaveTextContent('bad');
  });

  it('surfaces a listener error with a retry that re-subscribes', async () => {
    const data = new FakeData();
    data.put('stats', 'queue', stats());
    renderPage(<OverviewPage />, { data });
    await screen.findByTestId('stat-in-flight');
    data.breakListeners('stats', Object.assign(new Error('Missing or insufficient permissions.'), { code: 'permission-denied' }));
    const alert = await screen.findByText(/Could not load queue stats/);
    expect(alert).toBeInTheDocument();
    // last data stays visible under the error
    expect(screen.getByTestId('stat-in-flight')).toBeInTheDocument();
    const before = data.watchCalls;
    within(alert.closest('[role="alert"]') as HTMLElement).getByRole('button', { name: 'Retry' }).click();
    await screen.findByTestId('stat-in-flight');
    expect(data.watchCalls).toBe(before + 1);
  });
});
