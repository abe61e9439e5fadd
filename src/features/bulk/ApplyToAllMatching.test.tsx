import { decodeDoc, type CollectionKey } from '@fq/worker/schema';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { QuerySpec } from '../../data/specs';
import { job, T0 } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { ApplyToAllMatching } from './ApplyToAllMatching';

/** The fake with Firestore's count aggregation (all matches, the limit ignored). */
class CountingData extends FakeData {
  async count<K extends CollectionKey>(spec: QuerySpec<K>): Promise<number> {
    return (await this.getPage({ ...spec, limit: 500 }, null)).rows.length;
  }
}

function seeded(): CountingData {
  const data = new CountingData();
  data.serverNow = () => T0;
  for (let i = 0; i < 40; i++) data.put('jobs', `f${i}`, job({ status: 'failed', createdAt: T0 - 60_000 + i }), false);
  for (let i = 0; i < 5; i++) data.put('jobs', `q${i}`, job({ status: 'queued', createdAt: T0 - 60_000 + i }), false);
  return data;
}

describe('ApplyToAllMatching', () => {
  it('retries all jobs matching the search as one audited bulk control, with the count confirmed, then shows its progress and stops it', async () => {
    const user = userEvent.setup();
    const data = seeded();
    renderPage(<ApplyToAllMatching filter={{ status: 'failed' }} />, { data });

    await user.click(await screen.findByRole('button', { name: 'Apply to all matching…' }));
    expect(await screen.findByTestId('bulk-matching')).toHaveTextContent('40 matching (status=failed)');
    await user.click(screen.getByRole('button', { name: 'Retry all 40 matching' }));
    const dialog = await screen.findByRole('dialog', { name: 'Retry all 40 matching jobs?' });
    await user.type(within(dialog).getByRole('textbox'), 'upstream fixed');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    await waitFor(() => expect(data.all('bulkControls')).toHaveLength(1));
    const [id] = data.all('bulkControls')[0]!;
    const doc = data.read('bulkControls', id)!;
    if (!doc.ok) throw new Error(doc.error);
    expect(doc.data).toMatchObject({
      action: 'job.retry',
      filter: { status: 'failed', userId: null, priority: null },
      expectedCount: 40,
      state: 'running',
      reason: 'upstream fixed',
      requestedBy: { kind: 'admin' },
    });
    // Its audit entry, in the same commit; no job was touched by the browser.
    const audit = data.all('audit').map(([, raw]) => raw);
    expect(audit).toEqual([expect.objectContaining({ action: 'bulk.start', target: { kind: 'bulk', id } })]);
    expect(data.all('jobs').filter(([, raw]) => raw.status === 'failed')).toHaveLength(40);

    const panel = await screen.findByTestId('bulk-progress');
    expect(within(panel).getByTestId('bulk-state')).toHaveTextContent('waiting');
    expect(within(panel).getByTestId('bulk-counts')).toHaveTextContent('0 of 40 processed');

    // The fleet's carrier reports a step: the panel follows live.
    data.put('bulkControls', id, decodeDoc('bulkControls', {
      ...data.all('bulkControls')[0]![1],
      carrier: 'w1',
      carrierToken: 1,
      progress: { matched: 20, done: 16, skipped: 4, failed: 0, skippedByReason: { PAYLOAD_GONE: 4 }, steps: 2, lastError: null },
    }));
    await waitFor(() => expect(within(panel).getByTestId('bulk-counts')).toHaveTextContent('20 of 40 processed: 16 retried, 4 skipped (4 payload gone), 0 failed'));
    expect(within(panel).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '20');
    expect(within(panel).getByTestId('bulk-state')).toHaveTextContent('running');

    await user.click(within(panel).getByRole('button', { name: 'Stop' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(within(panel).getByTestId('bulk-state')).toHaveTextContent('stopping'));
    const stopped = data.read('bulkControls', id)!;
    expect(stopped.ok && stopped.data.stopRequested).toBe(true);
    expect(data.all('audit').map(([, raw]) => raw.action).sort()).toEqual(['bulk.start', 'bulk.stop']);
    expect(within(panel).getByRole('button', { name: 'Resume' })).toBeInTheDocument();
  });

  it('says why an e-mail search cannot be applied to all matching jobs', async () => {
    renderPage(<ApplyToAllMatching filter={{ userEmail: 'ann@example.com' }} />, { data: seeded() });
    expect(await screen.findByText('Search by user id rather than e-mail to act on everything matching.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Apply to all matching…' })).toBeNull();
  });
});
