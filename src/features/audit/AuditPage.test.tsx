import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { T0, audit } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { AuditPage } from './AuditPage';

describe('AuditPage', () => {
  it('lists who did what and when, newest first, and pages older entries', async () => {
    const data = new FakeData();
    for (let i = 0; i < 30; i++) {
      data.put('audit', `a${String(i).padStart(2, '0')}`, audit({ at: T0 + i * 1_000, action: i === 29 ? 'breaker.force_open' : 'queue.pause', reason: `r${i}` }), false);
    }
    const user = userEvent.setup();
    renderPage(<AuditPage />, { data });
    const rows = await screen.findAllByTestId('audit-row');
    expect(rows).toHaveLength(25);
    expect(rows[0]).toHaveTextContent('admin@example.com');
    expect(rows[0]).toHaveTextContent('breaker.force_open');
    expect(rows[0]).toHaveTextContent('r29');
    await user.click(screen.getByRole('button', { name: 'Show older entries' }));
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(30));
    expect(screen.getAllByTestId('audit-row').at(-1)).toHaveTextContent('r0');
  });

  it('shows an empty state', async () => {
    renderPage(<AuditPage />, { data: new FakeData() });
    expect(await screen.findByText('No control action has been taken yet.')).toBeInTheDocument();
  });
});
