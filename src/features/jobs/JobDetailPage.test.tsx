import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { T0, job, stats } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { specs } from '../../data/queries';
import { renderPage } from '../../test/render';
import { JobDetailPage } from './JobDetailPage';

const err = (attempt: number, errorClass: 'overloaded' | 'quota', message: string) => ({
  at: T0 + attempt * 1_000,
  attempt,
  errorClass,
  code: errorClass === 'quota' ? 429 : 503,
  message,
  retryAfterMs: errorClass === 'quota' ? 30_000 : null,
  serverId: 'srv-a',
  model: 'gemini-2.5-flash',
});

function show(data: FakeData, id: string) {
  return renderPage(<JobDetailPage />, { data, path: `/jobs/${id}`, route: '/jobs/:jobId' });
}

// Real live bridge and control executor: a case can outlast vitest's default 5 s on a loaded machine.
describe('JobDetailPage', { timeout: 20_000 }, () => {
  it('shows attempts and the error history, and redrives a dead-lettered job', async () => {
    const data = new FakeData();
    data.put(
      'jobs',
      'j1',
      job({
        status: 'dead_lettered',
        attempts: 2,
        maxAttempts: 2,
        lastErrorClass: 'quota',
        errors: [err(1, 'overloaded', 'The model is overloaded.'), err(2, 'quota', 'Quota exceeded')],
      }),
    );
    const user = userEvent.setup();
    show(data, 'j1');
    const errors = await screen.findByTestId('job-errors');
    expect(within(errors).getAllByRole('row')).toHaveLength(3);
    expect(errors).toHaveTextContent('The model is overloaded.');
    expect(errors).toHaveTextContent('30 s');
    expect(screen.queryByRole('button', { name: 'Cancel job' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Redrive job' }));
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(screen.getByTestId('job-status')).toHaveAttribute('data-status', 'queued'));
    // queued now: redrive is no longer offered, cancel is
    expect(screen.queryByRole('button', { name: 'Redrive job' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Cancel job' })).toBeInTheDocument();
  });

  it('says a job "cannot run again" only when its audio is gone and it could otherwise be redriven', async () => {
    const data = new FakeData();
    data.put('jobs', 'done', job({ status: 'succeeded', completedAt: T0, payloadDeletedAt: T0 + 1_000 }));
    data.put('jobs', 'stopped', job({ status: 'cancelled', completedAt: T0, payloadDeletedAt: T0 + 1_000 }));
    data.put('jobs', 'dead', job({ status: 'dead_lettered', attempts: 5, completedAt: T0, payloadDeletedAt: T0 + 1_000 }));
    for (const id of ['done', 'stopped']) {
      const view = show(data, id);
      expect(await screen.findByTestId('audio-gone-note')).toHaveTextContent('Its audio was deleted once the job ended.');
      expect(screen.queryByText(/cannot run again/)).toBeNull();
      view.unmount();
    }
    show(data, 'dead');
    expect(await screen.findByTestId('audio-gone-note')).toHaveTextContent('Its audio was deleted, so it cannot run again; submit it anew.');
    expect(screen.getByRole('button', { name: 'Redrive job' })).toBeDisabled();
  });

  it("counts a redrive in the rollups and stamps a cancel's expiry with the fleet's published retention", async () => {
    const data = new FakeData();
    data.put('jobs', 'd1', job({ status: 'dead_lettered', attempts: 2, maxAttempts: 2, completedAt: T0 }));
    data.put('jobs', 'q1', job({ status: 'queued' }));
    data.put('stats', 'queue', stats({ controlRetention: { finishedJobsMs: 3_600_000 } }));
    const user = userEvent.setup();
    const view = show(data, 'd1');
    await user.click(await screen.findByRole('button', { name: 'Redrive job' }));
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(screen.getByTestId('job-status')).toHaveAttribute('data-status', 'queued'));
    // The control's own analytics partial, merged by the leader like a server's.
    const partials = data.all('analyticsPartials').map(([, raw]) => raw as { counters: { redriven: number }; serverId: string });
    expect(partials).toMatchObject([{ counters: { redriven: 1, cancelled: 0 }, serverId: expect.stringMatching(/^control:jobs:d1:/) }]);
    view.unmount();
    show(data, 'q1');
    await user.click(await screen.findByRole('button', { name: 'Cancel job' }));
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(screen.getByTestId('job-status')).toHaveAttribute('data-status', 'cancelled'));
    const cancelled = data.read('jobs', 'q1');
    if (!cancelled?.ok) throw new Error('the cancelled job does not decode');
    expect(cancelled.data.expireAt).toBe((cancelled.data.completedAt ?? NaN) + 3_600_000);
  });

  it('cancels a running job by requesting cancellation from its worker', async () => {
    const data = new FakeData();
    data.put('jobs', 'r1', job({ status: 'running', lease: { owner: 'srv-b', token: 3, acquiredAt: T0, expiresAt: T0 + 30_000, heartbeatAt: T0 } }));
    const user = userEvent.setup();
    show(data, 'r1');
    await user.click(await screen.findByRole('button', { name: 'Cancel job' }));
    expect(screen.getByRole('dialog')).toHaveTextContent('its worker gets a cancel request');
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => {
      const r = data.read('jobs', 'r1');
      expect(r?.ok && r.data.cancelRequest).toMatchObject({ by: 'admin-1' });
    });
    expect(await screen.findByText('Cancel requested')).toBeInTheDocument();
  });

  it('a job with inline audio: what the page watches never holds the bytes, and a redrive keeps them stored', async () => {
    const data = new FakeData();
    const audio = new Uint8Array(2_000).fill(7);
    data.put('jobs', 'in1', job({ status: 'dead_lettered', audio: { mimeType: 'audio/wav', bytes: 2_000, chunkCount: 0 }, inlineAudio: audio }));
    const watched: unknown[] = [];
    const stop = data.watchDoc(specs.job('in1'), { next: (row) => watched.push(row), error: () => undefined });
    const user = userEvent.setup();
    show(data, 'in1');
    expect(await screen.findByText(/inline in the job/)).toBeInTheDocument();
    await user.click(await screen.findByRole('button', { name: 'Redrive job' }));
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(screen.getByTestId('job-status')).toHaveAttribute('data-status', 'queued'));
    stop();
    // The control read the job whole in its transaction and wrote the audio back unchanged.
    const stored = data.read('jobs', 'in1');
    expect(stored?.ok && stored.data).toMatchObject({ status: 'queued', redriveCount: 1, inlineAudio: audio });
    // Every row the page's data layer handed out had the audio dropped.
    expect(watched.length).toBeGreaterThanOrEqual(2);
    for (const row of watched) expect(row).toMatchObject({ ok: true, data: { inlineAudio: null, audio: { chunkCount: 0 } } });
  });

  it('shows the transcript of a finished job and a clear message for unknown ids', async () => {
    const data = new FakeData();
    data.put('jobs', 'done', job({ status: 'succeeded', result: { transcript: 'hello world', model: 'm', latencyMs: 1_500, upstreamMs: 900, audioSeconds: 2, tokens: 64 } }));
    const view = show(data, 'done');
    expect(await screen.findByTestId('job-transcript')).toHaveTextContent('hello world');
    view.unmount();
    show(data, 'missing');
    expect(await screen.findByText(/No job with this id/)).toBeInTheDocument();
  });
});
