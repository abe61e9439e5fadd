import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';

/**
 * The UI's notion of "now", ticking once a second for countdowns and ages. Tests provide a
 * fixed clock so rendered ages are deterministic.
 */
export interface UiClock {
  now(): number;
  /** Tick interval; 0 = never re-render on time alone (tests). */
  tickMs: number;
}

const ClockContext = createContext<UiClock>({ now: () => Date.now(), tickMs: 1_000 });

export function ClockProvider({ clock, children }: { clock: UiClock; children: ReactNode }) {
  return <ClockContext.Provider value={clock}>{children}</ClockContext.Provider>;
}

/** Browser time, re-rendering every tick. */
export function useNow(): number {
  const clock = useContext(ClockContext);
  const [now, setNow] = useState(() => clock.now());
  useEffect(() => {
    if (clock.tickMs <= 0) return;
    const id = setInterval(() => setNow(clock.now()), clock.tickMs);
    return () => clearInterval(id);
  }, [clock]);
  return now;
}

export function useClock(): UiClock {
  return useContext(ClockContext);
}
