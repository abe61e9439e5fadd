import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { breaker, leader, server, stats } from '../../test/factories';
import { FakeAuth } from '../../test/fakeAuth';
import { FakeData } from '../../test/fakeData';
import { renderApp } from '../../test/render';

function fleet(): FakeData {
  const data = new FakeData();
  const now = Date.now();
  data.put('stats', 'queue', stats({ at: now, byStatus: { queued: 5, waiting: 1, running: 2 }, successRate: 0.8 }));
  data.put('servers', 'srv-a', server({ serverId: 'srv-a', heartbeatAt: now }));
  data.put('servers', 'srv-b', server({ serverId: 'srv-b', heartbeatAt: now, state: 'draining' }));
  data.put('leader', 'current', leader({ holder: 'srv-a', renewedAt: now, expiresAt: now + 60_000 }));
  data.put('breakers', 'gemini-2.5-flash', breaker({ model: 'gemini-2.5-flash', state: 'closed' }));
  return data;
}

describe('/monitor: the console renders the embeddable EnterpriseQueueMonitor', () => {
  it('shows the fleet to an operator through the @fq/client store', async () => {
    renderApp({ auth: new FakeAuth().as({ isAdmin: true }), data: fleet(), path: '/monitor' });
    // The page is a lazy chunk: its first import in a test run takes a while.
    const monitor = await screen.findByRole('region', { name: 'Transcription queue' }, { timeout: 15_000 });
    await waitFor(() => expect(monitor).toHaveAttribute('data-loading', 'false'));
    expect(monitor).toHaveAttribute('data-servers', '2');
    expect(monitor).toHaveAttribute('data-queue-size', '6');
    expect(monitor).toHaveAttribute('data-breaker', 'closed');
    expect(screen.getByTestId('fq-monitor-success-rate')).toHaveTextContent('80%');
    expect(monitor.querySelector('.fq-monitor__leader')).toHaveTextContent('srv-a');
    expect(screen.queryByRole('alert')).toBeNull();
  }, 30_000);

  it('is not for end users', async () => {
    renderApp({ auth: new FakeAuth().as({ uid: 'u-1', isAdmin: false }), data: fleet(), path: '/monitor' });
    expect(await screen.findByTestId('not-authorised', {}, { timeout: 15_000 })).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Transcription queue' })).toBeNull();
  }, 30_000);
});
