import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { T0, budget, rateLimit } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { LimitsPage } from './LimitsPage';

describe('LimitsPage', () => {
  it('shows global budget use, top consumers by a limited read, and a user lookup', async () => {
    const data = new FakeData();
    data.put('budgets', 'gemini-2.5-flash', budget({ requestsPerMinute: 600, usedRequests: 570 }));
    data.put('rateLimits', 'heavy', rateLimit({ userId: 'heavy', count: 90, remaining: 50, limit: 120, burst: 20 }));
    data.put('rateLimits', 'light', rateLimit({ userId: 'light', count: 2, remaining: 138 }));
    const user = userEvent.setup();
    renderPage(<LimitsPage />, { data });
    const meter = await within(await screen.findByTestId('budget-gemini-2.5-flash')).findAllByRole('meter');
    expect(meter[0]).toHaveAttribute('aria-valuenow', '95');
    const top = await within(screen.getByTestId('top-consumers')).findAllByRole('row');
    expect(top[1]).toHaveTextContent('heavy');
    expect(top[1]).toHaveTextContent('90 / 140');
    expect(data.pageCalls.at(-1)?.spec).toMatchObject({ collection: 'rateLimits', limit: 10, orderBy: [{ field: 'count', direction: 'desc' }] });

    await user.type(screen.getByLabelText('User id'), 'light{Enter}');
    expect(await screen.findByTestId('user-usage-stats')).toHaveTextContent('138');
    await user.clear(screen.getByLabelText('User id'));
    await user.type(screen.getByLabelText('User id'), 'ghost{Enter}');
    expect(await screen.findByText(/No rate-limit document for ghost/)).toBeInTheDocument();
  });

  it('marks ended windows', async () => {
    const data = new FakeData();
    data.put('rateLimits', 'old', rateLimit({ userId: 'old', resetAt: T0 - 1 }));
    renderPage(<LimitsPage />, { data });
    expect(await screen.findByText('window ended')).toBeInTheDocument();
  });
});
