import { describe, expect, it } from 'vitest';
import { formatCell, renderTable } from './table.js';

describe('renderTable', () => {
  it('aligns labels left and figures right, with notes underneath', () => {
    const text = renderTable({
      title: 'overload',
      headers: ['metric', 'fleet', 'naive'],
      rows: [
        ['goodput share', 0.91234, 0.5],
        ['wasted calls / success', 0.1, null],
      ],
      notes: ['share = goodput / capacity rate'],
    });
    expect(text.split('\n')).toEqual([
      '== overload',
      'metric                  fleet  naive',
      '----------------------  -----  -----',
      'goodput share           0.912    0.5',
      'wasted calls / success    0.1      -',
      '   share = goodput / capacity rate',
    ]);
  });

  it('prints unknown and non-finite values as a dash', () => {
    expect(formatCell(undefined)).toBe('-');
    expect(formatCell(Number.POSITIVE_INFINITY)).toBe('-');
    expect(formatCell(true)).toBe('true');
  });
});
