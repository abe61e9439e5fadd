/**
 * The console's keyboard shortcuts, as data and a pure sequence matcher (time is passed in).
 *
 * Hand-written rather than a library: package.json has no key-binding library, and what we
 * need (a dozen two-key "g x" sequences, "/" and "?", ignored while typing) is ~60 lines,
 * less than adding, pinning and auditing a dependency for it.
 */
export type ShortcutAction = { kind: 'navigate'; to: string } | { kind: 'focusSearch' } | { kind: 'help' };

export interface Shortcut {
  /** Keys in order, as `KeyboardEvent.key` reports them ("g", "j", "/", "?"). */
  keys: readonly string[];
  label: string;
  action: ShortcutAction;
}

const go = (key: string, label: string, to: string): Shortcut => ({ keys: ['g', key], label: `Go to ${label}`, action: { kind: 'navigate', to } });

export const SHORTCUTS: readonly Shortcut[] = [
  go('o', 'Overview', '/'),
  go('j', 'Jobs', '/queues'),
  go('q', 'Queues', '/queues'),
  go('b', 'Breakers', '/breakers'),
  go('s', 'Servers', '/servers'),
  go('a', 'Analytics', '/analytics'),
  go('r', 'Rate limits', '/limits'),
  go('l', 'Locks', '/locks'),
  go('e', 'Alerts', '/alerts'),
  go('u', 'Audit log', '/audit'),
  { keys: ['/'], label: 'Search jobs', action: { kind: 'focusSearch' } },
  { keys: ['?'], label: 'Show this help', action: { kind: 'help' } },
];

/** A second key must follow the first within this long ("g", pause, "j" is not "g j"). */
export const SEQUENCE_TIMEOUT_MS = 1_500;

export interface KeyState {
  pending: readonly string[];
  /** When the last pending key was pressed (ms). */
  at: number;
}

export const IDLE: KeyState = { pending: [], at: 0 };

const startsWith = (keys: readonly string[], prefix: readonly string[]) => prefix.every((k, i) => keys[i] === k);

/**
 * Feeds one key press: returns the shortcut it completes (if any) and the next state. A key
 * that fits no sequence after the pending ones is tried on its own ("g ?" opens the help).
 */
export function pressKey(
  state: KeyState,
  key: string,
  at: number,
  shortcuts: readonly Shortcut[] = SHORTCUTS,
): { state: KeyState; match: Shortcut | null } {
  const pending = at - state.at > SEQUENCE_TIMEOUT_MS ? [] : state.pending;
  for (const keys of pending.length > 0 ? [[...pending, key], [key]] : [[key]]) {
    const exact = shortcuts.find((s) => s.keys.length === keys.length && startsWith(s.keys, keys));
    if (exact) return { state: IDLE, match: exact };
    if (shortcuts.some((s) => s.keys.length > keys.length && startsWith(s.keys, keys))) return { state: { pending: keys, at }, match: null };
  }
  return { state: IDLE, match: null };
}

const NOT_TEXT = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file']);

/** Keys typed into a field are text, not shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).tagName !== 'string') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  return tag === 'input' && !NOT_TEXT.has(((el as HTMLInputElement).type || 'text').toLowerCase());
}

/** How a shortcut's keys read in the help ("g then j"). */
export function describeKeys(keys: readonly string[]): string {
  return keys.join(' then ');
}
