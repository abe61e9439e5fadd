import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { QuerySpec } from '../../data/specs';
import { T0, histogramWith, rollup } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { AnalyticsPage } from './AnalyticsPage';

function rollupSpecs(data: FakeData): QuerySpec[] {
  return [...data.watchers].map((w) => w.spec).filter((s): s is QuerySpec => s.kind === 'query' && s.collection === 'analytics');
}

describe('AnalyticsPage', () => {
  it('summarises minute rollups and switches to hour rollups for 24 h, with bounded listeners', async () => {
    const data = new FakeData();
    data.put('analytics', 'm1', rollup({ periodStart: T0 - 120_000, counters: { succeeded: 8, failed: 2, upstreamCalls: 14, upstreamWasted: 4 }, latency: histogramWith({ 1000: 8 }) }));
    data.put('analytics', 'h1', rollup({ granularity: 'hour', periodStart: T0 - 3_600_000, counters: { succeeded: 500 } }));
    const user = userEvent.setup();
    renderPage(<AnalyticsPage />, { data, now: T0 + 1_000 });
    expect(await screen.findByTestId('summary-completed')).toHaveTextContent('10');
    expect(screen.getByTestId('summary-success')).toHaveTextContent('80.0%');
    expect(rollupSpecs(data)).toEqual([
      expect.objectContaining({ where: [{ field: 'granularity', op: '==', value: 'minute' }], limit: 16 }),
    ]);
    for (const id of ['chart-throughput', 'chart-success', 'chart-latency', 'chart-errors', 'chart-upstream']) {
      expect(screen.getByTestId(id)).toBeInTheDocument();
    }

    await user.click(screen.getByRole('button', { name: '24 h' }));
    await waitFor(() => expect(screen.getByTestId('summary-completed')).toHaveTextContent('500'));
    expect(screen.getByRole('button', { name: '24 h' })).toHaveAttribute('aria-pressed', 'true');
    await waitFor(() =>
      expect(rollupSpecs(data)).toEqual([expect.objectContaining({ where: [{ field: 'granularity', op: '==', value: 'hour' }], limit: 25 })]),
    );
  });

  it('says when there are no rollups yet', async () => {
    renderPage(<AnalyticsPage />, { data: new FakeData() });
    expect(await screen.findByText(/No rollups yet/)).toBeInTheDocument();
  });
});
