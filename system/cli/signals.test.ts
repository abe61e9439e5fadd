import { describe, expect, it } from 'vitest';
import { StopSignals } from './signals.js';

describe('StopSignals', () => {
  it('stops on the first signal and exits at once on a second Ctrl-C', () => {
    const signals = new StopSignals(1_000);
    expect(signals.receive('SIGINT', 10_000)).toBe('stop');
    expect(signals.receive('SIGINT', 12_500)).toBe('exit-now');
  });

  it("takes the terminal's Ctrl-C and npm's forwarded copy of it as one", () => {
    const signals = new StopSignals(1_000);
    expect(signals.receive('SIGINT', 10_000)).toBe('stop');
    expect(signals.receive('SIGINT', 10_004)).toBe('echo');
    expect(signals.receive('SIGINT', 10_999)).toBe('echo');
    expect(signals.receive('SIGINT', 11_000)).toBe('exit-now');
  });

  it('a different signal during the stop is no echo', () => {
    const signals = new StopSignals(1_000);
    expect(signals.receive('SIGTERM', 10_000)).toBe('stop');
    expect(signals.receive('SIGINT', 10_010)).toBe('exit-now');
  });
});
