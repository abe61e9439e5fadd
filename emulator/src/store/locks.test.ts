import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LockOwner } from './locks.js';
import { LockManager } from './locks.js';

const owner = (id: string, priority: number): LockOwner & { woundedCalls: number } => {
  const o = {
    id,
    priority,
    wounded: false,
    woundedCalls: 0,
    onWounded() {
      o.woundedCalls++;
    },
  };
  return o;
};

const settled = async (p: Promise<unknown>): Promise<'resolved' | 'rejected' | 'pending'> => {
  let state: 'resolved' | 'rejected' | 'pending' = 'pending';
  p.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await Promise.resolve();
  await Promise.resolve();
  return state;
};

afterEach(() => {
  vi.useRealTimers();
});

describe('wound-wait lock manager', () => {
  it('shares read locks and makes a younger writer wait for an older reader', async () => {
    const locks = new LockManager(0);
    const older = owner('old', 1);
    const younger = owner('young', 2);
    await locks.acquire(older, 'k', 'shared');
    await locks.acquire(younger, 'k', 'shared');
    const upgrade = locks.acquire(younger, 'k', 'exclusive');
    expect(await settled(upgrade)).toBe('pending');
    locks.releaseAll(older);
    expect(await settled(upgrade)).toBe('resolved');
    locks.releaseAll(younger);
    expect(locks.size).toBe(0);
  });

  it('lets an older writer wound a younger holder', async () => {
    const locks = new LockManager(0);
    const older = owner('old', 1);
    const younger = owner('young', 2);
    await locks.acquire(younger, 'k', 'shared');
    await locks.acquire(older, 'k', 'shared');
    await locks.acquire(older, 'k', 'exclusive');
    expect(younger.wounded).toBe(true);
    expect(younger.woundedCalls).toBe(1);
    await expect(locks.acquire(younger, 'other', 'shared')).rejects.toMatchObject({ status: 'ABORTED' });
    expect(locks.holds(older, 'k')).toBe('exclusive');
  });

  it('aborts a wounded owner that was waiting elsewhere', async () => {
    const locks = new LockManager(0);
    const a = owner('a', 1);
    const b = owner('b', 2);
    const c = owner('c', 3);
    await locks.acquire(a, 'x', 'exclusive');
    await locks.acquire(c, 'y', 'exclusive');
    const cWaits = locks.acquire(c, 'x', 'shared');
    await locks.acquire(b, 'y', 'exclusive'); // b is older than c: wounds it
    await expect(cWaits).rejects.toMatchObject({ status: 'ABORTED' });
    locks.releaseAll(a);
    locks.releaseAll(b);
    expect(locks.size).toBe(0);
  });

  it('queues younger requests behind an older waiting writer (no starvation)', async () => {
    const locks = new LockManager(0);
    const oldest = owner('o', 1);
    const writer = owner('w', 2);
    const late = owner('l', 3);
    await locks.acquire(oldest, 'k', 'shared');
    const w = locks.acquire(writer, 'k', 'exclusive');
    const l = locks.acquire(late, 'k', 'shared');
    expect(await settled(w)).toBe('pending');
    expect(await settled(l)).toBe('pending');
    locks.releaseAll(oldest);
    expect(await settled(w)).toBe('resolved');
    expect(await settled(l)).toBe('pending');
    locks.releaseAll(writer);
    expect(await settled(l)).toBe('resolved');
  });

  it('gives up waiting after the lock timeout with ABORTED', async () => {
    vi.useFakeTimers();
    const locks = new LockManager(1000);
    const holder = owner('h', 1);
    const waiter = owner('w', 2);
    await locks.acquire(holder, 'k', 'exclusive');
    const w = locks.acquire(waiter, 'k', 'exclusive');
    const outcome = w.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1001);
    expect(await outcome).toMatchObject({ status: 'ABORTED', message: expect.stringMatching(/lock timeout/) });
    locks.releaseAll(holder);
    expect(locks.size).toBe(0);
  });

  it('tryAcquire decides at once: wounds a younger holder, refuses behind an older one, never queues', () => {
    const locks = new LockManager(0);
    const oldest = owner('oldest', 1);
    const middle = owner('middle', 2);
    const youngest = owner('youngest', 3);
    expect(locks.tryAcquire(middle, 'range', 'shared')).toBe(true);
    expect(locks.tryAcquire(youngest, 'range', 'exclusive')).toBe(false);
    expect(locks.waiters).toBe(0);
    expect(locks.tryAcquire(oldest, 'range', 'exclusive')).toBe(true);
    expect(middle.wounded).toBe(true);
    locks.releaseAll(oldest);
    expect(locks.size).toBe(0);
  });
});
