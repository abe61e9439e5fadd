/**
 * The demo's overload episodes against what the fleet did (pure): for a capacity drop, the
 * fleet limit before it and the lowest during it; for an outage, how soon the shared breaker
 * opened and how soon after the end it closed again. Times in ms from the demo's start.
 */
export type DemoEpisodeKind = 'capacity' | 'outage';

export interface DemoEpisode {
  kind: DemoEpisodeKind;
  startMs: number;
  endMs: number | null;
}

export interface DemoSample {
  atMs: number;
  breaker: string;
  fleetLimit: number | null;
}

export interface BreakerStep {
  to: string;
  atMs: number;
  reason: string;
}

export interface DemoEpisodeFigures {
  kind: DemoEpisodeKind;
  startSec: number;
  endSec: number | null;
  /** Capacity: the fleet limit last sampled before the drop, and the lowest sampled during it (and 5 s after, as reports lag). */
  limitBefore: number | null;
  lowestLimit: number | null;
  backedOff: boolean;
  /** Outage: start -> first transition to open at or after it; end -> first transition to closed after it. */
  openAfterSec: number | null;
  closedAfterEndSec: number | null;
}

/** The generator's episode messages (system/traffic/generator): which kind began, or that it ended. */
export function parseEpisodeMessage(message: string): { kind: DemoEpisodeKind | 'end' } | null {
  if (message.startsWith('overload episode over')) return { kind: 'end' };
  if (!message.startsWith('overload episode:')) return null;
  if (message.includes('capacity drops')) return { kind: 'capacity' };
  if (message.includes('503')) return { kind: 'outage' };
  return null;
}

const sec = (ms: number) => Math.round(ms / 100) / 10;

export function demoEpisodeFigures(episodes: readonly DemoEpisode[], samples: readonly DemoSample[], breaker: readonly BreakerStep[]): DemoEpisodeFigures[] {
  return episodes.map((e) => {
    const end = e.endMs ?? Infinity;
    const before = [...samples].reverse().find((s) => s.atMs < e.startMs && s.fleetLimit !== null)?.fleetLimit ?? null;
    const during = samples.filter((s) => s.atMs >= e.startMs && s.atMs <= end + 5_000 && s.fleetLimit !== null).map((s) => s.fleetLimit as number);
    const lowest = during.length > 0 ? Math.min(...during) : null;
    const opened = breaker.find((b) => b.to === 'open' && b.atMs >= e.startMs && b.atMs <= end);
    const closed = e.endMs === null ? undefined : breaker.find((b) => b.to === 'closed' && b.atMs >= (e.endMs as number));
    return {
      kind: e.kind,
      startSec: sec(e.startMs),
      endSec: e.endMs === null ? null : sec(e.endMs),
      limitBefore: e.kind === 'capacity' ? before : null,
      lowestLimit: e.kind === 'capacity' ? lowest : null,
      backedOff: e.kind === 'capacity' && before !== null && lowest !== null && lowest < before,
      openAfterSec: e.kind === 'outage' && opened ? sec(opened.atMs - e.startMs) : null,
      closedAfterEndSec: e.kind === 'outage' && closed && e.endMs !== null ? sec(closed.atMs - e.endMs) : null,
    };
  });
}
