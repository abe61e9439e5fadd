import { afterEach, describe, expect, it } from 'vitest';
import { capacityAt } from './capacity-schedule.js';
import { startFakeGemini, type FakeGeminiHandle } from './server.js';
import { makeTestWav } from './test-audio.js';
import { callFake, generateBody, manualClock, until } from './test-kit.js';

describe('capacityAt', () => {
  const schedule = [
    { atMs: 20_000, capacity: 2 },
    { atMs: 0, capacity: 6 },
    { atMs: 40_000, capacity: null },
  ];
  it('takes the last step at or before the offset, in any order', () => {
    expect(capacityAt(4, schedule, 0)).toBe(6);
    expect(capacityAt(4, schedule, 19_999)).toBe(6);
    expect(capacityAt(4, schedule, 20_000)).toBe(2);
    expect(capacityAt(4, schedule, 39_999)).toBe(2);
    expect(capacityAt(4, schedule, 40_000)).toBeNull();
  });
  it('uses the plain capacity before the first step and without a schedule', () => {
    expect(capacityAt(4, [{ atMs: 5_000, capacity: 1 }], 4_999)).toBe(4);
    expect(capacityAt(4, null, 10)).toBe(4);
    expect(capacityAt(null, [], 10)).toBeNull();
  });
});

let fake: FakeGeminiHandle | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

describe('fake Gemini capacity schedule', () => {
  it('serves the scheduled capacity, counted from the last stats reset', async () => {
    const clock = manualClock();
    const f = (fake = await startFakeGemini({
      now: clock.now,
      baseLatencyMs: 60_000,
      latencyMsPerAudioSecond: 0,
      rejectLatencyMs: 0,
      capacity: 9,
      capacitySchedule: [
        { atMs: 0, capacity: 3 },
        { atMs: 10_000, capacity: 1 },
      ],
    }));
    const wav = makeTestWav({ durationSec: 1 });
    const controller = new AbortController();
    const open = () => void callFake(f, generateBody(wav), { signal: controller.signal }).catch(() => null);
    clock.advance(60_000);
    f.reset({ stats: true });
    for (let i = 0; i < 4; i++) open();
    await until(() => f.stats(), (s) => s.calls === 4 && s.concurrent === 3 && s.rejectionsByReason.overload === 1);
    controller.abort();
    await until(() => f.stats().concurrent, (n) => n === 0);

    clock.advance(10_000);
    const second = new AbortController();
    for (let i = 0; i < 3; i++) void callFake(f, generateBody(wav), { signal: second.signal }).catch(() => null);
    await until(() => f.stats(), (s) => s.calls === 7 && s.concurrent === 1 && s.rejectionsByReason.overload === 3);
    second.abort();
    await until(() => f.stats().concurrent, (n) => n === 0);
  });
});
