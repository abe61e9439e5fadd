import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { T0, breaker, job, stats } from '../../test/factories';
import { FakeAuth } from '../../test/fakeAuth';
import { FakeData } from '../../test/fakeData';
import { renderApp } from '../../test/render';

const MODEL = 'gemini-2.5-flash';
const admin = () => new FakeAuth().as({ isAdmin: true });

function openPage(name: string) {
  return userEvent.setup().click(within(screen.getByRole('navigation', { name: 'Console' })).getByRole('link', { name }));
}

describe('incident strip (every console page)', () => {
  it('an open breaker puts a banner on every page, with since-when and a link to the Breakers page; it goes when the breaker closes', async () => {
    const data = new FakeData();
    const openedAt = Date.now() - 95_000;
    data.put('breakers', MODEL, breaker({ model: MODEL, state: 'open', since: openedAt, openedAt, override: 'force_open', overrideBy: 'admin-1', overrideAt: openedAt }));
    data.put('breakers', 'gemini-2.5-flash-lite', breaker({ model: 'gemini-2.5-flash-lite', state: 'closed' }));
    renderApp({ auth: admin(), data, path: '/locks' });

    const banner = await screen.findByTestId(`breaker-banner-${MODEL}`);
    expect(await screen.findByTestId('locks-page')).toBeInTheDocument();
    expect(banner).toHaveAttribute('role', 'alert');
    expect(banner).toHaveTextContent(`Circuit breaker for ${MODEL} forced open by an operator since`);
    expect(banner).toHaveTextContent(/\(1 min 3\d s ago\): no calls go to it\./);
    expect(within(banner).getByRole('time')).toHaveAttribute('datetime', new Date(openedAt).toISOString());
    // Only the open one.
    expect(screen.queryByTestId('breaker-banner-gemini-2.5-flash-lite')).toBeNull();

    await openPage('Audit log');
    expect(await screen.findByTestId('audit-page')).toBeInTheDocument();
    expect(screen.getByTestId(`breaker-banner-${MODEL}`)).toBeInTheDocument();

    await userEvent.setup().click(within(screen.getByTestId(`breaker-banner-${MODEL}`)).getByRole('link', { name: 'Breakers page' }));
    expect(await screen.findByTestId('breakers-page')).toBeInTheDocument();

    // Half-open: still an incident, since the opening.
    data.put('breakers', MODEL, breaker({ model: MODEL, state: 'half_open', since: Date.now() - 1_000, openedAt }));
    await waitFor(() => expect(screen.getByTestId(`breaker-banner-${MODEL}`)).toHaveAttribute('data-state', 'half_open'));
    expect(screen.getByTestId(`breaker-banner-${MODEL}`)).toHaveTextContent('now half-open: one probe call is testing it.');

    data.put('breakers', MODEL, breaker({ model: MODEL, state: 'closed', since: Date.now() }));
    await waitFor(() => expect(screen.queryByTestId(`breaker-banner-${MODEL}`)).toBeNull());
    expect(screen.queryByTestId('incident-strip')).toBeNull();
  });

  it('dead letters: a red count on every page that opens the job list filtered to them', async () => {
    const data = new FakeData();
    data.put('stats', 'queue', stats({ at: Date.now(), byStatus: { queued: 1, succeeded: 5, dead_lettered: 2 } }));
    data.put('jobs', 'dead-1', job({ status: 'dead_lettered', userId: 'alice', createdAt: T0 }));
    data.put('jobs', 'dead-2', job({ status: 'dead_lettered', userId: 'bob', createdAt: T0 + 1 }));
    data.put('jobs', 'ok-1', job({ status: 'succeeded', userId: 'carol', createdAt: T0 + 2 }));
    renderApp({ auth: admin(), data, path: '/analytics' });

    const count = await screen.findByTestId('dead-letter-count');
    expect(count).toHaveTextContent('2 dead letters');
    expect(count).toHaveAccessibleName('2 dead letters');
    await userEvent.setup().click(count);

    // The page's chunk loads lazily.
    const table = await screen.findByTestId('job-table-card', {}, { timeout: 5_000 });
    expect(within(table).getByLabelText('Status')).toHaveValue('dead_lettered');
    await waitFor(() => expect(within(table).getByRole('link', { name: 'dead-1' })).toBeInTheDocument());
    expect(within(table).getByRole('link', { name: 'dead-2' })).toBeInTheDocument();
    expect(within(table).queryByRole('link', { name: 'ok-1' })).toBeNull();
  });

  it('following the count while the job list shows another search runs the dead-letter search', async () => {
    const data = new FakeData();
    data.put('stats', 'queue', stats({ at: Date.now(), byStatus: { dead_lettered: 1 } }));
    data.put('jobs', 'dead-1', job({ status: 'dead_lettered', createdAt: T0 }));
    data.put('jobs', 'ok-1', job({ status: 'succeeded', createdAt: T0 + 2 }));
    renderApp({ auth: admin(), data, path: '/queues' });
    const table = await screen.findByTestId('job-table-card', {}, { timeout: 5_000 });
    await waitFor(() => expect(within(table).getByRole('link', { name: 'ok-1' })).toBeInTheDocument());
    await userEvent.setup().click(screen.getByTestId('dead-letter-count'));
    await waitFor(() => expect(within(table).queryByRole('link', { name: 'ok-1' })).toBeNull());
    expect(within(table).getByRole('link', { name: 'dead-1' })).toBeInTheDocument();
    expect(within(table).getByLabelText('Status')).toHaveValue('dead_lettered');
  });

  it('costs the Overview one listener: the filtered breakers (the stats listener is shared with the page)', async () => {
    const data = new FakeData();
    data.put('stats', 'queue', stats({ at: Date.now() }));
    renderApp({ auth: admin(), data, path: '/' });
    await screen.findByTestId('fq-monitor-in-flight');
    // The Overview's five (see OverviewPage.test: the servers come from the stats document's
    // fleet summary now) and the strip's open-breakers query.
    const specs = [...data.watchers].map((w) => w.spec);
    expect(specs).toHaveLength(6);
    const breakerFilters = specs.filter((s) => s.collection === 'breakers').map((s) => (s.kind === 'query' ? s.where : null));
    expect(breakerFilters).toHaveLength(2);
    expect(breakerFilters).toContainEqual([]);
    expect(breakerFilters).toContainEqual([{ field: 'state', op: 'in', value: ['open', 'half_open'] }]);
  });

  it('shows nothing when no breaker is open and nothing is dead-lettered', async () => {
    const data = new FakeData();
    data.put('stats', 'queue', stats({ at: Date.now() }));
    data.put('breakers', MODEL, breaker({ model: MODEL, state: 'closed' }));
    renderApp({ auth: admin(), data, path: '/' });
    expect(await screen.findByTestId('overview-page')).toBeInTheDocument();
    // Both of the strip's sources have delivered (the Overview shows the same documents).
    await screen.findByTestId('stat-throughput');
    await screen.findByTestId(`fq-monitor-breaker-${MODEL}`);
    expect(screen.queryByTestId('incident-strip')).toBeNull();
  });
});
