import type { CollectionKey, FleetSummary, ServerDoc } from '@fq/worker/schema';
import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DocSpec } from '../../data/specs';
import { ClockProvider, type UiClock } from '../../lib/clock';
import { T0, leader, server, stats } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { SERVER_LOAD_POLL_MS } from './health';
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
    expect(await screen.findByText(/No worker has registered yet/)).toBeInTheDocument();
  });
});

/** A fleet summary as the leader writes it from these server documents. */
function summary(changedAt: number, ...servers: ServerDoc[]): FleetSummary {
  return {
    changedAt,
    servers: servers.map((s) => ({ serverId: s.serverId, state: s.state, version: s.version, startedAt: s.startedAt, routing: null })),
  };
}

/** FakeData that also records the single documents read (`getDoc`). */
class CountingData extends FakeData {
  readonly docReads: string[] = [];

  override getDoc<K extends CollectionKey>(spec: DocSpec<K>) {
    this.docReads.push(`${spec.collection}/${spec.id}`);
    return super.getDoc(spec);
  }

  /** Reads of the servers list. */
  get listReads(): number {
    return this.pageCalls.filter((c) => c.spec.collection === 'servers').length;
  }
}

/** A UI clock the test moves: `set` changes the time, and one tick (fake setInterval) renders it. */
function movingClock(start: number) {
  let now = start;
  const clock: UiClock = { now: () => now, tickMs: 1_000 };
  return {
    clock,
    set(at: number) {
      now = at;
      act(() => void vi.advanceTimersByTime(1_000));
    },
  };
}

describe('ServersPage: the fleet from the summary, the load read every 30 s', () => {
  // Only intervals are fake: the poll (TanStack's refetchInterval) and the UI clock's tick.
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] }));
  afterEach(() => void vi.useRealTimers());

  it("lists the servers of the leader's summary in its state, with each one's load from one read of the server documents, no listener", async () => {
    const data = new CountingData();
    const a = server({ serverId: 'srv-a', inFlight: 3, concurrencyLimit: 6, hostname: 'host-a', pid: 11, jobsCompleted: 7, jobsFailed: 2 });
    const b = server({ serverId: 'srv-b', state: 'active', hostname: 'host-b', pid: 12 });
    data.put('servers', 'srv-a', a);
    data.put('servers', 'srv-b', b);
    // The leader saw srv-b start draining; this page's read of its document may be older.
    data.put('stats', 'queue', stats({ fleet: summary(T0, a, { ...b, state: 'draining' }) }));
    renderPage(<ServersPage />, { data });
    const rowA = await screen.findByTestId('server-row-srv-a');
    await waitFor(() => expect(rowA).toHaveTextContent('host-a:11'));
    expect(rowA).toHaveTextContent('6 / max 4');
    expect(rowA).toHaveTextContent('7 / 2');
    expect(screen.getByTestId('server-state-srv-b')).toHaveTextContent(/^draining$/);
    expect(screen.getByTestId('server-row-srv-b')).toHaveTextContent('host-b:12');
    expect(data.listReads).toBe(1);
    expect([...data.watchers].map((w) => w.spec.collection)).not.toContain('servers');
    // A heartbeat changes nothing on the page and costs it nothing.
    data.put('servers', 'srv-a', { ...a, heartbeatAt: T0 + 1, inFlight: 4 });
    expect(rowA).toHaveTextContent('7 / 2');
    expect(data.listReads).toBe(1);
    // The poll reads them again after 30 s.
    act(() => void vi.advanceTimersByTime(SERVER_LOAD_POLL_MS));
    await waitFor(() => expect(data.listReads).toBe(2));
  });

  it('reads the servers again at once when a server joins the summary or the leader changes, and shows a joined one before its document is read', async () => {
    const data = new CountingData();
    const a = server({ serverId: 'srv-a' });
    data.put('servers', 'srv-a', a);
    data.put('leader', 'current', leader({ holder: 'srv-a', term: 3 }));
    data.put('stats', 'queue', stats({ fleet: summary(T0 - 60_000, a) }));
    renderPage(<ServersPage />, { data });
    await waitFor(() => expect(screen.getByTestId('server-row-srv-a')).toHaveTextContent('host-a:100'));
    expect(data.listReads).toBe(1);

    // srv-c registers: the page does not see its document (no listener)...
    const c = server({ serverId: 'srv-c', hostname: 'host-c', pid: 300, inFlight: 2 });
    data.put('servers', 'srv-c', c);
    expect(screen.queryByTestId('server-row-srv-c')).toBeNull();
    // ...until the leader's summary lists it: then it reads the servers at once.
    data.put('stats', 'queue', stats({ fleet: summary(T0, a, c) }));
    await waitFor(() => expect(screen.getByTestId('server-row-srv-c')).toHaveTextContent('host-c:300'));
    expect(data.listReads).toBe(2);

    // A summary listing a server whose document this read did not find yet: its row, its
    // state, and no load.
    const d = server({ serverId: 'srv-d', version: '9.9.9' });
    data.put('stats', 'queue', stats({ fleet: summary(T0 + 1_000, a, c, d) }));
    const rowD = await screen.findByTestId('server-row-srv-d');
    expect(screen.getByTestId('server-state-srv-d')).toHaveTextContent('active');
    expect(rowD).toHaveTextContent('9.9.9');
    expect(rowD).toHaveAttribute('data-stale', 'false');
    expect(within(rowD).getByTestId('budget-srv-d')).toHaveTextContent('—');
    expect(within(rowD).getAllByRole('cell').filter((cell) => cell.textContent === '—')).toHaveLength(6);
    await waitFor(() => expect(data.listReads).toBe(3));

    // A new leader (it may declare servers lost): read again.
    data.put('leader', 'current', leader({ holder: 'srv-c', term: 4 }));
    await waitFor(() => expect(data.listReads).toBe(4));
    // The same stats rewritten (a run that changed nothing in the fleet) costs no read.
    data.put('stats', 'queue', stats({ fleet: summary(T0 + 1_000, a, c, d), throughputPerMin: 50 }));
    await screen.findByText(/leader · term 4/);
    expect(data.listReads).toBe(4);
  });

  it('shows the server documents alone when the stats document has no summary (an older leader), and a document the summary does not list', async () => {
    const data = new CountingData();
    data.put('servers', 'srv-a', server({ serverId: 'srv-a', state: 'draining' }));
    data.put('servers', 'srv-b', server({ serverId: 'srv-b' }));
    data.put('stats', 'queue', stats({ fleet: null }));
    const { unmount } = renderPage(<ServersPage />, { data });
    await waitFor(() => expect(screen.getByTestId('server-state-srv-a')).toHaveTextContent('draining'));
    expect(screen.getByTestId('server-state-srv-b')).toHaveTextContent('active');
    unmount();

    // srv-b registered after the leader's last summary: its document still shows.
    data.put('stats', 'queue', stats({ fleet: summary(T0, server({ serverId: 'srv-a', state: 'lost' })) }));
    renderPage(<ServersPage />, { data });
    await waitFor(() => expect(screen.getByTestId('server-row-srv-b')).toHaveTextContent('host-a:100'));
    // The summary's state wins for a server it lists: the leader declared srv-a lost.
    expect(screen.getByTestId('server-state-srv-a')).toHaveTextContent('lost');
    expect(screen.getByTestId('server-row-srv-a')).toHaveAttribute('data-stale', 'true');
  });

  it('on an idle fleet, a dead server turns stale on time by the age of its last heartbeat: one read of its document, not of the list', async () => {
    const data = new CountingData();
    // Default liveness: 20 s timeout at 5 s heartbeats. srv-a keeps beating, srv-b died 2 s before T0.
    const a = server({ serverId: 'srv-a', heartbeatAt: T0 });
    const b = server({ serverId: 'srv-b', heartbeatAt: T0 - 2_000 });
    data.put('servers', 'srv-a', a);
    data.put('servers', 'srv-b', b);
    data.put('stats', 'queue', stats({ fleet: summary(T0 - 60_000, a, b) }));
    // An idle fleet's leader looks for no lost server: the page judges by itself.
    data.put('leader', 'current', leader({ holder: 'srv-a', expiresAt: T0 + 120_000, idle: true }));
    const time = movingClock(T0);
    renderPage(
      <ClockProvider clock={time.clock}>
        <ServersPage />
      </ClockProvider>,
      { data },
    );
    const rowB = await screen.findByTestId('server-row-srv-b');
    await waitFor(() => expect(rowB).toHaveTextContent('host-a:100'));
    expect(rowB).toHaveAttribute('data-stale', 'false');

    time.set(T0 + 17_000);
    data.put('servers', 'srv-a', { ...a, heartbeatAt: T0 + 15_000 }, false);
    expect(rowB).toHaveTextContent('19 s');
    expect(rowB).toHaveAttribute('data-stale', 'false');
    expect(data.docReads).toEqual([]);

    // srv-b's deadline (T0 + 18 s) passes: the page reads its document once, and its heartbeat has not moved.
    time.set(T0 + 19_000);
    await waitFor(() => expect(rowB).toHaveAttribute('data-stale', 'true'));
    expect(within(rowB).getByTestId('stale-badge')).toBeInTheDocument();
    expect(rowB).toHaveTextContent('21 s');
    expect(data.docReads).toEqual(['servers/srv-b']);

    // srv-a's copy passes its deadline too (T0 + 20 s): one read finds its newer heartbeat, never flagged.
    time.set(T0 + 21_000);
    await waitFor(() => expect(data.docReads).toEqual(['servers/srv-b', 'servers/srv-a']));
    await waitFor(() => expect(screen.getByTestId('server-row-srv-a')).toHaveTextContent('6.0 s'));
    expect(screen.getByTestId('server-row-srv-a')).toHaveAttribute('data-stale', 'false');

    // srv-b comes back (a frozen process thawed) before any leader declared it lost: the page
    // looks again one heartbeat interval after it found it silent, and shows it fresh.
    data.put('servers', 'srv-b', { ...b, heartbeatAt: T0 + 22_000 }, false);
    time.set(T0 + 24_000);
    await waitFor(() => expect(rowB).toHaveAttribute('data-stale', 'false'));
    expect(rowB).toHaveTextContent('2.0 s');
    expect(data.docReads.filter((r) => r === 'servers/srv-b')).toHaveLength(2);
    expect(data.listReads).toBe(1);
  });

  it('while a leader judges the fleet, a copy past its deadline costs no read and is not flagged; the leader declaring the server lost flags it', async () => {
    const data = new CountingData();
    const a = server({ serverId: 'srv-a', heartbeatAt: T0 });
    const b = server({ serverId: 'srv-b', heartbeatAt: T0 });
    data.put('servers', 'srv-a', a);
    data.put('servers', 'srv-b', b);
    data.put('stats', 'queue', stats({ fleet: summary(T0 - 60_000, a, b) }));
    data.put('leader', 'current', leader({ holder: 'srv-a', expiresAt: T0 + 120_000 }));
    const time = movingClock(T0);
    renderPage(
      <ClockProvider clock={time.clock}>
        <ServersPage />
      </ClockProvider>,
      { data },
    );
    const rowB = await screen.findByTestId('server-row-srv-b');
    await waitFor(() => expect(rowB).toHaveTextContent('host-a:100'));
    // 25 s after the read: both copies are past their deadline (T0 + 20 s); the leader keeps judging.
    time.set(T0 + 25_000);
    expect(rowB).toHaveTextContent('25 s');
    expect(rowB).toHaveAttribute('data-stale', 'false');
    expect(screen.getByTestId('server-row-srv-a')).toHaveAttribute('data-stale', 'false');
    expect(data.docReads).toEqual([]);
    // The leader declares srv-b lost: the summary changes, the page flags it and reads the list again.
    data.put('servers', 'srv-b', { ...b, state: 'lost', inFlight: 0 }, false);
    data.put('stats', 'queue', stats({ fleet: summary(T0 + 24_000, a, { ...b, state: 'lost' }) }));
    await waitFor(() => expect(rowB).toHaveAttribute('data-stale', 'true'));
    expect(screen.getByTestId('server-state-srv-b')).toHaveTextContent('lost');
    await waitFor(() => expect(data.listReads).toBe(2));
    expect(data.docReads).toEqual([]);
  });
});
