import { describe, expect, it } from 'vitest';
import { silentLogger } from '../ports/logger.js';
import type { DocStore, ListenSnapshot } from '../ports/store.js';
import { FakeClock } from '../testing/fake-clock.js';
import { listenResilient } from './resilient-listen.js';

describe('listenResilient', () => {
  it('re-subscribes with backoff after a terminal listener error, and stops cleanly', async () => {
    const clock = new FakeClock();
    const subscriptions: { onError: (e: Error) => void; closed: boolean }[] = [];
    const store = {
      listen: (_q: unknown, onNext: (s: ListenSnapshot<'jobs'>) => void, onError: (e: Error) => void) => {
        const sub = { onError, closed: false };
        subscriptions.push(sub);
        onNext({ docs: [], undecodable: [], readTime: clock.now() });
        return () => void (sub.closed = true);
      },
    } as unknown as DocStore;
    let snapshots = 0;
    const stop = listenResilient(store, { collection: 'jobs' }, () => void (snapshots += 1), { clock, log: silentLogger, what: 'test' });
    expect(subscriptions).toHaveLength(1);
    subscriptions[0]!.onError(new Error('index missing'));
    await clock.advance(499);
    expect(subscriptions).toHaveLength(1);
    await clock.advance(1);
    expect(subscriptions).toHaveLength(2);
    subscriptions[1]!.onError(new Error('again'));
    await clock.advance(999);
    expect(subscriptions).toHaveLength(2);
    await clock.advance(1);
    expect(subscriptions).toHaveLength(3);
    expect(snapshots).toBe(3);
    stop();
    expect(subscriptions[2]!.closed).toBe(true);
    await clock.advance(60_000);
    expect(subscriptions).toHaveLength(3);
  });
});
