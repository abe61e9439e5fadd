import { queueMonitorSnapshot } from '@fq/client';
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { T0, breaker, leaderLease, stats } from '../test/factories.js';
import { FakeStore } from '../test/fakeStore.js';
import { EnterpriseQueueMonitor } from './monitor.js';
import {
  MonitorBreakers,
  MonitorPerformance,
  MonitorPriorities,
  MonitorQueue,
  MonitorServerList,
  MonitorServers,
  MonitorStatuses,
  type MonitorLink,
  type MonitorPartOptions,
} from './monitorParts.js';

afterEach(cleanup);

const text = (el: Element | null | undefined) => el?.textContent ?? null;
const figure = (name: string, root: ParentNode = document) => root.querySelector(`[data-figure="${name}"]`);

/** The leader's summary: two active, one draining, one declared lost. */
const summary = {
  servers: (
    [
      ['srv-a', 'active'],
      ['srv-b', 'active'],
      ['srv-c', 'draining'],
      ['srv-dead', 'lost'],
    ] as const
  ).map(([serverId, state]) => ({ serverId, state, version: '0.1.0', startedAt: T0 - 60_000 })),
  changedAt: T0 - 30_000,
};

/**
 * A snapshot from documents a host reads itself (as the console's Overview does, through its
 * own listeners): no server document, so no load figures and no fetch.
 */
function hostSnapshot() {
  return queueMonitorSnapshot(
    {
      stats: stats({
        byStatus: { queued: 1_200, waiting: 3, running: 4, succeeded: 95, dead_lettered: 2 },
        queuedByPriority: { urgent: 1, high: 2, normal: 1_197, low: 0 },
        inFlight: 4,
        successRate: 0.9444,
        throughputPerMin: 62,
        p50Ms: 1_200,
        p95Ms: 75_000,
        firestoreOpsPerJob: 9.25,
        oldestQueuedAt: T0 - 90_000,
        pausedPriorities: ['low'],
        fleet: summary,
      }),
      leader: leaderLease({ holder: 'srv-a', term: 4, expiresAt: T0 + 10_000 }),
      breakers: [
        { id: 'model-a', data: breaker({ model: 'model-a', state: 'half_open' }) },
        { id: 'model-b', data: breaker({ model: 'model-b', state: 'closed', override: 'force_closed' }) },
      ],
    },
    T0,
  );
}

/** A host's look: its classes and its own number formats. */
const hostLook: MonitorPartOptions = {
  classNames: { figures: 'host-grid', figure: 'host-stat', label: 'host-label', value: 'host-value', hint: 'host-hint', leader: 'host-mono', list: 'host-chips', item: 'host-chip', state: 'host-badge', table: 'host-table' },
  format: {
    number: (v, digits) => v.toLocaleString('en-US', { maximumFractionDigits: digits }),
    percent: (r) => `${(r * 100).toFixed(1)}%`,
    duration: (v) => `${Math.round(v / 1_000)}s`,
  },
};

describe("the monitor's parts, placed by a host", () => {
  it('render the figures from a snapshot of documents the host read, in its classes and formats, with no stylesheet', () => {
    const snapshot = hostSnapshot();
    const { container } = render(
      <main>
        <MonitorQueue snapshot={snapshot} {...hostLook} />
        <MonitorPerformance snapshot={snapshot} {...hostLook} />
        <MonitorServers snapshot={snapshot} {...hostLook} />
      </main>,
    );
    expect(container.querySelector('style')).toBeNull();
    expect(text(screen.getByTestId('fq-monitor-queue-size'))).toBe('1,203');
    expect(text(figure('queue-size'))).toBe('In queue' + '1,203' + 'paused: low');
    expect(text(screen.getByTestId('fq-monitor-in-flight'))).toBe('4');
    expect(text(screen.getByTestId('fq-monitor-oldest-queued'))).toBe('90s');
    expect(text(screen.getByTestId('fq-monitor-success-rate'))).toBe('94.4%');
    expect(text(screen.getByTestId('fq-monitor-p95'))).toBe('75s');
    expect(text(screen.getByTestId('fq-monitor-ops-per-job'))).toBe('9.3');
    // Counts from the leader's summary, the leader from its lease.
    expect(text(screen.getByTestId('fq-monitor-active-servers'))).toBe('2');
    expect(text(screen.getByTestId('fq-monitor-draining-servers'))).toBe('1');
    expect(text(screen.getByTestId('fq-monitor-lost-servers'))).toBe('1');
    expect(text(figure('leader'))).toBe('Leader' + 'srv-a' + 'term 4');

    // The host's classes beside the parts' own.
    const leader = screen.getByTestId('fq-monitor-leader');
    expect(leader.className).toBe('fq-monitor__figure fq-monitor__leader host-mono');
    expect(screen.getByTestId('fq-monitor-p50').className).toBe('fq-monitor__figure host-value');
    expect(figure('p50')!.className).toBe('fq-monitor__stat host-stat');
    expect(figure('p50')!.parentElement!.className).toBe('fq-monitor__figures host-grid');
    expect(figure('p50')!.querySelector('dt')!.className).toBe('fq-monitor__label host-label');
    expect(figure('queue-size')!.querySelector('.fq-monitor__hint')!.className).toBe('fq-monitor__hint host-hint');
  });

  it("take the host's own throughput in place of the leader's, and the host's figures after theirs", () => {
    const snapshot = hostSnapshot();
    render(
      <MonitorPerformance snapshot={snapshot} throughput={<div data-testid="host-throughput">28.87 completed jobs/min, last 15 min</div>}>
        <div data-testid="host-extra">Fleet concurrency 16</div>
      </MonitorPerformance>,
    );
    // Not the leader's 62/min over its own window: only the host's figure.
    expect(screen.queryByTestId('fq-monitor-throughput')).toBeNull();
    expect(text(screen.getByTestId('host-throughput'))).toContain('28.87');
    const figures = screen.getByTestId('fq-monitor-success-rate').closest('dl')!;
    expect([...figures.children].map((c) => c.getAttribute('data-figure') ?? c.getAttribute('data-testid'))).toEqual([
      'success-rate',
      'host-throughput',
      'p50',
      'p95',
      'ops-per-job',
      'host-extra',
    ]);
  });

  it('link the statuses the host links (a router link around the entry), and list breakers with their overrides', () => {
    const snapshot = hostSnapshot();
    const link: MonitorLink = (target, children) =>
      target.status === 'dead_lettered' && target.count > 0 ? (
        <a href="/jobs?status=dead_lettered" className="host-alarm">
          {children}
        </a>
      ) : null;
    render(
      <>
        <MonitorStatuses snapshot={snapshot} link={link} {...hostLook} />
        <MonitorBreakers snapshot={snapshot} {...hostLook} />
        <MonitorPriorities snapshot={snapshot} {...hostLook} />
      </>,
    );
    const statuses = screen.getByRole('list', { name: 'Jobs by status' });
    expect(within(statuses).getAllByRole('link')).toHaveLength(1);
    expect(text(within(statuses).getByRole('link'))).toBe('dead lettered 2');
    expect(within(statuses).getByRole('link').getAttribute('href')).toBe('/jobs?status=dead_lettered');
    expect(text(statuses.querySelector('[data-status="queued"]'))).toBe('queued 1,200');
    expect(statuses.querySelector('[data-status="queued"]')!.className).toBe('fq-monitor__item host-chip');

    expect(text(screen.getByTestId('fq-monitor-breaker'))).toBe('half-open');
    expect(screen.getByTestId('fq-monitor-breaker').getAttribute('data-state')).toBe('half_open');
    expect(screen.getByTestId('fq-monitor-breaker-model-a').getAttribute('data-state')).toBe('half_open');
    expect(text(screen.getByTestId('fq-monitor-breaker-model-b'))).toBe('model-b closed forced closed');
    expect(screen.getByTestId('fq-monitor-breaker-model-b').querySelector('[data-override]')!.className).toBe('fq-monitor__state host-badge');

    const priorities = screen.getByRole('table', { name: 'Queued by priority' });
    expect(priorities.classList.contains('host-table')).toBe(true);
    expect(text(priorities.querySelector('[data-priority="normal"] td'))).toBe('1,197');
  });

  it('say what they do not know: no counts before anything said who is there, no live leader, no breaker yet, no list without servers', () => {
    const snapshot = queueMonitorSnapshot({ stats: stats({ fleet: null }), leader: leaderLease({ holder: 'srv-a', term: 4, expiresAt: T0 - 1 }), breakers: [] }, T0);
    render(
      <>
        <MonitorServers snapshot={snapshot} />
        <MonitorServerList snapshot={snapshot} />
        <MonitorBreakers snapshot={snapshot} />
      </>,
    );
    expect(text(screen.getByTestId('fq-monitor-active-servers'))).toBe('—');
    expect(text(screen.getByTestId('fq-monitor-lost-servers'))).toBe('—');
    // The lease ran out: nobody leads (the rule `getEnterpriseStats()` applies).
    expect(text(figure('leader'))).toBe('Leader' + 'none' + 'no live lease (term 4)');
    expect(screen.queryByRole('table', { name: 'Live servers' })).toBeNull();
    expect(screen.getByText('No breaker documents yet.')).toBeTruthy();
    expect(text(screen.getByTestId('fq-monitor-breaker'))).toBe('closed');
  });
});

describe('EnterpriseQueueMonitor is its parts', () => {
  it('in its cards, with a host look passed to every part', async () => {
    const data = new FakeStore();
    data.put('stats', 'queue', stats({ byStatus: { queued: 2 }, successRate: 0.5, fleet: summary }));
    render(<EnterpriseQueueMonitor store={data} now={() => T0} tickMs={0} unstyled format={{ percent: (r) => `${r * 100} percent` }} classNames={{ value: 'host-value' }} />);
    const root = screen.getByRole('region', { name: 'Transcription queue' });
    const card = (section: string) => root.querySelector(`.fq-monitor__card[data-section="${section}"]`)!;
    expect(text(await within(card('performance') as HTMLElement).findByTestId('fq-monitor-success-rate'))).toBe('50 percent');
    expect(within(card('queue') as HTMLElement).getByTestId('fq-monitor-queue-size').classList.contains('host-value')).toBe(true);
    expect(text(within(card('servers') as HTMLElement).getByTestId('fq-monitor-lost-servers'))).toBe('1');
    expect(within(card('queue') as HTMLElement).getByRole('table', { name: 'Queued by priority' })).toBeTruthy();
    expect(within(card('status') as HTMLElement).getByRole('list', { name: 'Jobs by status' })).toBeTruthy();
    expect(within(card('breaker') as HTMLElement).getByTestId('fq-monitor-breaker')).toBeTruthy();
  });
});
