import { describe, expect, it, vi } from 'vitest';
import { ChunkReader } from './framing.js';
import type { Backchannel, SessionEndReason, SessionTiming } from './session.js';
import { WebChannelSession } from './session.js';
import { SessionRegistry } from './sessions.js';

const TIMING: SessionTiming = {
  keepAliveMs: 20_000,
  longPollHoldMs: 10_000,
  sessionTimeoutMs: 60_000,
  maxBufferedChars: 10_000,
  maxRetainedChars: 2_000,
  rotateAfterChars: 5_000,
  rotateAfterMs: 300_000,
};

/** A fake clock whose scheduled callbacks run when the test says so. */
function fakeClock() {
  let now = 1_000;
  const tasks: Array<() => void> = [];
  return {
    now: () => now,
    schedule: (fn: () => void) => tasks.push(fn),
    advance: (ms: number) => (now += ms),
    runScheduled: () => tasks.splice(0).forEach((fn) => fn()),
  };
}

class FakeBackchannel implements Backchannel {
  readonly chunks: string[] = [];
  ended = false;
  constructor(readonly longPoll = false) {}
  write(chunk: string): void {
    if (this.ended) throw new Error('write after end');
    this.chunks.push(chunk);
  }
  end(): void {
    this.ended = true;
  }
  /** Every array received, decoded. */
  arrays(): Array<[number, unknown[]]> {
    const reader = new ChunkReader();
    return this.chunks.flatMap((c) => reader.push(c)).flatMap((c) => JSON.parse(c) as Array<[number, unknown[]]>);
  }
}

function newSession(timing: Partial<SessionTiming> = {}) {
  const clock = fakeClock();
  const ended: SessionEndReason[] = [];
  const session = new WebChannelSession('S', 'G', 'Listen', { ...TIMING, ...timing }, clock, (_s, reason) => ended.push(reason));
  const stream = { request: vi.fn(async () => undefined), close: vi.fn() };
  session.stream = stream;
  return { session, clock, ended, stream };
}

describe('WebChannel session', () => {
  it('answers a new streaming backchannel at once with a noop (buffering-proxy detection)', () => {
    const { session } = newSession();
    const bc = new FakeBackchannel();
    expect(session.attach(bc, 0)).toBe(true);
    expect(bc.arrays()).toEqual([[1, ['noop']]]);
    expect(bc.ended).toBe(false);
    expect(session.lastSentId).toBe(1);
  });

  it('batches messages pushed in one burst into one chunk, in order', () => {
    const { session, clock } = newSession();
    const bc = new FakeBackchannel();
    session.attach(bc, 0);
    session.push([{ m: 1 }]);
    session.push([{ m: 2 }]);
    expect(bc.chunks).toHaveLength(1);
    clock.runScheduled();
    expect(bc.chunks).toHaveLength(2);
    expect(bc.arrays().slice(1)).toEqual([
      [2, [{ m: 1 }]],
      [3, [{ m: 2 }]],
    ]);
  });

  it('sends keep-alive noops on an idle streaming backchannel', () => {
    const { session, clock } = newSession();
    const bc = new FakeBackchannel();
    session.attach(bc, 0);
    clock.advance(19_999);
    session.tick();
    expect(bc.arrays()).toHaveLength(1);
    clock.advance(1);
    session.tick();
    expect(bc.arrays().map(([id, p]) => [id, p[0]])).toEqual([
      [1, 'noop'],
      [2, 'noop'],
    ]);
  });

  it('holds a long poll until data arrives, then answers and ends it', () => {
    const { session, clock } = newSession();
    const poll = new FakeBackchannel(true);
    session.attach(poll, 0);
    expect(poll.chunks).toEqual([]);
    session.push([{ m: 1 }]);
    clock.runScheduled();
    expect(poll.arrays()).toEqual([[1, [{ m: 1 }]]]);
    expect(poll.ended).toBe(true);
    expect(session.hasBackchannel).toBe(false);
    // Data queued between polls waits for the next poll, which is answered at once.
    session.push([{ m: 2 }]);
    const next = new FakeBackchannel(true);
    session.attach(next, 1);
    expect(next.arrays()).toEqual([[2, [{ m: 2 }]]]);
    expect(next.ended).toBe(true);
  });

  it('ends an idle long poll with a noop (an empty answer counts as a failure on the client)', () => {
    const { session, clock } = newSession();
    const poll = new FakeBackchannel(true);
    session.attach(poll, 0, 5_000);
    clock.advance(4_999);
    session.tick();
    expect(poll.ended).toBe(false);
    clock.advance(1);
    session.tick();
    expect(poll.arrays()).toEqual([[1, ['noop']]]);
    expect(poll.ended).toBe(true);
  });

  it('expires a session without backchannel and closes its stream', () => {
    const { session, clock, ended, stream } = newSession();
    const bc = new FakeBackchannel();
    session.attach(bc, 0);
    clock.advance(120_000);
    session.tick(); // attached: a keep-alive, no expiry
    expect(ended).toEqual([]);
    session.detach(bc);
    clock.advance(59_999);
    session.tick();
    expect(ended).toEqual([]);
    session.acceptMaps([]); // a forward POST counts as activity
    clock.advance(59_999);
    session.tick();
    expect(ended).toEqual([]);
    clock.advance(1);
    session.tick();
    expect(ended).toEqual(['expired']);
    expect(stream.close).toHaveBeenCalledOnce();
    expect(session.bufferedChars).toBe(0);
  });

  it('drops forward maps it has already seen (retried POSTs)', () => {
    const { session } = newSession();
    expect(session.acceptMaps([{ id: 0, data: 'a' }, { id: 1, data: 'b' }]).map((m) => m.id)).toEqual([0, 1]);
    expect(session.acceptMaps([{ id: 1, data: 'b' }, { id: 2, data: 'c' }]).map((m) => m.id)).toEqual([2]);
  });

  it('resends arrays a lost backchannel did not deliver, and only those', () => {
    const { session, clock } = newSession();
    const first = new FakeBackchannel();
    session.attach(first, 0);
    for (let i = 0; i < 3; i++) session.push([{ i }]);
    clock.runScheduled();
    session.detach(first); // connection lost; the client saw arrays up to 2
    const second = new FakeBackchannel();
    session.attach(second, 2);
    expect(second.arrays().map(([id]) => id)).toEqual([3, 4]);
  });

  it('ends the session when the arrays a client asks for can no longer be resent', () => {
    const { session, clock, ended } = newSession({ maxRetainedChars: 30 });
    const first = new FakeBackchannel();
    session.attach(first, 0);
    for (let i = 0; i < 5; i++) session.push([{ payload: 'x'.repeat(10) }]);
    clock.runScheduled();
    session.detach(first);
    expect(session.attach(new FakeBackchannel(), 1)).toBe(false);
    expect(ended).toEqual(['lost']);
  });

  it('ends a session whose client does not read once its buffer bound is reached', () => {
    const { session, ended, stream } = newSession({ maxBufferedChars: 500 });
    for (let i = 0; i < 100 && !session.closed; i++) session.push([{ payload: 'y'.repeat(20) }]);
    expect(ended).toEqual(['overflow']);
    expect(stream.close).toHaveBeenCalled();
    session.push([{ late: true }]); // ignored, no throw
  });

  it('delivers a stream error, then ends the session', () => {
    const { session, clock, ended } = newSession();
    session.fail([{ error: { code: 14, message: 'x', status: 'UNAVAILABLE' } }]);
    session.push([{ ignored: true }]);
    expect(ended).toEqual([]);
    const bc = new FakeBackchannel();
    session.attach(bc, 0);
    clock.runScheduled();
    expect(bc.arrays()).toEqual([[1, [{ error: { code: 14, message: 'x', status: 'UNAVAILABLE' } }]]]);
    expect(bc.ended).toBe(true);
    expect(ended).toEqual(['failed']);
  });

  it('ends a streaming backchannel after enough characters or time, so the client opens a fresh one', () => {
    const { session, clock } = newSession({ rotateAfterChars: 100 });
    const bc = new FakeBackchannel();
    session.attach(bc, 0);
    session.push([{ payload: 'z'.repeat(120) }]);
    clock.runScheduled();
    expect(bc.ended).toBe(true);
    expect(session.hasBackchannel).toBe(false);
    const next = new FakeBackchannel();
    session.attach(next, session.lastSentId);
    clock.advance(TIMING.rotateAfterMs);
    session.tick();
    expect(next.ended).toBe(true);
    expect(next.arrays().map(([, p]) => p[0])).toEqual(['noop', 'noop']);
    expect(session.closed).toBe(false);
  });

  it('replaces an older backchannel when the client opens a new one', () => {
    const { session } = newSession();
    const a = new FakeBackchannel();
    const b = new FakeBackchannel();
    session.attach(a, 0);
    session.attach(b, 1);
    expect(a.ended).toBe(true);
    session.detach(a); // the old response closing must not detach the new one
    expect(session.hasBackchannel).toBe(true);
  });
});

describe('WebChannel session registry', () => {
  it('bounds the number of sessions, frees ended ones and counts why they ended', () => {
    const clock = fakeClock();
    const registry = new SessionRegistry({ ...TIMING, maxSessions: 2 }, clock);
    const a = registry.create('Listen');
    const b = registry.create('Write');
    expect(a.sid).not.toBe(b.sid);
    expect(() => registry.create('Listen')).toThrow(/Too many open WebChannel sessions/);
    a.end('terminated');
    expect(registry.get(a.sid)).toBeUndefined();
    registry.create('Listen');
    clock.advance(TIMING.sessionTimeoutMs);
    registry.tick();
    expect(registry.size).toBe(0);
    expect(registry.stats()).toMatchObject({ sessions: 0, opened: 3, ended: { terminated: 1, expired: 2 } });
    registry.create('Listen');
    registry.closeAll();
    expect(registry.stats().ended.shutdown).toBe(1);
  });
});
