import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeWav } from '../test/audio';
import type { JobDoc } from '@fq/worker/schema';
import { T0, job, rateLimit, stats } from '../test/factories';
import { FakeAuth } from '../test/fakeAuth';
import { FakeData } from '../test/fakeData';
import { queueStoreOver } from '../test/queueStore';
import { renderApp, renderPage } from '../test/render';
import { QueueClientGate } from './QueueClientGate';
import { TranscribePage } from './TranscribePage';
import type { RecorderEnv } from './useRecorder';

/** The page as the app mounts it: inside the gate that gives it the user's `@fq/client` client (over the fake data). */
function renderTranscribe(recorderEnv: RecorderEnv, options: { data: FakeData; auth: FakeAuth }) {
  return renderPage(
    <QueueClientGate loadStore={() => Promise.resolve(queueStoreOver(options.data))}>
      <TranscribePage recorderEnv={recorderEnv} />
    </QueueClientGate>,
    options,
  );
}

const endUser = () => new FakeAuth().as({ uid: 'u-1', email: 'user@example.com', isAdmin: false });

function finish(data: FakeData, id: string, transcript: string) {
  const r = data.read('jobs', id);
  if (!r?.ok) throw new Error('missing job');
  data.put('jobs', id, {
    ...r.data,
    status: 'succeeded',
    updatedAt: T0,
    result: { transcript, model: 'gemini-2.5-flash', latencyMs: 900, upstreamMs: 500, audioSeconds: 1, tokens: 32 },
  });
}

describe('end-user transcription page', () => {
  it('is reachable at /app by a non-admin user', async () => {
    renderApp({ auth: endUser(), path: '/app' });
    expect(await screen.findByTestId('transcribe-page')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Firequeue transcription');
  });

  it('offers sign-up when signed out', async () => {
    renderApp({ path: '/app' });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'No account? Create one' }));
    expect(screen.getByRole('form', { name: 'Create account' })).toBeInTheDocument();
  });

  it('uploads a file, shows position/ETA and rate-limit remaining, then the transcript', async () => {
    const data = new FakeData();
    data.serverNow = () => T0;
    data.put('stats', 'queue', stats({ avgServiceMs: 3_000, fleetConcurrency: 1, throughputPerMin: 20 }));
    data.put('rateLimits', 'u-1', rateLimit({ userId: 'u-1', remaining: 7, limit: 10, burst: 0, resetAt: T0 + 40_000 }));
    const user = userEvent.setup();
    renderTranscribe({}, { data, auth: endUser() });
    // The figures arrive with the client's first snapshot, after the page is up.
    await waitFor(() => expect(screen.getByTestId('rate-remaining')).toHaveTextContent('7 / 10'));
    expect(screen.getByText(/Recording is not available/)).toBeInTheDocument();

    const file = new File([makeWav(1) as Uint8Array<ArrayBuffer>], 'hello.wav', { type: 'audio/wav' });
    await user.upload(screen.getByLabelText(/Audio file/), file);
    await user.click(screen.getByRole('button', { name: 'Transcribe' }));
    await waitFor(() => expect(data.commits).toHaveLength(1));
    const jobId = data.commits[0]![0]!.id as string;
    const item = await screen.findByTestId(`request-${jobId}`);
    // the engine admits it and publishes a position
    const r = data.read('jobs', jobId);
    act(() =>
      data.put('jobs', jobId, { ...(r?.ok ? r.data : (undefined as never)), status: 'queued', position: 2, positionAt: T0, updatedAt: T0, maxAttempts: 5 }),
    );
    await waitFor(() => expect(item).toHaveAttribute('data-status', 'queued'));
    // Two ahead, three starts at 20 per minute.
    expect(screen.getByTestId('position-eta')).toHaveTextContent('2 ahead · starts in about 9.0 s');
    act(() => data.put('jobs', jobId, { ...(data.read('jobs', jobId) as { ok: true; data: JobDoc }).data, position: 0, estimatedWaitMs: 1_000, positionAt: T0 }));
    await waitFor(() => expect(screen.getByTestId('position-eta')).toHaveTextContent('next in line · starts in about 1.0 s'));
    act(() => finish(data, jobId, 'bonjour tout le monde'));
    expect(await screen.findByTestId('transcript')).toHaveTextContent('bonjour tout le monde');
    expect(screen.getByTestId('notice')).toHaveTextContent(`Transcript ready for ${jobId}`);
  });

  it('says when a job deferred by the rate limit is scheduled, then shows its transcript', async () => {
    const data = new FakeData();
    data.serverNow = () => T0;
    data.put('rateLimits', 'u-1', rateLimit({ userId: 'u-1', remaining: 0, limit: 1, burst: 0, count: 2, resetAt: T0 + 120_000 }));
    const booked = T0 + 61_000;
    // Admission deferred it instead of refusing it: waiting for the start it booked.
    data.put('jobs', 'later', job({ userId: 'u-1', status: 'waiting', admittedAt: T0, rank: booked, availableAt: booked, deferredUntil: booked }));
    renderTranscribe({}, { data, auth: endUser() });
    const item = await screen.findByTestId('request-later');
    expect(item).toHaveAttribute('data-status', 'scheduled');
    expect(within(item).getByText('scheduled')).toBeInTheDocument();
    // HH:MM:SS and the zone's name in the browser's time zone, as every time on the page.
    const at = new Date(booked).toLocaleTimeString('en-GB', { hour12: false });
    expect(at).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(within(item).getByTestId('position-eta')).toHaveTextContent(new RegExp(`^Scheduled for ${at} \\S+ \\(rate limit\\)$`));
    // Still the user's to cancel, and nothing to report yet.
    expect(within(item).getByRole('button', { name: 'Cancel' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    // Due: the engine queues it, then it runs to a transcript.
    act(() => data.put('jobs', 'later', { ...(data.read('jobs', 'later') as { ok: true; data: JobDoc }).data, status: 'queued', availableAt: null, position: 0, positionAt: T0 }));
    await waitFor(() => expect(item).toHaveAttribute('data-status', 'queued'));
    expect(within(item).getByTestId('position-eta')).not.toHaveTextContent('Scheduled');
    act(() => finish(data, 'later', 'au bon moment'));
    expect(await within(item).findByTestId('transcript')).toHaveTextContent('au bon moment');
  });

  it('tells the user which priorities an operator paused and marks their held jobs', async () => {
    const data = new FakeData();
    data.serverNow = () => T0;
    data.put('stats', 'queue', stats({ pausedPriorities: ['low'] }));
    data.put('jobs', 'held', job({ userId: 'u-1', status: 'queued', priority: 'low' }));
    data.put('jobs', 'moving', job({ userId: 'u-1', status: 'queued', priority: 'high' }));
    renderTranscribe({}, { data, auth: endUser() });
    expect(await screen.findByTestId('paused-notice')).toHaveTextContent('An operator paused low priority jobs');
    expect(await screen.findByTestId('request-held')).toHaveTextContent('on hold (paused)');
    expect(screen.getByTestId('request-moving')).not.toHaveTextContent('on hold');
    act(() => data.put('stats', 'queue', stats({ paused: true })));
    await waitFor(() => expect(screen.getByTestId('paused-notice')).toHaveTextContent('The queue is paused by an operator'));
    expect(screen.getByTestId('request-moving')).toHaveTextContent('on hold (paused)');
  });

  it('offers Cancel once: a job with a recorded cancel request shows "cancelling" and no button', async () => {
    const data = new FakeData();
    data.put('jobs', 'j1', job({ userId: 'u-1', status: 'queued' }));
    const user = userEvent.setup();
    renderTranscribe({}, { data, auth: endUser() });
    const item = await screen.findByTestId('request-j1');
    await user.click(within(item).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(within(item).queryByRole('button', { name: 'Cancel' })).not.toBeInTheDocument());
    expect(item).toHaveTextContent('cancelling');
    expect(data.commits).toHaveLength(1);
  });

  it('shows a clear error for a file that is not audio and writes nothing', async () => {
    const data = new FakeData();
    const user = userEvent.setup();
    renderTranscribe({}, { data, auth: endUser() });
    const bogus = new File(['definitely not a wav file'], 'x.wav', { type: 'audio/wav' });
    await user.upload(await screen.findByLabelText(/Audio file/), bogus);
    await user.click(screen.getByRole('button', { name: 'Transcribe' }));
    expect(await screen.findByTestId('submit-error')).toHaveTextContent(/audio declared as audio\/wav/);
    expect(data.commits).toHaveLength(0);
  });

  it('records with MediaRecorder and submits the clip', async () => {
    const data = new FakeData();
    const stopped: string[] = [];
    class FakeRecorder {
      mimeType = 'audio/webm;codecs=opus';
      ondataavailable: ((e: { data: Blob }) => void) | null = null;
      onstop: (() => void) | null = null;
      start() {}
      stop() {
        // a real WebM/EBML header so the engine's format check accepts it
        this.ondataavailable?.({ data: new Blob([new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, ...new Array<number>(60).fill(0)])], { type: 'audio/webm' }) });
        this.onstop?.();
      }
    }
    const env: RecorderEnv = {
      getUserMedia: () => Promise.resolve({ getTracks: () => [{ stop: () => stopped.push('track') }] } as unknown as MediaStream),
      MediaRecorder: FakeRecorder as unknown as typeof MediaRecorder,
      now: () => T0,
    };
    const user = userEvent.setup();
    renderTranscribe(env, { data, auth: endUser() });
    await user.click(await screen.findByRole('button', { name: 'Record' }));
    await user.click(await screen.findByRole('button', { name: 'Stop and transcribe' }));
    await waitFor(() => expect(data.commits).toHaveLength(1));
    expect(stopped).toEqual(['track']);
    const jobData = data.commits[0]![0]! as unknown as { data: { audio: { mimeType: string } } };
    expect(jobData.data.audio.mimeType).toBe('audio/webm');
  });

  it('explains a denied microphone', async () => {
    const env: RecorderEnv = {
      getUserMedia: () => Promise.reject(new DOMException('no', 'NotAllowedError')),
      MediaRecorder: class {} as unknown as typeof MediaRecorder,
    };
    renderTranscribe(env, { data: new FakeData(), auth: endUser() });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Record' }));
    expect(await screen.findByText('Microphone access was denied.')).toBeInTheDocument();
  });
  it("offers only the priorities the user's tier allows", async () => {
    const data = new FakeData();
    data.serverNow = () => T0;
    const auth = new FakeAuth().as({ uid: 'u-1', email: 'user@example.com', isAdmin: false, priorities: ['normal', 'low'] });
    renderTranscribe({}, { data, auth });
    const select = await screen.findByLabelText(/Priority/);
    const offered = [...select.querySelectorAll('option')].map((o) => o.getAttribute('value'));
    expect(offered).toEqual(['normal', 'low']);
  });
});
