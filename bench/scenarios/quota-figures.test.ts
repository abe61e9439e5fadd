import { describe, expect, it } from 'vitest';
import { fakeCall, fakeLog } from '../lib/call-fixtures.js';
import { quotaSide } from './quota-figures.js';

const start = 100_000;

describe('quotaSide', () => {
  it('rates a fleet that paces N per minute evenly at 1.0 of the quota', () => {
    // N = 60: one success per second for 3 minutes, no refusals.
    const calls = Array.from({ length: 180 }, (_, i) => fakeCall(start + 500 + i * 1_000, 'ok'));
    const side = quotaSide(fakeLog(calls, start), 60);
    // Full trailing minutes end on arrivals (60.5 s ... 179.5 s): each holds 60, the arrival 60 s earlier left out.
    expect(side.meanPerMinute).toBe(60);
    expect(side.meanMinuteShareOfQuota).toBe(1);
    expect(side.share429).toBe(0);
    expect(side.maxSuccessesPerMinute).toBe(60);
    // The trailing minute fills over the first minute; its average over a minute reaches 54 at 93 s.
    expect(side.reachedNinetyPercentSec).toBe(93);
  });

  it('does not count the first free burst, and counts 429 answers and late arrival at the rate', () => {
    // N = 10: a burst of 10 at once, a 20 s stall refused with 429s, then one per 6 s.
    const burst = Array.from({ length: 10 }, () => fakeCall(start, 'ok'));
    const refused = Array.from({ length: 10 }, (_, i) => fakeCall(start + 60_000 + i * 2_000, 'rejected', { status: 429, reason: 'quota' }));
    const paced = Array.from({ length: 20 }, (_, i) => fakeCall(start + 80_000 + i * 6_000, 'ok'));
    const side = quotaSide(fakeLog([...burst, ...refused, ...paced], start), 10);
    expect(side.successes).toBe(30);
    // Trailing minutes ending at 60 s ... 194 s: 0 until 80 s, then one more every 6 s up to 10.
    expect(side.meanMinuteShareOfQuota).toBeGreaterThan(0.5);
    expect(side.meanMinuteShareOfQuota).toBeLessThan(0.8);
    expect(side.share429).toBe(0.25);
    expect(side.maxSuccessesPerMinute).toBe(10);
    // From 60 s the burst has left the window; the paced calls fill it from 80 s to 134 s, and
    // its average over a minute reaches 9 at 169 s.
    expect(side.reachedNinetyPercentSec).toBe(169);
  });

  it('rates a burst of N every minute at 1.0 too', () => {
    const calls = [0, 60_000, 120_000].flatMap((t) => Array.from({ length: 20 }, (_, i) => fakeCall(start + t + i * 100, 'ok')));
    const side = quotaSide(fakeLog(calls, start), 20);
    expect(side.meanMinuteShareOfQuota).toBe(1);
    expect(side.drainPerMin).toBeGreaterThan(20);
    // Its trailing minute is full from 1.9 s on, so the minute's average reaches 18 at 55 s.
    expect(side.reachedNinetyPercentSec).toBe(55);
  });

  it('has no rate under a minute of successes and no reach when the end is below 0.9 N', () => {
    const side = quotaSide(fakeLog([fakeCall(start, 'ok')], start), 60);
    expect(side.meanPerMinute).toBeNull();
    expect(side.reachedNinetyPercentSec).toBeNull();
  });
});
