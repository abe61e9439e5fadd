import { describe, expect, it } from 'vitest';
import { IDLE, SEQUENCE_TIMEOUT_MS, SHORTCUTS, describeKeys, isTypingTarget, pressKey, type KeyState } from './keymap';

function type(keys: string[], gapMs = 100): (string | null)[] {
  let state: KeyState = IDLE;
  let t = 10_000;
  return keys.map((k) => {
    t += gapMs;
    const r = pressKey(state, k, t);
    state = r.state;
    return r.match ? r.match.label : null;
  });
}

describe('keymap', () => {
  it('completes two-key "g" sequences and one-key shortcuts', () => {
    expect(type(['g', 'j'])).toEqual([null, 'Go to Jobs']);
    expect(type(['g', 'o', 'g', 'b', 'g', 's', 'g', 'q'])).toEqual([null, 'Go to Overview', null, 'Go to Breakers', null, 'Go to Servers', null, 'Go to Queues']);
    expect(type(['/'])).toEqual(['Search jobs']);
    expect(type(['?'])).toEqual(['Show this help']);
  });

  it('forgets a first key after the timeout, ignores strays, and tries a key on its own when the sequence breaks', () => {
    expect(type(['g', 'j'], SEQUENCE_TIMEOUT_MS + 1)).toEqual([null, null]);
    expect(type(['x', 'j', 'g', 'x', 'j'])).toEqual([null, null, null, null, null]);
    expect(type(['g', '?'])).toEqual([null, 'Show this help']);
    expect(type(['g', 'g', 'a'])).toEqual([null, null, 'Go to Analytics']);
  });

  it('has one shortcut per key sequence, each reachable', () => {
    const seen = new Set(SHORTCUTS.map((s) => s.keys.join(' ')));
    expect(seen.size).toBe(SHORTCUTS.length);
    for (const s of SHORTCUTS) expect(type([...s.keys]).at(-1)).toBe(s.label);
    expect(describeKeys(['g', 'j'])).toBe('g then j');
  });

  it('treats text fields as typing, buttons and checkboxes not', () => {
    const el = (html: string) => {
      const d = document.createElement('div');
      d.innerHTML = html;
      return d.firstElementChild;
    };
    expect(isTypingTarget(el('<input>'))).toBe(true);
    expect(isTypingTarget(el('<input type="search">'))).toBe(true);
    expect(isTypingTarget(el('<textarea></textarea>'))).toBe(true);
    expect(isTypingTarget(el('<select></select>'))).toBe(true);
    expect(isTypingTarget(el('<input type="checkbox">'))).toBe(false);
    expect(isTypingTarget(el('<button>x</button>'))).toBe(false);
    expect(isTypingTarget(document.body)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});
