import { payloadChunkId } from '@fq/worker/schema';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { T0, audit, job } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { renderPage } from '../../test/render';
import { JobDetailPage } from './JobDetailPage';

// The page runs the real live bridge and control executor: on a loaded shared machine one
// case (typing a reason, a committed control) can take longer than vitest's default 5 s.
const SLOW = { timeout: 20_000 };

function show(data: FakeData, id: string) {
  return renderPage(<JobDetailPage />, { data, path: `/jobs/${id}`, route: '/jobs/:jobId' });
}

const failure = {
  at: T0 + 5_000,
  attempt: 1,
  errorClass: 'invalid' as const,
  code: 400,
  message: 'Request contains an invalid argument.',
  retryAfterMs: null,
  serverId: 'srv-a',
  model: 'gemini-2.5-flash',
};

describe('JobDetailPage: timeline', SLOW, () => {
  it("shows the failed attempt with its upstream status, and a redrive made here with the operator's e-mail and reason", async () => {
    const data = new FakeData();
    data.put('jobs', 'j1', job({ status: 'failed', userId: 'uid-ann', userEmail: 'ann@example.com', attempts: 1, completedAt: T0 + 5_000, admittedAt: T0 + 100, errors: [failure] }));
    // Another job's entry never shows on this page.
    data.put('audit', 'other', audit({ action: 'job.cancel', target: { kind: 'job', id: 'j2' }, targetIds: ['j2'], reason: 'not this one' }));
    const user = userEvent.setup();
    show(data, 'j1');
    const timeline = await screen.findByTestId('job-timeline');
    const attempt = within(timeline).getAllByTestId('timeline-row').find((r) => r.dataset.kind === 'attempt')!;
    expect(attempt).toHaveTextContent('Attempt 1');
    expect(attempt).toHaveTextContent('srv-a');
    expect(attempt).toHaveTextContent('failed: invalid (HTTP 400)');
    expect(attempt).toHaveTextContent('Request contains an invalid argument.');
    expect(timeline).toHaveTextContent('Failed permanently');
    // The submitter by e-mail, in the summary and the timeline; the uid stays beside it.
    expect(screen.getByTestId('job-user')).toHaveTextContent('ann@example.com');
    expect(screen.getByText('uid-ann')).toBeInTheDocument();
    expect(within(timeline).getAllByTestId('timeline-row')[0]).toHaveTextContent('ann@example.com');

    await user.click(screen.getByRole('button', { name: 'Redrive job' }));
    await user.type(screen.getByLabelText(/Reason/), 'prompt fixed upstream');
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    // The control's audit entry reaches the timeline through the page's audit listener.
    const redrive = await waitFor(() => {
      const row = within(screen.getByTestId('job-timeline'))
        .getAllByTestId('timeline-row')
        .find((r) => r.dataset.kind === 'operator');
      expect(row).toBeDefined();
      return row!;
    });
    expect(redrive).toHaveTextContent('Redriven by an operator');
    expect(redrive).toHaveTextContent('admin@example.com');
    expect(redrive).toHaveTextContent('Reason: prompt fixed upstream');
    expect(screen.getByTestId('job-timeline')).not.toHaveTextContent('not this one');
  });

  it("names the person who asked for a cancel by the e-mail of their audit entry, not by uid", async () => {
    const data = new FakeData();
    data.put(
      'jobs',
      'r1',
      job({ status: 'running', cancelRequest: { at: T0, by: 'uid-op', reason: null }, lease: { owner: 'srv-b', token: 3, acquiredAt: T0 - 5_000, expiresAt: T0 + 25_000, heartbeatAt: T0 } }),
    );
    data.put('audit', 'c1', audit({ at: T0, action: 'job.cancel', target: { kind: 'job', id: 'r1' }, targetIds: ['r1'], actor: { kind: 'admin', id: 'uid-op', email: 'op@example.com' } }));
    show(data, 'r1');
    expect(await screen.findByText(/by op@example\.com/)).toBeInTheDocument();
    expect(screen.queryByText(/by uid-op/)).toBeNull();
    const running = within(await screen.findByTestId('job-timeline'))
      .getAllByTestId('timeline-row')
      .find((r) => r.dataset.kind === 'attempt')!;
    expect(running).toHaveTextContent('running');
    expect(running).toHaveTextContent('Lease #3, renewed');
  });
});

describe('JobDetailPage: raw document', SLOW, () => {
  it('shows the document as JSON with its inline audio elided to its size, and copies it', async () => {
    const data = new FakeData();
    const audio = new Uint8Array(2_000).fill(7);
    data.put('jobs', 'in1', job({ status: 'dead_lettered', source: 'server', audio: { mimeType: 'audio/wav', bytes: 2_000, chunkCount: 0 }, inlineAudio: audio }));
    const user = userEvent.setup();
    show(data, 'in1');
    const raw = await screen.findByTestId('raw-document');
    expect(raw).not.toHaveAttribute('open');
    await user.click(within(raw).getByText(/Raw document \(JSON\)/));
    expect(raw).toHaveAttribute('open');
    const json = screen.getByTestId('raw-json').textContent!;
    const parsed = JSON.parse(json) as Record<string, unknown>;
    expect(parsed).toMatchObject({ id: 'in1', status: 'dead_lettered', inlineAudio: '<2,000 bytes of audio, elided>', audio: { bytes: 2_000 } });
    expect(json).not.toContain('7,7,7');
    await user.click(within(raw).getByRole('button', { name: 'Copy JSON' }));
    expect(await within(raw).findByText('Copied.')).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(json);
  });
});

describe('JobDetailPage: audio playback', SLOW, () => {
  const created: Blob[] = [];
  const originalCreate = URL.createObjectURL;
  const originalRevoke = URL.revokeObjectURL;
  beforeEach(() => {
    created.length = 0;
    URL.createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return `blob:test/${created.length}`;
    });
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLMediaElement.prototype, 'play').mockResolvedValue(undefined);
  });
  afterEach(() => {
    URL.createObjectURL = originalCreate;
    URL.revokeObjectURL = originalRevoke;
    vi.restoreAllMocks();
  });

  it('reads the chunks only when play is pressed, then plays them as one blob', async () => {
    const data = new FakeData();
    data.put('jobs', 'c1', job({ status: 'waiting', audio: { mimeType: 'audio/wav', bytes: 5, chunkCount: 2 } }));
    data.put('payloads', payloadChunkId('c1', 0), { jobId: 'c1', userId: 'user-1', index: 0, count: 2, data: new Uint8Array([1, 2, 3]), createdAt: T0 });
    data.put('payloads', payloadChunkId('c1', 1), { jobId: 'c1', userId: 'user-1', index: 1, count: 2, data: new Uint8Array([4, 5]), createdAt: T0 });
    const reads = vi.spyOn(data, 'getDoc');
    const user = userEvent.setup();
    const view = show(data, 'c1');
    const play = await screen.findByRole('button', { name: 'Play audio' });
    expect(screen.getByTestId('audio-playback')).toHaveTextContent('2 chunk reads');
    expect(reads).not.toHaveBeenCalled();
    await user.click(play);
    const audioEl = await screen.findByTestId('job-audio');
    expect(audioEl).toHaveAttribute('src', 'blob:test/1');
    expect(reads.mock.calls.map(([spec]) => spec.id)).toEqual([payloadChunkId('c1', 0), payloadChunkId('c1', 1)]);
    expect(created).toHaveLength(1);
    expect(created[0]!.type).toBe('audio/wav');
    expect(Array.from(new Uint8Array(await created[0]!.arrayBuffer()))).toEqual([1, 2, 3, 4, 5]);
    expect(HTMLMediaElement.prototype.play).toHaveBeenCalled();
    view.unmount();
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:test/1');
  });

  it("reads inline audio whole (the page's own view of the job never holds it)", async () => {
    const data = new FakeData();
    const bytes = new Uint8Array(300).fill(9);
    data.put('jobs', 'i1', job({ status: 'failed', source: 'server', audio: { mimeType: 'audio/mpeg', bytes: 300, chunkCount: 0 }, inlineAudio: bytes }));
    const user = userEvent.setup();
    show(data, 'i1');
    await user.click(await screen.findByRole('button', { name: 'Play audio' }));
    expect(await screen.findByTestId('job-audio')).toHaveAttribute('src', 'blob:test/1');
    expect(created[0]!.type).toBe('audio/mpeg');
    expect(new Uint8Array(await created[0]!.arrayBuffer())).toEqual(bytes);
  });

  it('says the audio is gone once the job released it, and offers no button', async () => {
    const data = new FakeData();
    data.put('jobs', 'd1', job({ status: 'succeeded', completedAt: T0, payloadDeletedAt: T0 }));
    show(data, 'd1');
    expect(await screen.findByTestId('audio-gone')).toHaveTextContent('so it can no longer be played');
    expect(screen.queryByRole('button', { name: 'Play audio' })).toBeNull();
  });

  it('a chunk deleted meanwhile: a clear message, no player', async () => {
    const data = new FakeData();
    data.put('jobs', 'm1', job({ status: 'failed', audio: { mimeType: 'audio/wav', bytes: 3, chunkCount: 1 } }));
    const user = userEvent.setup();
    show(data, 'm1');
    await user.click(await screen.findByRole('button', { name: 'Play audio' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The audio of job m1 is no longer stored');
    expect(screen.queryByTestId('job-audio')).toBeNull();
    expect(created).toHaveLength(0);
  });
});
