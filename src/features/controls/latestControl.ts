import { useSyncExternalStore } from 'react';

/**
 * Which control button ran the latest control. Each button keeps its own outcome message, so
 * after "Force open" and then "Reset" both said "Done." and the page read as if both states
 * held; only the latest control's message is shown now. One per page is enough: the console
 * shows one page at a time, and ids come from `useId` (unique within the app).
 */
let latest: string | null = null;
const listeners = new Set<() => void>();

export function claimLatestControl(id: string): void {
  if (latest === id) return;
  latest = id;
  for (const listener of [...listeners]) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether the button with `id` ran the latest control (its message may stay on screen). */
export function useIsLatestControl(id: string): boolean {
  return useSyncExternalStore(subscribe, () => latest === id);
}
