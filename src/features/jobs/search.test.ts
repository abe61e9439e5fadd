import { describe, expect, it } from 'vitest';
import { jobSearchSpec, describeJobFilter } from '../../data/queries';
import { EMPTY_FORM, couldBeDocId, formFromParams, parseSearch } from './search';

describe('job search', () => {
  it('parses status and a local time range into a filter', () => {
    const r = parseSearch({ ...EMPTY_FORM, text: ' u-1 ', status: 'dead_lettered', from: '2026-01-01T10:00', to: '2026-01-01T11:00' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.text).toBe('u-1');
    expect(r.filter.status).toBe('dead_lettered');
    expect(r.filter.toMs! - r.filter.fromMs!).toBe(3_600_000);
  });

  it('rejects an inverted range and unknown statuses', () => {
    expect(parseSearch({ ...EMPTY_FORM, from: '2026-01-01T11:00', to: '2026-01-01T10:00' })).toEqual({
      ok: false,
      error: '"From" must be before "To"',
    });
    expect(parseSearch({ ...EMPTY_FORM, status: 'nope' }).ok).toBe(false);
  });

  it('builds a bounded, newest-first query with equality filters before the range', () => {
    const spec = jobSearchSpec({ userId: 'u-1', status: 'queued', fromMs: 10, toMs: 20 }, 25);
    expect(spec.limit).toBe(25);
    expect(spec.orderBy).toEqual([{ field: 'createdAt', direction: 'desc' }]);
    expect(spec.where).toEqual([
      { field: 'userId', op: '==', value: 'u-1' },
      { field: 'status', op: '==', value: 'queued' },
      { field: 'createdAt', op: '>=', value: { timeMs: 10 } },
      { field: 'createdAt', op: '<', value: { timeMs: 20 } },
    ]);
    expect(describeJobFilter({ status: 'queued', userId: 'u-1' })).toBe('status=queued, user=u-1');
    expect(() => jobSearchSpec({}, 0)).toThrow(RangeError);
  });

  it('knows which texts cannot be document ids', () => {
    expect(couldBeDocId('abc')).toBe(true);
    expect(couldBeDocId('a/b')).toBe(false);
    expect(couldBeDocId('')).toBe(false);
  });

  it('takes the search a link asks for (the dead-letter count) from the URL', () => {
    expect(formFromParams(new URLSearchParams('status=dead_lettered'))).toEqual({ ...EMPTY_FORM, status: 'dead_lettered' });
    expect(formFromParams(new URLSearchParams(''))).toEqual(EMPTY_FORM);
    // An unknown status reaches the form, which reports it.
    expect(parseSearch(formFromParams(new URLSearchParams('status=lost')))).toEqual({ ok: false, error: 'unknown status lost' });
  });
});
