import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { consoleRole } from '../auth/roles';
import { useControl } from '../features/controls/useControl';
import { FakeAuth } from '../test/fakeAuth';
import { breaker, job, lock, server, stats } from '../test/factories';
import { FakeData } from '../test/fakeData';
import { renderApp, renderPage } from '../test/render';

/** Data under which every control page offers its controls to an admin. */
function seeded(): FakeData {
  const data = new FakeData();
  data.put('stats', 'queue', stats());
  // The app runs on the real clock: a heartbeat from now, so the server is live (and drainable).
  data.put('servers', 'srv-a', server({ serverId: 'srv-a', heartbeatAt: Date.now() }));
  data.put('breakers', 'gemini-2.5-flash', breaker());
  data.put('locks', 'maintenance', lock());
  data.put('jobs', 'job-1', job({ status: 'failed' }));
  return data;
}

/** Each page with controls, and the controls an admin sees there. */
const PAGES: Array<{ path: string; ready: string; controls: string[] }> = [
  { path: '/queues', ready: 'Queues', controls: ['Pause queue', 'Pause high'] },
  { path: '/breakers', ready: 'gemini-2.5-flash', controls: ['Force open', 'Reset'] },
  { path: '/locks', ready: 'maintenance', controls: ['Force release'] },
  { path: '/servers', ready: 'srv-a', controls: ['Drain'] },
  { path: '/jobs/job-1', ready: 'job-1', controls: ['Retry job', 'Redrive job'] },
];

const viewer = () => new FakeAuth().as({ uid: 'viewer-1', email: 'viewer@example.com', isAdmin: false, isViewer: true });
const admin = () => new FakeAuth().as({ uid: 'admin-1', email: 'admin@example.com', isAdmin: true });

describe('the viewer role', () => {
  it('is decided in one place: admin operates (whatever else it has), viewer views, others get no console', () => {
    expect(consoleRole({ isAdmin: true })).toBe('operator');
    expect(consoleRole({ isAdmin: true, isViewer: true })).toBe('operator');
    expect(consoleRole({ isAdmin: false, isViewer: true })).toBe('viewer');
    expect(consoleRole({ isAdmin: false })).toBe('none');
  });

  it('a viewer gets the console, says so in the header, and sees every page', async () => {
    renderApp({ auth: viewer(), data: seeded() });
    expect(await screen.findByRole('navigation', { name: 'Console' }, { timeout: 15_000 })).toBeInTheDocument();
    expect(screen.getByTestId('signed-in-user')).toHaveTextContent('viewer@example.com(viewer)');
    // Pages load lazily: give a loaded machine time.
    expect(await screen.findByTestId('overview-page', {}, { timeout: 15_000 })).toBeInTheDocument();
    expect(screen.queryByTestId('not-authorised')).toBeNull();
  });

  for (const page of PAGES) {
    it(`${page.path}: an admin sees ${page.controls.join(', ')}; a viewer sees the data and none of them`, async () => {
      const asAdmin = renderApp({ auth: admin(), data: seeded(), path: page.path });
      const main = async () => within(await screen.findByRole('main'));
      await waitFor(async () => expect((await main()).getAllByText(page.ready, { exact: false }).length).toBeGreaterThan(0), { timeout: 15_000 });
      for (const label of page.controls) expect(await screen.findByRole('button', { name: label }, { timeout: 15_000 })).toBeInTheDocument();
      asAdmin.unmount();

      renderApp({ auth: viewer(), data: seeded(), path: page.path });
      await waitFor(async () => expect((await main()).getAllByText(page.ready, { exact: false }).length).toBeGreaterThan(0), { timeout: 15_000 });
      for (const label of page.controls) expect(screen.queryByRole('button', { name: label })).toBeNull();
    });
  }

  it("refuses a viewer's control in the browser too, before anything is written", async () => {
    const data = seeded();
    let run: ReturnType<typeof useControl>['run'] | null = null;
    function Probe() {
      run = useControl().run;
      return null;
    }
    renderPage(<Probe />, { data, auth: viewer() });
    await waitFor(() => expect(run).not.toBeNull());
    await expect(run!({ type: 'queue.pause' })).rejects.toThrow(/viewer cannot run controls/);
    expect(data.read('controls', 'queue')).toBeNull();
    expect(data.all('audit')).toEqual([]);
  });
});
