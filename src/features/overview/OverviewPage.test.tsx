import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { T0, breaker, controls, leader, rollup, stats } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { AnalyticsPage } from '../analytics/AnalyticsPage';
import { OverviewPage } from './OverviewPage';

describe('OverviewPage', () => {
  it('shows queue depth, throughput, latency, breakers, servers and leader from small state documents', async () => {
    const data = new FakeData();
    // The leader's fleet summary: srv-a active, srv-b declared lost (silent beyond the timeout).
    const fleet = {
      servers: [
        { serverId: 'srv-a', state: 'active' as const, version: '0.1.0', startedAt: T0 - 60_000 },
        { serverId: 'srv-b', state: 'lost' as const, version: '0.1.0', startedAt: T0 - 60_000 },
      ],
      changedAt: T0,
    };
    data.put('stats', 'queue', stats({ inFlight: 5, throughputPerMin: 42.5, successRate: 0.9, p50Ms: 1_200, p95Ms: 4_800, firestoreOpsPerJob: 9.5, fleet }));
    data.put('breakers', 'gemini-2.5-flash', breaker({ state: 'half_open' }));
    data.put('leader', 'current', leader({ holder: 'srv-a', term: 4 }));
    data.put('controls', 'queue', controls({ paused: true, reason: 'maintenance' }));
    data.put('analytics', 'minute_x', rollup({ periodStart: T0 - 60_000, counters: { succeeded: 9, failed: 1 } }));
    renderPage(<OverviewPage />, { data });

    // The embeddable monitor's figures (its parts, its ids), in the console's formats.
    expect(await screen.findByTestId('fq-monitor-in-flight')).toHaveTextContent('5');
    // Not the leader's 42.5 (its own window, for ETAs), which the monitor shows elsewhere: the
    // 15 minute figure from the rollups, in its place.
    expect(screen.getByTestId('stat-throughput')).toHaveTextContent('0.71');
    expect(screen.getByTestId('stat-throughput')).toHaveTextContent(/completed jobs\/min, last 15 min \(since \d\d:\d\d \S+\)/);
    expect(screen.queryByTestId('fq-monitor-throughput')).toBeNull();
    expect(screen.getByTestId('fq-monitor-success-rate')).toHaveTextContent('90.0%');
    expect(screen.getByTestId('fq-monitor-p95')).toHaveTextContent('4.8 s');
    expect(screen.getByTestId('fq-monitor-ops-per-job')).toHaveTextContent('9.5');
    expect(within(screen.getByTestId('fq-monitor-priorities')).getByText('high').nextSibling).toHaveTextContent('2');
    expect(screen.getByTestId('fq-monitor-breaker-gemini-2.5-flash')).toHaveAttribute('data-state', 'half_open');
    expect(screen.getByTestId('fq-monitor-breaker')).toHaveTextContent('half-open');
    expect(screen.getByTestId('fq-monitor-active-servers')).toHaveTextContent('1');
    expect(screen.getByTestId('fq-monitor-lost-servers')).toHaveTextContent('1');
    expect(screen.getByTestId('fq-monitor-leader')).toHaveTextContent('srv-a');
    expect(screen.getByTestId('fq-monitor-leader').parentElement).toHaveTextContent('term 4');
    expect(screen.getByTestId('stat-fleet-concurrency')).toBeInTheDocument();
    expect(screen.getByTestId('paused-banner')).toHaveTextContent('The whole queue is paused (maintenance)');
    expect(within(screen.getByTestId('recent-card')).getByText('10')).toBeInTheDocument();
  });

  it('shows the same throughput as the Analytics page for the same window, and the rollup lag', async () => {
    const data = new FakeData();
    data.put('stats', 'queue', stats({ throughputPerMin: 62 }));
    // 433 jobs in the last 7 minutes of the window (the case).
    for (let i = 0; i < 7; i++) {
      data.put('analytics', `minute_${i}`, rollup({ periodStart: T0 - (6 - i) * 60_000, counters: { succeeded: i < 6 ? 62 : 61 }, updatedAt: T0 + 20_000 }));
    }
    const now = T0 + 30_000;
    renderPage(<OverviewPage />, { data, now });
    expect(await screen.findByTestId('recent-completed')).toHaveTextContent('433');
    const overview = screen.getByTestId('stat-throughput').textContent;
    expect(screen.getByTestId('overview-lag')).toHaveTextContent(/^Data up to \d\d:\d\d:\d\d \S+, ~10 s behind/);
    cleanup();
    renderPage(<AnalyticsPage />, { data, now });
    const analytics = await screen.findByTestId('summary-throughput');
    // 433 over 14.5 minutes, not 62 (the leader's) and not 433 / 15.
    expect(analytics).toHaveTextContent('29.86');
    expect(analytics.textContent).toBe(overview);
    expect(screen.getByTestId('analytics-lag')).toHaveTextContent('~10 s behind');
  });

  it("counts servers per state and judges the leader's lease as the embeddable monitor does", async () => {
    const data = new FakeData();
    const fleet = {
      servers: (
        [
          ['srv-a', 'active'],
          ['srv-b', 'draining'],
          ['srv-c', 'draining'],
        ] as const
      ).map(([serverId, state]) => ({ serverId, state, version: '0.1.0', startedAt: T0 - 60_000 })),
      changedAt: T0,
    };
    data.put('stats', 'queue', stats({ fleet }));
    // The lease ran out 1 s ago: nobody leads until the next election (getEnterpriseStats' rule).
    data.put('leader', 'current', leader({ holder: 'srv-a', term: 4, expiresAt: T0 - 1_000 }));
    renderPage(<OverviewPage />, { data });
    expect(await screen.findByTestId('fq-monitor-draining-servers')).toHaveTextContent('2');
    expect(screen.getByTestId('fq-monitor-active-servers')).toHaveTextContent('1');
    expect(screen.getByTestId('fq-monitor-lost-servers')).toHaveTextContent('0');
    await waitFor(() => expect(screen.getByTestId('fq-monitor-leader')).toHaveTextContent('none'));
    expect(screen.getByTestId('fq-monitor-leader').parentElement).toHaveTextContent('no live lease (term 4)');
  });

  it('shows dead letters as a red link to the job list filtered to them, other statuses as chips', async () => {
    const data = new FakeData();
    data.put('stats', 'queue', stats({ byStatus: { queued: 3, dead_lettered: 4 } }));
    renderPage(<OverviewPage />, { data });
    const link = await screen.findByTestId('overview-dead-letters');
    expect(link).toHaveTextContent('dead lettered 4');
    expect(link).toHaveAttribute('href', '/queues?status=dead_lettered');
    expect(within(screen.getByTestId('fq-monitor-statuses')).getAllByRole('link')).toHaveLength(1);
  });

  it('opens ONE listener per document however many widgets read it', async () => {
    const data = new FakeData();
    data.put('stats', 'queue', stats());
    const { bridge } = renderPage(<OverviewPage />, { data });
    await screen.findByTestId('fq-monitor-in-flight');
    // stats (with the fleet summary: no server document), controls, breakers, leader, rollups:
    // five sources, five listeners
    expect(data.watchers.size).toBe(5);
    expect(bridge.openListeners()).toBe(5);
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
    await screen.findByTestId('fq-monitor-in-flight');
    data.breakListeners('stats', Object.assign(new Error('Missing or insufficient permissions.'), { code: 'permission-denied' }));
    const alert = await screen.findByText(/Could not load queue stats/);
    expect(alert).toBeInTheDocument();
    // last data stays visible under the error
    expect(screen.getByTestId('fq-monitor-in-flight')).toBeInTheDocument();
    const before = data.watchCalls;
    within(alert.closest('[role="alert"]') as HTMLElement).getByRole('button', { name: 'Retry' }).click();
    await screen.findByTestId('fq-monitor-in-flight');
    expect(data.watchCalls).toBe(before + 1);
  });
});
