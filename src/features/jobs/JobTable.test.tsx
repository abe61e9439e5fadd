import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation, useNavigate } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeAuth } from '../../test/fakeAuth';
import { T0, job } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { JobTable } from './JobTable';

/** Shows the URL's search and offers the browser's back button. */
function Location() {
  const location = useLocation();
  const navigate = useNavigate();
  return (
    <>
      <output data-testid="url">{location.search}</output>
      <button type="button" onClick={() => void navigate(-1)}>
        Browser back
      </button>
    </>
  );
}

function seed(): FakeData {
  const data = new FakeData();
  data.put('jobs', 'ann-1', job({ userId: 'u-ann', userEmail: 'Ann@Example.com', userEmailLower: 'ann@example.com', status: 'failed', createdAt: T0 + 1_000 }), false);
  data.put('jobs', 'ann-2', job({ userId: 'u-ann', userEmail: 'Ann@Example.com', userEmailLower: 'ann@example.com', status: 'succeeded', createdAt: T0 + 2_000 }), false);
  data.put('jobs', 'bob-1', job({ userId: 'u-bob', userEmail: 'bob@example.com', userEmailLower: 'bob@example.com', status: 'dead_lettered', createdAt: T0 + 3_000 }), false);
  data.put('jobs', 'abc-9', job({ userId: 'u-old', status: 'running', createdAt: T0 }), false);
  return data;
}

const shownIds = () => within(screen.getByTestId('job-table')).getAllByRole('link').map((l) => l.textContent);

function renderTable(data: FakeData, path = '/queues') {
  return renderPage(
    <>
      <JobTable />
      <Location />
    </>,
    { data, path },
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

// Each case types and clicks through several searches: seconds on a loaded machine, so more
// than vitest's default 5 s per case (describe options below).

describe('JobTable search', { timeout: 30_000 }, () => {
  it('finds a user’s jobs by e-mail whatever its case, puts the search in the URL, and back restores the previous one', async () => {
    const data = seed();
    const user = userEvent.setup();
    renderTable(data);
    await waitFor(() => expect(shownIds()).toEqual(['bob-1', 'ann-2', 'ann-1', 'abc-9']));

    await user.type(screen.getByLabelText('Search jobs'), 'ANN@example.COM{Enter}');
    await waitFor(() => expect(shownIds()).toEqual(['ann-2', 'ann-1']));
    expect(data.pageCalls.at(-1)?.spec.where).toEqual([{ field: 'userEmailLower', op: '==', value: 'ann@example.com' }]);
    expect(screen.getByTestId('url')).toHaveTextContent('?q=ANN%40example.COM');
    // The e-mail is shown beside the user id.
    expect(within(screen.getByTestId('job-row-ann-1')).getByText('Ann@Example.com')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Failed' }));
    await waitFor(() => expect(shownIds()).toEqual(['ann-1']));
    expect(screen.getByRole('button', { name: 'Failed' })).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByTestId('url')).toHaveTextContent('?q=ANN%40example.COM&status=failed');

    await user.click(screen.getByRole('button', { name: 'Browser back' }));
    await waitFor(() => expect(shownIds()).toEqual(['ann-2', 'ann-1']));
    expect(screen.getByLabelText('Search jobs')).toHaveValue('ANN@example.COM');
    expect(screen.getByRole('button', { name: 'Failed' })).toHaveAttribute('aria-pressed', 'false');
  });

  it('opens the search a shared link names: field, status and page size', async () => {
    const data = seed();
    renderTable(data, '/queues?q=u-ann&by=user&status=succeeded&size=50');
    await waitFor(() => expect(shownIds()).toEqual(['ann-2']));
    expect(screen.getByLabelText('Search by')).toHaveValue('user');
    expect(screen.getByLabelText('Status')).toHaveValue('succeeded');
    expect(screen.getByLabelText('Page size')).toHaveValue('50');
    expect(data.pageCalls.at(-1)?.spec).toMatchObject({ limit: 50 });
  });

  it('finds jobs by a job id prefix, and refuses a prefix with a status filter', async () => {
    const data = seed();
    const user = userEvent.setup();
    renderTable(data);
    await screen.findByTestId('job-table');
    await user.selectOptions(screen.getByLabelText('Search by'), 'id');
    await user.type(screen.getByLabelText('Search jobs'), 'ann{Enter}');
    await waitFor(() => expect(shownIds()).toEqual(['ann-1', 'ann-2']));
    await user.click(screen.getByRole('button', { name: 'Dead letters' }));
    expect(await screen.findByText('a job id prefix search takes no status or time filter')).toBeInTheDocument();
  });

  it('the status shortcuts open the dead letters, and a second click drops the filter', async () => {
    const data = seed();
    const user = userEvent.setup();
    renderTable(data);
    await screen.findByTestId('job-table');
    await user.click(screen.getByRole('button', { name: 'Dead letters' }));
    await waitFor(() => expect(shownIds()).toEqual(['bob-1']));
    expect(screen.getByTestId('url')).toHaveTextContent('?status=dead_lettered');
    await user.click(screen.getByRole('button', { name: 'Dead letters' }));
    await waitFor(() => expect(shownIds()).toHaveLength(4));
  });
});

describe('JobTable refresh', { timeout: 30_000 }, () => {
  it('live: one listener on the page’s query shows changes without a new fetch', async () => {
    const data = seed();
    const user = userEvent.setup();
    renderTable(data, '/queues?status=failed');
    await waitFor(() => expect(shownIds()).toEqual(['ann-1']));
    await user.selectOptions(screen.getByLabelText('Auto-refresh'), 'live');
    expect(await screen.findByText('Live: this page updates as jobs change')).toBeInTheDocument();
    expect(screen.getByTestId('url')).toHaveTextContent('refresh=live');
    const fetches = data.pageCalls.length;
    data.put('jobs', 'new-1', job({ userId: 'u-new', status: 'failed', createdAt: T0 + 9_000 }));
    await waitFor(() => expect(shownIds()).toEqual(['new-1', 'ann-1']));
    expect(data.pageCalls.length).toBe(fetches);
  });

  it('an interval re-reads the page and says how often', async () => {
    const data = seed();
    renderTable(data, '/queues?refresh=10s');
    await screen.findByTestId('job-table');
    expect(screen.getByTestId('job-refresh-state')).toHaveTextContent('Refreshes every 10 s');
    expect(screen.getByLabelText('Auto-refresh')).toHaveValue('10s');
  });
});

describe('JobTable export', { timeout: 30_000 }, () => {
  it('downloads every job the search matches as CSV, and says how many', async () => {
    const data = seed();
    const user = userEvent.setup();
    const files: { name: string; blob: Blob }[] = [];
    let pending: Blob | null = null;
    Object.assign(URL, { createObjectURL: (blob: Blob) => ((pending = blob), 'blob:export'), revokeObjectURL: () => undefined });
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      files.push({ name: this.download, blob: pending! });
    });
    renderTable(data, '/queues?q=ann%40example.com');
    await waitFor(() => expect(shownIds()).toEqual(['ann-2', 'ann-1']));
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(await screen.findByText('Exported 2 jobs as CSV.')).toBeInTheDocument();
    expect(files).toHaveLength(1);
    expect(files[0]!.name).toMatch(/^jobs-email-ann@example\.com-\d{4}-\d\d-\d\dT\d{6}Z\.csv$/);
    const lines = (await files[0]!.blob.text()).trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^ann-2,succeeded,normal,u-ann,Ann@Example\.com,/);

    await user.click(screen.getByRole('button', { name: 'Export JSON' }));
    expect(await screen.findByText('Exported 2 jobs as JSON.')).toBeInTheDocument();
    const json = JSON.parse(await files[1]!.blob.text()) as { search: string; jobs: { id: string }[] };
    expect(json.search).toBe('email=ann@example.com');
    expect(json.jobs.map((j) => j.id)).toEqual(['ann-2', 'ann-1']);
  });
});

describe('JobTable for a viewer', { timeout: 30_000 }, () => {
  it('shows the jobs without a selection column or bulk actions (a viewer may run none)', async () => {
    renderPage(<JobTable />, { data: seed(), auth: new FakeAuth().as({ uid: 'viewer-1', isAdmin: false, isViewer: true }) });
    await waitFor(() => expect(shownIds()).toEqual(['bob-1', 'ann-2', 'ann-1', 'abc-9']));
    expect(screen.queryAllByRole('checkbox')).toEqual([]);
    expect(screen.queryByRole('group', { name: 'Bulk actions' })).toBeNull();
    expect(screen.queryByText(/selected$/)).toBeNull();
    // The columns line up: the header has no empty selection cell.
    const headers = within(screen.getByTestId('job-table')).getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers[0]).toBe('Job');
  });

  it('an operator gets both', async () => {
    renderPage(<JobTable />, { data: seed() });
    await waitFor(() => expect(shownIds()).toEqual(['bob-1', 'ann-2', 'ann-1', 'abc-9']));
    expect(screen.getAllByRole('checkbox').length).toBe(5);
    expect(screen.getByRole('group', { name: 'Bulk actions' })).toBeInTheDocument();
  });
});
