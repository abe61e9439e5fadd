import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { T0, lock } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { LocksPage } from './LocksPage';

describe('LocksPage', () => {
  it('shows holder, token and expiry countdown, and force-releases after confirmation', async () => {
    const data = new FakeData();
    data.put('locks', 'maintenance', lock({ name: 'maintenance', holder: 'srv-a', token: 7, expiresAt: T0 + 25_000 }));
    data.put('locks', 'free', lock({ name: 'free', holder: null, token: 3, expiresAt: null }));
    const user = userEvent.setup();
    renderPage(<LocksPage />, { data });
    const row = await screen.findByTestId('lock-row-maintenance');
    expect(row).toHaveTextContent('srv-a');
    expect(within(row).getByTestId('lock-countdown')).toHaveTextContent('in 25 s');
    expect(within(screen.getByTestId('lock-row-free')).queryByRole('button')).toBeNull();

    await user.click(within(row).getByRole('button', { name: 'Force release' }));
    const dialog = screen.getByRole('dialog');
    expect(dialog).toHaveTextContent('The next holder gets token 8');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    await waitFor(() => {
      const doc = data.read('locks', 'maintenance');
      expect(doc?.ok && doc.data).toMatchObject({ holder: null, token: 7, releasedBy: 'admin-1' });
    });
    expect(await within(screen.getByTestId('lock-row-maintenance')).findByText(/released by admin-1/)).toBeInTheDocument();
  });

  it('reports a lock that was released by someone else meanwhile', async () => {
    const data = new FakeData();
    data.put('locks', 'l', lock({ name: 'l', holder: 'srv-a' }));
    const user = userEvent.setup();
    renderPage(<LocksPage />, { data });
    await user.click(await screen.findByRole('button', { name: 'Force release' }));
    data.put('locks', 'l', lock({ name: 'l', holder: null, expiresAt: null }), false);
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(await within(screen.getByRole('dialog')).findByRole('alert')).toHaveTextContent('lock l is not held');
  });
});
