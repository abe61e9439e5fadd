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

  it('shows a control the fleet gave up on as failed, with why, in an alert, and resumes it from where it gave up', async () => {
    const user = userEvent.setup();
    const data = seeded();
    const lastError = 'The store refused the query for the next page (FAILED_PRECONDITION) 3 times: 9 FAILED_PRECONDITION: The query requires an index.';
    data.put(
      'bulkControls',
      'b-failed',
      decodeDoc('bulkControls', {
        action: 'job.redrive',
        filter: { status: 'dead_lettered' },
        description: 'status=dead_lettered',
        requestedBy: { kind: 'admin', id: 'ops', email: 'ops@example.com' },
        createdAt: T0 - 30_000,
        createdBefore: T0 - 30_000,
        expectedCount: 300,
        state: 'failed',
        progress: { matched: 96, done: 96, steps: 6, lastError },
        cursor: { createdAt: T0 - 40_000, idsAt: ['d1'] },
        updatedAt: T0 - 10_000,
        finishedAt: T0 - 10_000,
      }),
    );
    renderPage(<ApplyToAllMatching filter={{ status: 'dead_lettered' }} />, { data });

    const panel = await screen.findByTestId('bulk-progress');
    expect(panel).toHaveAttribute('data-state', 'failed');
    expect(within(panel).getByTestId('bulk-state')).toHaveTextContent('failed');
    expect(within(panel).getByTestId('bulk-counts')).toHaveTextContent('96 of 300 processed: 96 redriven, 0 skipped, 0 failed');
    const alert = within(panel).getByRole('alert');
    expect(alert).toHaveTextContent(`The fleet gave up on it: ${lastError}`);
    expect(alert).toHaveTextContent('Jobs already redriven stay redriven; no other job was touched. Fix the cause, then Resume: it goes on from where it gave up.');
    expect(within(panel).queryByRole('button', { name: 'Stop' })).toBeNull();

    await user.click(within(panel).getByRole('button', { name: 'Resume' }));
    const dialog = await screen.findByRole('dialog', { name: 'Resume "Redrive all matching"?' });
    expect(dialog).toHaveTextContent('The fleet tries again from where it gave up');
    await user.type(within(dialog).getByRole('textbox'), 'index deployed');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(panel).toHaveAttribute('data-state', 'running'));
    expect(within(panel).queryByRole('alert')).toBeNull();
    const resumed = data.read('bulkControls', 'b-failed')!;
    expect(resumed.ok && resumed.data).toMatchObject({ state: 'running', finishedAt: null, cursor: { createdAt: T0 - 40_000, idsAt: ['d1'] }, progress: { done: 96 } });
    expect(data.all('audit').map(([, raw]) => raw)).toEqual([
      expect.objectContaining({ action: 'bulk.resume', reason: 'index deployed', target: { kind: 'bulk', id: 'b-failed' }, details: expect.objectContaining({ from: 'failed' }) }),
    ]);
  });

  it('shows a control whose document cannot be read as an alert, not nothing', async () => {
    const data = seeded();
    // Its filter edited by hand into something the schema refuses.
    data.putRaw('bulkControls', 'b-broken', {
      action: 'job.retry',
      filter: { status: 'no-such-status' },
      description: 'status=failed',
      requestedBy: { kind: 'admin', id: 'ops', email: 'ops@example.com' },
      createdAt: T0 - 30_000,
      createdBefore: T0 - 30_000,
      state: 'running',
      progress: {},
      cursor: {},
      updatedAt: T0 - 30_000,
    });
    renderPage(<ApplyToAllMatching filter={{ status: 'failed' }} />, { data });
    const alert = await screen.findByTestId('bulk-unreadable-b-broken');
    expect(alert).toHaveAttribute('role', 'alert');
    expect(alert).toHaveTextContent(/Bulk control b-broken cannot be read \(invalid document: filter\.status: .*\)\. The fleet does not carry it out/);
  });

  it('says why an e-mail search cannot be applied to all matching jobs', async () => {
    renderPage(<ApplyToAllMatching filter={{ userEmail: 'ann@example.com' }} />, { data: seeded() });
    expect(await screen.findByText('Search by user id rather than e-mail to act on everything matching.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Apply to all matching…' })).toBeNull();
  });
});
