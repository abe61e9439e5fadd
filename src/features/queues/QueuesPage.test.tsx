import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { T0, controls, job, stats } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { QueuesPage } from './QueuesPage';

function seedJobs(data: FakeData, n: number, patch: Parameters<typeof job>[0] = {}) {
  for (let i = 0; i < n; i++) {
    data.put('jobs', `job-${String(i).padStart(3, '0')}`, job({ userId: i % 2 ? 'u-odd' : 'u-even', createdAt: T0 + i * 1_000, ...patch }), false);
  }
}

describe('QueuesPage', () => {
  it('pauses and resumes the whole queue through the planner', async () => {
    const data = new FakeData();
    data.put('stats', 'queue', stats());
    const user = userEvent.setup();
    renderPage(<QueuesPage />, { data });
    expect(await screen.findByTestId('queue-state')).toHaveAttribute('data-paused', 'false');
    await user.click(screen.getByRole('button', { name: 'Pause queue' }));
    expect(screen.getByRole('dialog')).toHaveTextContent('Workers stop claiming new jobs of every priority');
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(screen.getByTestId('queue-state')).toHaveAttribute('data-paused', 'true'));
    const doc = data.read('controls', 'queue');
    expect(doc?.ok && doc.data).toMatchObject({ paused: true, updatedBy: 'admin-1' });

    await user.click(screen.getByRole('button', { name: 'Resume queue' }));
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(screen.getByTestId('queue-state')).toHaveAttribute('data-paused', 'false'));
    const actions = data.all('audit').map(([id]) => {
      const r = data.read('audit', id);
      return r?.ok ? r.data.action : null;
    });
    expect(actions.sort()).toEqual(['queue.pause', 'queue.resume']);
  });

  it('pauses a single priority and shows queue depth per priority', async () => {
    const data = new FakeData();
    data.put('stats', 'queue', stats({ queuedByPriority: { urgent: 0, high: 7, normal: 3, low: 1 } }));
    data.put('controls', 'queue', controls({ pausedPriorities: ['low'] }));
    const user = userEvent.setup();
    renderPage(<QueuesPage />, { data });
    const high = await screen.findByTestId('priority-high');
    expect(high).toHaveTextContent('7 queued');
    expect(screen.getByTestId('priority-low')).toHaveTextContent('paused');
    await user.click(within(high).getByRole('button', { name: 'Pause high' }));
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => {
      const doc = data.read('controls', 'queue');
      expect(doc?.ok && doc.data.pausedPriorities).toEqual(['high', 'low']);
    });
  });

  it('pages the job table with limit + cursor, newest first, never reading everything', async () => {
    const data = new FakeData();
    seedJobs(data, 30);
    const user = userEvent.setup();
    renderPage(<QueuesPage />, { data });
    const table = await screen.findByTestId('job-table');
    expect(within(table).getAllByRole('link')).toHaveLength(25);
    expect(within(table).getAllByRole('link')[0]).toHaveTextContent('job-029');
    expect(data.pageCalls.at(-1)?.spec.limit).toBe(25);
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(within(screen.getByTestId('job-table')).getAllByRole('link')).toHaveLength(5));
    expect(data.pageCalls.at(-1)?.after).toBe('job-005');
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Previous page' }));
    await waitFor(() => expect(within(screen.getByTestId('job-table')).getAllByRole('link')).toHaveLength(25));
  });

  it('searches by job id first, then by user id, and filters by status', async () => {
    const data = new FakeData();
    seedJobs(data, 6);
    data.put('jobs', 'dead-1', job({ userId: 'u-odd', status: 'dead_lettered', createdAt: T0 + 99_000 }));
    const user = userEvent.setup();
    renderPage(<QueuesPage />, { data });
    await screen.findByTestId('job-table');

    await user.type(screen.getByLabelText('Search jobs'), 'job-003{Enter}');
    await waitFor(() => expect(within(screen.getByTestId('job-table')).getAllByRole('link').map((l) => l.textContent)).toEqual(['job-003']));
    expect(screen.getByText('matched by job id')).toBeInTheDocument();

    await user.clear(screen.getByLabelText('Search jobs'));
    await user.type(screen.getByLabelText('Search jobs'), 'u-odd');
    await user.selectOptions(screen.getByLabelText('Status'), 'dead_lettered');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(within(screen.getByTestId('job-table')).getAllByRole('link').map((l) => l.textContent)).toEqual(['dead-1']));
    expect(data.pageCalls.at(-1)?.spec.where).toEqual([
      { field: 'userId', op: '==', value: 'u-odd' },
      { field: 'status', op: '==', value: 'dead_lettered' },
    ]);

    await user.clear(screen.getByLabelText('Search jobs'));
    await user.type(screen.getByLabelText('Search jobs'), 'nobody{Enter}');
    expect(await screen.findByText('No jobs match this search.')).toBeInTheDocument();
  });

  it('redrives a filtered, selected set in one control with a confirmation listing the ids', async () => {
    const data = new FakeData();
    seedJobs(data, 3, { status: 'dead_lettered', attempts: 5 });
    data.put('jobs', 'ok-1', job({ status: 'succeeded', createdAt: T0 + 50_000 }));
    const user = userEvent.setup();
    renderPage(<QueuesPage />, { data });
    await screen.findByTestId('job-table');
    await user.click(screen.getByLabelText(/Select all 4 on this page/));
    expect(screen.getByText('4 selected')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Redrive selected' }));
    const dialog = screen.getByRole('dialog', { name: /Redrive selected: 4 jobs/ });
    expect(dialog).toHaveTextContent('job-000');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    const feedback = await screen.findByTestId('bulk-redrive-feedback');
    expect(feedback).toHaveTextContent('3 jobs updated, 1 skipped');
    for (const id of ['job-000', 'job-001', 'job-002']) {
      const r = data.read('jobs', id);
      expect(r?.ok && r.data).toMatchObject({ status: 'queued', attempts: 0, redriveCount: 1 });
    }
    const auditId = data.all('audit')[0]![0];
    const audit = data.read('audit', auditId);
    expect(audit?.ok && audit.data.action).toBe('job.redrive');
    expect(audit?.ok && [...audit.data.targetIds].sort()).toEqual(['job-000', 'job-001', 'job-002']);
    expect(audit?.ok && audit.data.target.id).toMatch(/all jobs, page 1/);
    // the table was refetched after the control
    await waitFor(() => expect(within(screen.getByTestId('job-table')).getAllByTestId('job-status').filter((s) => s.dataset.status === 'queued')).toHaveLength(3));
  });

  it('shows a query error (e.g. a missing index) with a retry', async () => {
    const data = new FakeData();
    const failing = Object.assign(new Error('The query requires an index.'), { code: 'failed-precondition' });
    data.getPage = () => Promise.reject(failing);
    renderPage(<QueuesPage />, { data });
    expect(await screen.findByText(/needs a composite index/)).toBeInTheDocument();
  });
});
