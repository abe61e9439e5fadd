import { describe, expect, it } from 'vitest';
import { demoEpisodeFigures, parseEpisodeMessage } from './demo-figures.js';

describe('demo episode figures', () => {
  it('reads the generator messages', () => {
    expect(parseEpisodeMessage("overload episode: the fake Gemini's capacity drops to 1 for 25 s (503s, adaptive limit backs off)")).toEqual({ kind: 'capacity' });
    expect(parseEpisodeMessage('overload episode: the fake Gemini answers every call 503 for 25 s (the breaker opens)')).toEqual({ kind: 'outage' });
    expect(parseEpisodeMessage('overload episode over: the fake Gemini is back to normal')).toEqual({ kind: 'end' });
    expect(parseEpisodeMessage('burst: u1 submits a batch of low-priority jobs')).toBeNull();
  });

  it('judges a capacity drop by the fleet limit and an outage by the breaker', () => {
    const samples = [
      { atMs: 80_000, breaker: 'closed', fleetLimit: 6 },
      { atMs: 95_000, breaker: 'closed', fleetLimit: 2 },
      { atMs: 118_000, breaker: 'closed', fleetLimit: 1 },
      { atMs: 150_000, breaker: 'closed', fleetLimit: 6 },
    ];
    const breaker = [
      { to: 'open', atMs: 183_500, reason: 'failures' },
      { to: 'half_open', atMs: 191_500, reason: 'recovery' },
      { to: 'open', atMs: 191_600, reason: 'probe failed' },
      { to: 'closed', atMs: 207_000, reason: 'probe succeeded' },
    ];
    const figures = demoEpisodeFigures(
      [
        { kind: 'capacity', startMs: 90_000, endMs: 115_000 },
        { kind: 'outage', startMs: 180_000, endMs: 205_000 },
        { kind: 'outage', startMs: 270_000, endMs: null },
      ],
      samples,
      breaker,
    );
    expect(figures[0]).toMatchObject({ kind: 'capacity', limitBefore: 6, lowestLimit: 1, backedOff: true, openAfterSec: null });
    expect(figures[1]).toMatchObject({ kind: 'outage', openAfterSec: 3.5, closedAfterEndSec: 2 });
    // An outage the breaker never answered reads as never opened.
    expect(figures[2]).toMatchObject({ openAfterSec: null, closedAfterEndSec: null });
  });
});
