import { describe, expect, it } from 'vitest';
import { fakeCall, fakeLog } from '../lib/call-fixtures.js';
import { budgetSide } from './fleet-budget-figures.js';

describe('budgetSide', () => {
  it('finds the busiest minute of calls and of tokens against the limits', () => {
    const start = 50_000;
    const calls = [
      ...Array.from({ length: 30 }, (_, i) => fakeCall(start + i * 1_000, 'ok', { tokens: 100 })),
      // A refused call still counts as a request; it bills no tokens.
      fakeCall(start + 30_000, 'rejected'),
      ...Array.from({ length: 12 }, (_, i) => fakeCall(start + 70_000 + i * 100, 'ok', { tokens: 150 })),
    ];
    const side = budgetSide(fakeLog(calls, start), { requestsPerMinute: 30, tokensPerMinute: 3_000 });
    // [0 s, 60 s) and [12 s, 72 s) both hold 31 calls (the earliest is named); tokens peak in the second: 18 x 100 + 12 x 150.
    expect(side.maxCallsPerMinute).toBe(31);
    expect(side.callsOvershoot).toBe(1);
    expect(side.busiestCallsWindowAtSec).toBe(0);
    expect(side.busiestTokensWindowAtSec).toBe(12);
    expect(side.maxTokensPerMinute).toBe(3_600);
    expect(side.tokensOvershoot).toBe(600);
    expect(side.tokensShareOfLimit).toBe(1.2);
    expect(side.tokensPerSuccess).toBe(round((3_000 + 1_800) / 42));
  });

  it('reports no overshoot within the limits', () => {
    const calls = Array.from({ length: 10 }, (_, i) => fakeCall(i * 6_000, 'ok', { tokens: 10 }));
    const side = budgetSide(fakeLog(calls, 0), { requestsPerMinute: 10, tokensPerMinute: 100 });
    expect(side).toMatchObject({ callsOvershoot: 0, tokensOvershoot: 0, callsShareOfLimit: 1, tokensShareOfLimit: 1 });
  });
});

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
