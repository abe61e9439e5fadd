import { QueryClient } from '@tanstack/query-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { LiveBridge } from './bridge';
import { deriveConnection } from './connection';
import { FakeTimers } from '../test/fakeTimers';
import { CACHED, FakeSource } from '../test/fakeSource';

describe('LiveBridge', () => {
  let client: QueryClient;
  let timers: FakeTimers;
  let bridge: LiveBridge;

  beforeEach(() => {
    client = new QueryClient();
    timers = new FakeTimers();
    bridge = new LiveBridge(client, { graceMs: 1_000, timers });
  });

  it('opens ONE listener for many observers of the same key and writes snapshots to the cache', () => {
    const source = new FakeSource<number>(['stats']);
    const releases = [bridge.retain(source), bridge.retain(source), bridge.retain(new FakeSource<number>(['stats']))];
    expect(source.subscribeCount).toBe(1);
    expect(bridge.openListeners()).toBe(1);
    expect(bridge.statusOf(['stats'])).toBe('connecting');

    source.emit(7);
    expect(client.getQueryData(['stats'])).toBe(7);
    expect(bridge.statusOf(['stats'])).toBe('live');
    source.emit(8);
    expect(client.getQueryData(['stats'])).toBe(8);
    releases.forEach((r) => r());
  });

  it('unsubscribes only after the last observer leaves and the grace time passes', () => {
    const source = new FakeSource<number>(['k']);
    const a = bridge.retain(source);
    const b = bridge.retain(source);
    a();
    a(); // release is idempotent
    timers.advance(5_000);
    expect(source.unsubscribeCount).toBe(0);
    b();
    timers.advance(999);
    expect(source.unsubscribeCount).toBe(0);
    timers.advance(1);
    expect(source.unsubscribeCount).toBe(1);
    expect(bridge.openListeners()).toBe(0);
    expect(bridge.statusOf(['k'])).toBe('detached');
  });

  it('keeps the listener when an observer comes back within the grace time', () => {
    const source = new FakeSource<number>(['k']);
    bridge.retain(source)();
    timers.advance(500);
    const again = bridge.retain(source);
    timers.advance(10_000);
    expect(source.subscribeCount).toBe(1);
    expect(source.unsubscribeCount).toBe(0);
    again();
    timers.advance(1_000);
    expect(source.unsubscribeCount).toBe(1);
  });

  it('re-subscribes after a full detach', () => {
    const source = new FakeSource<number>(['k']);
    bridge.retain(source)();
    timers.advance(1_000);
    bridge.retain(source);
    expect(source.subscribeCount).toBe(2);
    expect(source.active).toBe(1);
  });

  it('surfaces a snapshot error as a query error, keeps the last data, and restarts on demand', () => {
    const source = new FakeSource<string>(['k']);
    bridge.retain(source);
    source.emit('first');
    source.fail(new Error('permission-denied'));
    const state = client.getQueryState(['k']);
    expect(state?.status).toBe('error');
    expect(state?.error?.message).toBe('permission-denied');
    expect(client.getQueryData(['k'])).toBe('first');
    expect(bridge.statusOf(['k'])).toBe('error');
    expect(bridge.errorOf(['k'])?.message).toBe('permission-denied');
    expect(bridge.openListeners()).toBe(0);

    bridge.restart(['k']);
    expect(source.subscribeCount).toBe(2);
    source.emit('second');
    expect(client.getQueryState(['k'])?.status).toBe('success');
    expect(client.getQueryData(['k'])).toBe('second');
    expect(bridge.errorOf(['k'])).toBeNull();
  });

  it('handles a subscribe function that throws synchronously', () => {
    const source = {
      key: ['bad'],
      subscribe: () => {
        throw new Error('invalid query');
      },
    };
    bridge.retain(source);
    expect(bridge.statusOf(['bad'])).toBe('error');
    expect(client.getQueryState(['bad'])?.error?.message).toBe('invalid query');
  });

  it('ignores callbacks of a listener it already closed', () => {
    let captured: { next: (v: number, m: typeof CACHED) => void } | null = null;
    const source = {
      key: ['late'],
      subscribe: (sink: { next: (v: number, m: typeof CACHED) => void }) => {
        captured = sink;
        return () => undefined;
      },
    };
    bridge.retain(source)();
    timers.advance(1_000);
    captured!.next(42, { fromCache: false, hasPendingWrites: false });
    expect(client.getQueryData(['late'])).toBeUndefined();
  });

  it('reports cache-served snapshots as reconnecting and notifies status listeners', () => {
    const a = new FakeSource<number>(['a']);
    const b = new FakeSource<number>(['b']);
    let notified = 0;
    bridge.subscribe(() => (notified += 1));
    bridge.retain(a);
    bridge.retain(b);
    a.emit(1);
    b.emit(1);
    const statuses = () => bridge.summaries().map((s) => s.status);
    expect(deriveConnection(true, statuses()).state).toBe('live');
    b.emit(1, CACHED);
    expect(deriveConnection(true, statuses()).state).toBe('reconnecting');
    expect(deriveConnection(false, statuses()).state).toBe('offline');
    b.emit(2);
    expect(deriveConnection(true, statuses()).state).toBe('live');
    expect(notified).toBeGreaterThanOrEqual(5);
  });

  it('a release after dispose does not orphan the next listener of that key (StrictMode remount)', () => {
    const s = new FakeSource<number>(['k']);
    const release = bridge.retain(s);
    bridge.dispose(); // the provider's cleanup runs first...
    release(); // ...then the child's
    const again = bridge.retain(s); // and the remount
    timers.advance(10_000);
    s.emit(5);
    expect(client.getQueryData(['k'])).toBe(5);
    expect(bridge.statusOf(['k'])).toBe('live');
    expect(bridge.openListeners()).toBe(1);
    again();
  });

  it('dispose closes everything', () => {
    const s = new FakeSource<number>(['k']);
    bridge.retain(s);
    bridge.dispose();
    expect(s.unsubscribeCount).toBe(1);
    expect(timers.pendingCount).toBe(0);
  });
});

describe('deriveConnection', () => {
  it('distinguishes idle, connecting and errors', () => {
    expect(deriveConnection(true, []).state).toBe('idle');
    expect(deriveConnection(true, ['connecting', 'live']).state).toBe('connecting');
    expect(deriveConnection(true, ['error', 'live', 'detached'])).toEqual({ state: 'live', errors: 1, listeners: 1 });
  });
});
