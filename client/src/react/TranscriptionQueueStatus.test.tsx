import { createQueueClient, toRequest } from '@fq/client';
import { act, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { T0, job, stats } from '../test/factories.js';
import { FakeStore } from '../test/fakeStore.js';
import { TranscriptionQueueProvider } from './context.js';
import { TranscriptionQueueStatus } from './TranscriptionQueueStatus.js';

const root = (container: HTMLElement) => container.querySelector('.fq-status') as HTMLElement;

describe('TranscriptionQueueStatus', () => {
  it('renders a given request as unstyled markup with classes and data attributes', () => {
    const queued = toRequest('r1', job({ status: 'queued', position: 2, positionAt: T0 }), stats({ throughputPerMin: 60 }), T0);
    const { container } = render(<TranscriptionQueueStatus request={queued} className="mine" />);
    const el = root(container);
    expect(el.className).toBe('fq-status mine');
    expect(el.dataset).toMatchObject({ status: 'queued', requestId: 'r1' });
    expect(el.querySelector('.fq-status__label')?.textContent).toBe('Queued');
    expect(el.querySelector('.fq-status__position')?.getAttribute('data-position')).toBe('2');
    expect(el.querySelector('.fq-status__position')?.textContent).toBe('2 ahead');
    expect(el.querySelector('.fq-status__eta')?.textContent).toBe('starts in about 3 s');
    expect(el.querySelector('[class^="fq-status__error"]')).toBeNull();
  });

  it('shows a job deferred by the rate limit as scheduled, with the time it starts', () => {
    const scheduled = toRequest('r4', job({ status: 'waiting', availableAt: T0 + 40_000, deferredUntil: T0 + 40_000 }), null, T0);
    const { container } = render(<TranscriptionQueueStatus request={scheduled} />);
    const el = root(container);
    expect(el.dataset.status).toBe('scheduled');
    expect(el.querySelector('.fq-status__label')?.textContent).toBe('Scheduled');
    expect(el.querySelector('.fq-status__eta')?.textContent).toBe('starts in about 40 s (rate limit)');
    const time = el.querySelector('time.fq-status__scheduled') as HTMLTimeElement;
    expect(time.dateTime).toBe(new Date(T0 + 40_000).toISOString());
    expect(time.dataset.scheduledFor).toBe(String(T0 + 40_000));
    // A retry backoff is not a schedule.
    const retry = toRequest('r5', job({ status: 'waiting', attempts: 1, availableAt: T0 + 2_000 }), null, T0);
    const again = render(<TranscriptionQueueStatus request={retry} />);
    expect(root(again.container).dataset.status).toBe('waiting');
    expect(root(again.container).querySelector('.fq-status__scheduled')).toBeNull();
  });

  it('shows the error of a failed job with its code, and a transcript unless told not to', () => {
    const failed = toRequest('r2', job({ status: 'rejected', rejection: { code: 'PAYLOAD_INVALID', message: 'not audio' } }), null, T0);
    const { container, rerender } = render(<TranscriptionQueueStatus request={failed} />);
    const error = screen.getByRole('alert');
    expect(error.textContent).toBe('not audio');
    expect(error.dataset.errorCode).toBe('PAYLOAD_INVALID');
    const done = toRequest('r3', job({ status: 'succeeded', result: { transcript: 'bonjour', model: 'm', latencyMs: 1, upstreamMs: 1, audioSeconds: null, tokens: null } }), null, T0);
    rerender(<TranscriptionQueueStatus request={done} />);
    expect(root(container).querySelector('.fq-status__transcript')?.textContent).toBe('bonjour');
    rerender(<TranscriptionQueueStatus request={done} showTranscript={false} />);
    expect(root(container).querySelector('.fq-status__transcript')).toBeNull();
  });

  it('watches a request by id through the provider’s client', () => {
    const store = new FakeStore();
    store.serverNow = () => T0;
    const client = createQueueClient({ store, userId: 'u-1', storage: null, clock: { now: () => T0 }, tickMs: 0 });
    const { container } = render(
      <TranscriptionQueueProvider client={client}>
        <TranscriptionQueueStatus requestId="j" />
      </TranscriptionQueueProvider>,
    );
    expect(root(container).dataset.status).toBe('unknown');
    act(() => store.put('jobs', 'j', job({ status: 'running', progress: 0.5 })));
    expect(root(container).dataset.status).toBe('running');
    expect(root(container).querySelector('progress')?.getAttribute('value')).toBe('0.5');
    act(() => store.put('jobs', 'j', job({ status: 'cancelled', cancelRequest: { at: T0, by: 'u-1', reason: 'changed my mind' } })));
    expect(root(container).dataset.status).toBe('cancelled');
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
