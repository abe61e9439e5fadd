import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { FleetServer } from '@fq/worker/schema';
import { T0, breaker, stats } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { BreakersPage } from './BreakersPage';

const ROUTING = { model: 'gemini-2.5-flash', fallbackModel: 'gemini-2.5-flash-lite', fallbackPriorities: ['urgent', 'high'] as const };

/** The leader's fleet summary (in the stats document): the two servers on ROUTING, and `others`. */
function fleet(data: FakeData, others: (Partial<FleetServer> & { serverId: string })[] = []) {
  const servers = [
    ...['srv-a', 'srv-b'].map((id) => ({ serverId: id, routing: { ...ROUTING, fallbackPriorities: [...ROUTING.fallbackPriorities] } })),
    ...others,
  ].map((s) => ({ state: 'active' as const, version: '0.1.0', startedAt: T0 - 60_000, routing: null, ...s }));
  data.put('stats', 'queue', stats({ fleet: { servers, changedAt: T0 } }));
}

async function routeOf(model = ROUTING.model) {
  return within(await screen.findByTestId('active-route')).findByTestId(`route-model-${model}`);
}

function destinations(route: HTMLElement): Record<string, string> {
  return Object.fromEntries(['urgent', 'high', 'normal', 'low'].map((p) => [p, within(route).getByTestId(`route-priority-${p}`).getAttribute('data-model') ?? '?']));
}

describe('Breakers page: active route', () => {
  it('shows every priority on the primary while its breaker is closed, and what the fallback will take', async () => {
    const data = new FakeData();
    fleet(data);
    renderPage(<BreakersPage />, { data });
    const route = await routeOf();
    expect(route).toHaveAttribute('data-route', 'primary');
    expect(destinations(route)).toEqual({ urgent: 'gemini-2.5-flash', high: 'gemini-2.5-flash', normal: 'gemini-2.5-flash', low: 'gemini-2.5-flash' });
    expect(within(route).getByTestId('route-summary')).toHaveTextContent(
      'While its breaker is open, urgent, high go to gemini-2.5-flash-lite and normal, low wait.',
    );
    expect(route).toHaveTextContent('2 live servers: srv-a, srv-b');
  });

  it('moves urgent and high to the fallback when the operator forces the primary open; normal and low wait', async () => {
    const data = new FakeData();
    fleet(data);
    const user = userEvent.setup();
    renderPage(<BreakersPage />, { data });
    expect(await routeOf()).toHaveAttribute('data-route', 'primary');

    const other = screen.getByTestId('breaker-other-model');
    await user.type(within(other).getByLabelText('Model'), 'gemini-2.5-flash');
    await user.click(within(other).getByRole('button', { name: 'Force open model' }));
    await user.click(screen.getByRole('button', { name: 'Confirm' }));

    await waitFor(async () => expect(await routeOf()).toHaveAttribute('data-route', 'fallback'));
    const route = await routeOf();
    expect(destinations(route)).toEqual({ urgent: 'gemini-2.5-flash-lite', high: 'gemini-2.5-flash-lite', normal: '', low: '' });
    expect(within(route).getByTestId('route-priority-urgent')).toHaveTextContent('fallback');
    expect(within(route).getByTestId('route-priority-low')).toHaveTextContent('waits in the queue');
    expect(within(route).getByTestId('route-summary')).toHaveTextContent(
      'The gemini-2.5-flash breaker is open: urgent, high go to the fallback gemini-2.5-flash-lite; normal, low wait for gemini-2.5-flash.',
    );
  });

  it('holds every priority when the fallback is open too, naming a due probe of the primary', async () => {
    const data = new FakeData();
    fleet(data);
    data.put('breakers', 'gemini-2.5-flash', breaker({ model: 'gemini-2.5-flash', state: 'open', nextProbeAt: T0 - 1 }));
    data.put('breakers', 'gemini-2.5-flash-lite', breaker({ model: 'gemini-2.5-flash-lite', state: 'open', override: 'force_open' }));
    renderPage(<BreakersPage />, { data });
    const route = await routeOf();
    expect(route).toHaveAttribute('data-route', 'held');
    expect(destinations(route)).toEqual({ urgent: '', high: '', normal: '', low: '' });
    expect(within(route).getByTestId('route-summary')).toHaveTextContent(
      'Nothing is sent: the gemini-2.5-flash breaker is open and the fallback gemini-2.5-flash-lite is not taking calls either. Every job waits. ' +
        'A half-open probe of gemini-2.5-flash is due: the next job claimed, whatever its priority, tests it.',
    );
  });

  it('counts only live servers, shows a rolling deploy as two routes, and names servers too old to report one', async () => {
    const data = new FakeData();
    fleet(data, [
      { serverId: 'srv-new', routing: { model: 'm', fallbackModel: null, fallbackPriorities: [] } },
      { serverId: 'srv-old' },
      // Declared lost by the leader (silent beyond the timeout), and stopped: neither routes anything.
      { serverId: 'srv-gone', state: 'lost', routing: { model: 'x', fallbackModel: null, fallbackPriorities: [] } },
      { serverId: 'srv-stopped', state: 'stopped', routing: { model: 'y', fallbackModel: null, fallbackPriorities: [] } },
    ]);
    renderPage(<BreakersPage />, { data });
    const card = await screen.findByTestId('active-route');
    expect(await within(card).findByTestId('route-model-m')).toHaveTextContent('It has no fallback model: while its breaker is open, every job waits.');
    expect(within(card).getByTestId('route-model-gemini-2.5-flash')).toBeInTheDocument();
    expect(within(card).queryByTestId('route-model-x')).toBeNull();
    expect(within(card).queryByTestId('route-model-y')).toBeNull();
    expect(within(card).getByTestId('route-unreported')).toHaveTextContent('Not counted: srv-old');
  });

  it('says so when no live server reports a route', async () => {
    renderPage(<BreakersPage />, { data: new FakeData() });
    expect(await within(await screen.findByTestId('active-route')).findByText('No live server reports its route yet.')).toBeInTheDocument();
  });
});
