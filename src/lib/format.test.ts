import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatNumber, formatPercent } from './format';
import { nextChoice, readThemeChoice, resolveTheme, applyTheme } from './theme';

describe('format', () => {
  it('formats durations at every scale', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(1_500)).toBe('1.5 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(2 * 3_600_000 + 60_000)).toBe('2 h 1 min');
    expect(formatDuration(-3_000)).toBe('-3.0 s');
    expect(formatDuration(26 * 3_600_000)).toBe('1 d 2 h');
  });

  it('formats percent, numbers and bytes', () => {
    expect(formatPercent(0.9512)).toBe('95.1%');
    expect(formatPercent(null)).toBe('—');
    expect(formatNumber(12345.678, 1)).toBe('12,345.7');
    expect(formatBytes(2048)).toBe('2.0 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
  });
});

describe('theme', () => {
  it('follows the system unless a choice is stored, and cycles system -> light -> dark', () => {
    expect(readThemeChoice({ getItem: () => null })).toBe('system');
    expect(readThemeChoice({ getItem: () => 'dark' })).toBe('dark');
    expect(readThemeChoice({ getItem: () => { throw new Error('denied'); } })).toBe('system');
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('light', true)).toBe('light');
    expect([nextChoice('system'), nextChoice('light'), nextChoice('dark')]).toEqual(['light', 'dark', 'system']);
    const root = document.createElement('html');
    applyTheme('dark', root);
    expect(root.classList.contains('dark')).toBe(true);
    applyTheme('light', root);
    expect(root.classList.contains('dark')).toBe(false);
  });
});
