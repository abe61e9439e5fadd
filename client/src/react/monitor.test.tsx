import { createQueueClient } from '@fq/client';
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { T0, breaker, job, leaderLease, memoryStorage, rateLimit, server, stats } from '../test/factories.js';
import { FakeStore } from '../test/fakeStore.js';
import { TranscriptionQueueProvider } from './context.js';
import { EnterpriseQueueMonitor, useQueueMonitor } from './monitor.js';

/** The leader's fleet summary: who is there, in which state (no load: that is fetched). */
const summary = (servers: [string, 'active' | 'draining'][], changedAt = T0 - 30_000) => ({
  servers: servers.map(([serverId, state]) => ({ serverId, state, version: '0.1.0', startedAt: T0 - 60_000 })),
  changedAt,
});

function fleet(): FakeStore {
  const data = new FakeStore();
  data.serverNow = () => T0;
  data.put(
    'stats',
    'queue',
    stats({
      byStatus: { queued: 3, running: 1, succeeded: 20 },
      queuedByPriority: { urgent: 1, high: 0, normal: 2, low: 0 },
      successRate: 0.95,
      throughputPerMin: 7.5,
      fleet: summary([['srv-a', 'active']]),
    }),
  );
  data.put('leader', 'current', leaderLease({ holder: 'srv-a', term: 4 }));
  data.put('servers', 'srv-a', server({ serverId: 'srv-a', inFlight: 1, concurrencyLimit: 4 }));
  data.put('breakers', 'gemini-2.5-flash', breaker({ state: 'closed' }));
  data.put('rateLimits', 'heavy-user', rateLimit({ userId: 'heavy-user', limit: 10, burst: 2, count: 8, remaining: 4, resetAt: T0 + 30_000 }));
  data.put('jobs', 'dead-1', job({ status: 'dead_lettered', userId: 'alice', errors: [{ at: T0, attempt: 5, errorClass: 'overloaded', message: 'model overloaded' }] }));
  return data;
}

afterEach(cleanup);

const attr = (el: Element | null, name: string) => el?.getAttribute(name) ?? null;
const text = (el: Element | null | undefined) => el?.textContent ?? null;
const section = (name: string) => document.querySelector(`.fq-monitor [data-section="${name}"]`) as HTMLElement;

describe('EnterpriseQueueMonitor', () => {
  it("renders as the document embeds it (no props) with the provider's client, and follows the fleet live", async () => {
    const data = fleet();
    const client = createQueueClient({ store: data, userId: 'admin-1', storage: memoryStorage(), clock: { now: () => T0 }, tickMs: 0 });
    render(
      <TranscriptionQueueProvider client={client}>
        <h1>System Administration</h1>
        <EnterpriseQueueMonitor tickMs={0} />
      </TranscriptionQueueProvider>,
    );
    const root = await screen.findByRole('region', { name: 'Transcription queue' });
    // Loading until the server documents' fetch answers.
    await waitFor(() => expect(attr(root, 'data-loading')).toBe('false'));
    expect(attr(root, 'data-servers')).toBe('1');
    expect(attr(root, 'data-queue-size')).toBe('3');
    expect(attr(root, 'data-breaker')).toBe('closed');
    expect(attr(root, 'data-paused')).toBe('false');
    expect(text(within(section('servers')).getByTestId('fq-monitor-active-servers'))).toBe('1');
    expect(text(within(section('servers')).getByTestId('fq-monitor-lost-servers'))).toBe('0');
    expect(text(within(section('servers')).getByTestId('fq-monitor-leader'))).toBe('srv-a');
    expect(text(section('servers').querySelector('[data-figure="leader"]'))).toBe('Leader' + 'srv-a' + 'term 4');
    expect(text(section('servers').querySelector('[data-server-id="srv-a"]'))).toContain('srv-a' + 'active' + '1/4' + '1 s ago');
    expect(text(within(section('queue')).getByRole('table', { name: 'Queued by priority' }))).toContain('urgent1high0normal2low0');
    expect(text(section('status').querySelector('[data-status="succeeded"]'))).toBe('succeeded 20');
    expect(text(within(section('performance')).getByTestId('fq-monitor-success-rate'))).toBe('95%');
    // The leader's throughput says what it counts and whose window it is (the console's
    // Overview shows the Analytics page's, over the window it states).
    expect(text(within(section('performance')).getByTestId('fq-monitor-throughput'))).toBe('7.5');
    expect(text(section('performance').querySelector('[data-figure="throughput"]'))).toBe('Throughput' + '7.5' + "completed jobs/min, the leader's last 5 min");
    expect(text(section('rate-limits').querySelector('[data-user-id="heavy-user"]'))).toContain('heavy-user' + '8/12' + '4');
    expect(text(section('dead-letters').querySelector('[data-request-id="dead-1"]'))).toContain('model overloaded');
    // Self-contained styles, scoped to the monitor.
    expect(root.querySelector('style')?.textContent).toContain('.fq-monitor{');

    // A server joins: the leader's summary lists it at once, its load follows the fetch that
    // the summary's change sets off.
    act(() => {
      data.put('servers', 'srv-b', server({ serverId: 'srv-b', state: 'draining', inFlight: 2, concurrencyLimit: 8 }));
      data.put('stats', 'queue', stats({ byStatus: { queued: 0, running: 0 }, fleet: summary([['srv-a', 'active'], ['srv-b', 'draining']], T0 + 1) }));
      data.put('breakers', 'gemini-2.5-flash', breaker({ state: 'open' }));
    });
    expect(attr(root, 'data-servers')).toBe('2');
    expect(attr(root, 'data-queue-size')).toBe('0');
    expect(attr(root, 'data-breaker')).toBe('open');
    const srvB = () => section('servers').querySelector('[data-server-id="srv-b"]');
    expect(attr(srvB(), 'data-state')).toBe('draining');
    expect(text(srvB())).toBe('srv-b' + 'draining' + '—/—' + '—');
    await waitFor(() => expect(text(srvB())).toContain('2/8'));
    // Two fetches of the server documents, no listener on them.
    expect(data.getsOf('servers')).toHaveLength(2);
    expect([...data.watchers].some((w) => w.ref.collection === 'servers')).toBe(false);
  });

  it('takes a store (or the Firestore the host initialised) without a provider, unstyled on request', async () => {
    const data = fleet();
    render(<EnterpriseQueueMonitor store={data} now={() => T0} tickMs={0} unstyled title="Queue" className="host-card" />);
    const root = screen.getByRole('region', { name: 'Queue' });
    expect(root.className).toBe('fq-monitor host-card');
    await waitFor(() => expect(attr(root, 'data-servers')).toBe('1'));
    expect(root.querySelector('style')).toBeNull();
  });

  it('says which reads the rules refused (a user who is not an admin) and shows the rest', async () => {
    const data = fleet();
    data.refuseGets('servers', new Error('Missing or insufficient permissions.'));
    render(<EnterpriseQueueMonitor store={data} now={() => T0} tickMs={0} />);
    act(() => data.breakListeners('breakers', new Error('Missing or insufficient permissions.')));
    await waitFor(() => expect(screen.getAllByRole('alert').map(text)).toContain('Cannot read servers: Missing or insufficient permissions.'));
    expect(screen.getAllByRole('alert').map(text)).toContain('Cannot read breakers: Missing or insufficient permissions.');
    expect(text(within(section('queue')).getByTestId('fq-monitor-queue-size'))).toContain('3');
    // The summary still names the servers.
    expect(attr(section('servers').querySelector('[data-server-id="srv-a"]'), 'data-state')).toBe('active');
  });

  it('fetches the load every serverRefreshMs, shows the fleet without a summary, and ages heartbeats without a fetch', async () => {
    vi.useFakeTimers({ now: T0 });
    try {
      const data = fleet();
      // A stats document from a fleet older than the summary: the fetched documents alone.
      data.put('stats', 'queue', stats({ fleet: null }));
      render(<EnterpriseQueueMonitor store={data} now={() => Date.now()} tickMs={1_000} serverRefreshMs={10_000} />);
      await act(() => vi.advanceTimersByTimeAsync(0));
      const root = screen.getByRole('region', { name: 'Transcription queue' });
      const srvA = () => section('servers').querySelector('[data-server-id="srv-a"]');
      expect(attr(root, 'data-servers')).toBe('1');
      expect(text(srvA())).toContain('1/4' + '1 s ago');

      // Heartbeats land unread; the age grows on the tick; the next fetch shows the new load.
      data.put('servers', 'srv-a', server({ serverId: 'srv-a', inFlight: 3, heartbeatAt: T0 + 4_000 }));
      await act(() => vi.advanceTimersByTimeAsync(5_000));
      expect(text(srvA())).toContain('1/4' + '6 s ago');
      expect(data.getsOf('servers')).toHaveLength(1);
      await act(() => vi.advanceTimersByTimeAsync(5_000));
      expect(text(srvA())).toContain('3/4' + '6 s ago');
      expect(data.getsOf('servers')).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says it has nothing to read instead of throwing when given no source', () => {
    render(<EnterpriseQueueMonitor />);
    expect(text(screen.getByRole('alert'))).toContain('no queue to monitor');
  });
});

describe('useQueueMonitor', () => {
  it('gives the snapshot for a custom view', () => {
    const data = fleet();
    // `stats.servers.length` (the design document's example) counts the live servers.
    function Count() {
      const snapshot = useQueueMonitor({ store: data, now: () => T0, tickMs: 0 });
      return <output>{snapshot ? `${snapshot.stats.servers.length} servers, ${snapshot.stats.queueStats.totalInQueue} queued` : 'loading'}</output>;
    }
    render(<Count />);
    expect(text(screen.getByRole('status'))).toContain('1 servers, 3 queued');
  });
});
