import { decodeDoc, type AlertEventDoc } from '@fq/worker/schema';
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { T0 } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { AlertsPage } from './AlertsPage';

function alertEvent(patch: Partial<AlertEventDoc> & Pick<AlertEventDoc, 'at' | 'key' | 'status'>): AlertEventDoc {
  return decodeDoc('alerts', {
    kind: 'breaker_open',
    firingSince: patch.at,
    title: `Circuit breaker open: ${patch.key.split(':')[1] ?? 'm'}`,
    detail: 'details',
    text: 'text',
    sentBy: 'w1',
    term: 3,
    delivery: { state: 'delivered', at: patch.at, webhooks: [{ target: 'hooks.slack.com #1', ok: true, status: 200, attempts: 1 }] },
    expireAt: patch.at + 86_400_000,
    ...patch,
  });
}

describe('AlertsPage', () => {
  it('shows what is firing and the newest messages with their delivery', async () => {
    const data = new FakeData();
    // m1 opened and closed; m2 opened and is still open (its delivery failed); newest first.
    data.put('alerts', 'e1', alertEvent({ at: T0 - 600_000, key: 'breaker_open:m1', status: 'firing' }), false);
    data.put('alerts', 'e2', alertEvent({ at: T0 - 300_000, key: 'breaker_open:m1', status: 'resolved', firingSince: T0 - 600_000, detail: 'm1 is closed.' }), false);
    data.put(
      'alerts',
      'e3',
      alertEvent({
        at: T0 - 120_000,
        key: 'breaker_open:m2',
        status: 'firing',
        detail: 'm2 is open.',
        delivery: { state: 'failed', at: T0 - 110_000, webhooks: [{ target: 'hooks.slack.com #1', ok: false, status: 500, attempts: 3, error: 'HTTP 500: down' }] },
      }),
      false,
    );
    renderPage(<AlertsPage />, { data });

    const firing = await screen.findAllByTestId('firing-alert');
    expect(firing.map((f) => f.getAttribute('data-key'))).toEqual(['breaker_open:m2']);
    expect(firing[0]).toHaveTextContent('Circuit breaker open: m2 — firing for 2 min 0 s');

    const rows = screen.getAllByTestId('alert-row');
    expect(rows.map((r) => [r.getAttribute('data-key'), r.getAttribute('data-status')])).toEqual([
      ['breaker_open:m2', 'firing'],
      ['breaker_open:m1', 'resolved'],
      ['breaker_open:m1', 'firing'],
    ]);
    expect(rows[1]).toHaveTextContent('lasted 5 min 0 s');
    expect(within(rows[0]!).getByTestId('alert-delivery')).toHaveAttribute('data-state', 'failed');
    expect(within(rows[0]!).getByTestId('alert-delivery')).toHaveTextContent('hooks.slack.com #1: HTTP 500: down (3 attempts)');
    expect(within(rows[1]!).getByTestId('alert-delivery')).toHaveTextContent('delivered');
  });

  it('updates live when the leader records a resolve', async () => {
    const data = new FakeData();
    data.put('alerts', 'e1', alertEvent({ at: T0 - 60_000, key: 'queue_stalled', kind: 'queue_stalled', title: 'Queued jobs are not being served', status: 'firing' }), false);
    renderPage(<AlertsPage />, { data });
    expect(await screen.findByTestId('firing-alert')).toHaveTextContent('Queued jobs are not being served');
    data.put('alerts', 'e2', alertEvent({ at: T0, key: 'queue_stalled', kind: 'queue_stalled', title: 'Queued jobs are not being served', status: 'resolved', firingSince: T0 - 60_000 }));
    expect(await screen.findByText('Nothing is firing.')).toBeInTheDocument();
    expect(screen.getAllByTestId('alert-row')).toHaveLength(2);
  });

  it('says when nothing was ever sent', async () => {
    renderPage(<AlertsPage />, { data: new FakeData() });
    expect(await screen.findByText(/No alert has been sent yet/)).toBeInTheDocument();
    expect(screen.getByText('Nothing is firing.')).toBeInTheDocument();
  });
});
