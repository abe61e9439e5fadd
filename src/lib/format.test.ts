import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatNumber, formatPercent, formatRelative, formatZonedTime } from './format';
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

  it('formats a local time with its zone, with the local date when it is another local day', () => {
    const t = Date.UTC(2026, 11, 7, 3, 30, 5);
    expect(formatZonedTime(t, t + 60_000, 'UTC')).toBe('03:30:05 UTC');
    // 03:30 UTC is still the 6th in New York: the date is the local one, not the UTC one.
    expect(formatZonedTime(t, Date.UTC(2026, 11, 7, 12), 'America/New_York')).toBe('2026-12-06 22:30:05 GMT-5');
    // The same local day in New York, though the UTC dates differ: the time only.
    expect(formatZonedTime(Date.UTC(2026, 11, 6, 23, 0), Date.UTC(2026, 11, 7, 3, 31), 'America/New_York')).toBe('18:00:00 GMT-5');
    expect(formatZonedTime(t, Date.UTC(2026, 11, 7, 4), 'Asia/Kolkata')).toBe('09:00:05 GMT+5:30');
    expect(formatZonedTime(null, t)).toBe('—');
  });

  it('formats a time relative to now', () => {
    expect(formatRelative(1_000, 126_000)).toBe('2 min 5 s ago');
    expect(formatRelative(10_000, 5_000)).toBe('in 5.0 s');
    expect(formatRelative(undefined, 5_000)).toBe('—');
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
