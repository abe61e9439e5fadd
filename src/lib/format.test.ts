import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatNumber, formatPercent, formatRelative, formatTime, formatTimeAgo, formatZonedTime, zoneName } from './format';
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

  it('formatTime is the same local formatter: never a UTC date in front of a local time', () => {
    // 23:30 UTC on the 6th is 00:30 on the 7th in Berlin: the date is the local one.
    const t = Date.UTC(2026, 11, 6, 23, 30, 0);
    expect(formatTime(t, undefined, 'Europe/Berlin')).toBe('2026-12-07 00:30:00 CET');
    expect(formatTime(t, t + 60_000, 'Europe/Berlin')).toBe('00:30:00 CET');
    expect(formatTime(t, undefined, 'UTC')).toBe('2026-12-06 23:30:00 UTC');
    expect(formatTime(t, t, 'America/New_York')).toBe(formatZonedTime(t, t, 'America/New_York'));
    expect(formatTime(null)).toBe('—');
  });

  it('formats minutes only for chart ticks, names the zone, and puts a relative time after the absolute one', () => {
    const t = Date.UTC(2026, 11, 7, 13, 3, 59);
    expect(formatZonedTime(t, t, 'Europe/Berlin', { seconds: false })).toBe('14:03 CET');
    expect(formatZonedTime(t, t, 'Europe/Berlin', { seconds: false, zone: false })).toBe('14:03');
    expect(zoneName(t, 'Asia/Kolkata')).toBe('GMT+5:30');
    expect(zoneName(t, 'UTC')).toBe('UTC');
    expect(formatTimeAgo(t, t + 192_000, 'UTC')).toBe('13:03:59 UTC (3 min 12 s ago)');
    expect(formatTimeAgo(undefined, t)).toBe('—');
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
