import { describe, expect, it } from 'vitest';
import { jobSearchSpec, describeJobFilter, JobFilterError } from '../../data/queries';
import { DEFAULT_STATE, EMPTY_FORM, couldBeDocId, paramsFromState, parseSearch, stateFromParams, type SearchState } from './search';

describe('job search', () => {
  it('parses status and a local time range into a filter', () => {
    const r = parseSearch({ ...EMPTY_FORM, text: ' u-1 ', status: 'dead_lettered', from: '2026-01-01T10:00', to: '2026-01-01T11:00' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.lookup).toBe('u-1');
    expect(r.filter.userId).toBe('u-1');
    expect(r.filter.status).toBe('dead_lettered');
    expect(r.filter.toMs! - r.filter.fromMs!).toBe(3_600_000);
  });

  it('rejects an inverted range, unknown statuses and unknown search fields', () => {
    expect(parseSearch({ ...EMPTY_FORM, from: '2026-01-01T11:00', to: '2026-01-01T10:00' })).toEqual({
      ok: false,
      error: '"From" must be before "To"',
    });
    expect(parseSearch({ ...EMPTY_FORM, status: 'nope' }).ok).toBe(false);
    expect(parseSearch({ ...EMPTY_FORM, text: 'x', by: 'phone' })).toEqual({ ok: false, error: 'unknown search field phone' });
  });

  it('reads what the text is: an e-mail when it holds "@", else a job id then a user id; or as the field says', () => {
    expect(parseSearch({ ...EMPTY_FORM, text: 'Ann@Example.com', status: 'failed' })).toEqual({
      ok: true,
      lookup: null,
      filter: { status: 'failed', userEmail: 'Ann@Example.com' },
    });
    expect(parseSearch({ ...EMPTY_FORM, text: 'alice', by: 'email' })).toEqual({ ok: true, lookup: null, filter: { userEmail: 'alice' } });
    expect(parseSearch({ ...EMPTY_FORM, text: 'job-1', by: 'user' })).toEqual({ ok: true, lookup: null, filter: { userId: 'job-1' } });
    expect(parseSearch({ ...EMPTY_FORM, text: 'a/b' })).toEqual({ ok: true, lookup: null, filter: { userId: 'a/b' } });
    expect(parseSearch({ ...EMPTY_FORM, text: 'Xy_1', by: 'id' })).toEqual({ ok: true, lookup: null, filter: { idPrefix: 'Xy_1' } });
  });

  it('a job id prefix takes no other filter (only the id index serves it) and only id characters', () => {
    expect(parseSearch({ ...EMPTY_FORM, text: 'abc', by: 'id', status: 'failed' })).toEqual({ ok: false, error: 'a job id prefix search takes no status or time filter' });
    expect(parseSearch({ ...EMPTY_FORM, text: 'a b', by: 'id' }).ok).toBe(false);
    expect(() => jobSearchSpec({ idPrefix: 'a', status: 'failed' }, 25)).toThrow(JobFilterError);
    expect(() => jobSearchSpec({ userEmail: 'a@b', userId: 'u' }, 25)).toThrow(JobFilterError);
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

  it('searches an e-mail on its lowercased copy and a prefix as a range on the document id', () => {
    expect(jobSearchSpec({ userEmail: ' Ann@Example.COM ', status: 'failed' }, 50)).toMatchObject({
      where: [
        { field: 'userEmailLower', op: '==', value: 'ann@example.com' },
        { field: 'status', op: '==', value: 'failed' },
      ],
      orderBy: [{ field: 'createdAt', direction: 'desc' }],
      limit: 50,
    });
    expect(jobSearchSpec({ idPrefix: 'abC' }, 25)).toMatchObject({
      where: [
        { field: '__name__', op: '>=', value: 'abC' },
        { field: '__name__', op: '<', value: 'abC\uf8ff' },
      ],
      orderBy: [{ field: '__name__', direction: 'asc' }],
    });
    expect(describeJobFilter({ userEmail: 'Ann@X.io', status: 'failed' })).toBe('status=failed, email=ann@x.io');
    expect(describeJobFilter({ idPrefix: 'abc' })).toBe('id^=abc');
  });

  it('knows which texts cannot be document ids', () => {
    expect(couldBeDocId('abc')).toBe(true);
    expect(couldBeDocId('a/b')).toBe(false);
    expect(couldBeDocId('')).toBe(false);
  });
});

describe('search state in the URL', () => {
  it('takes the search a link asks for (the dead-letter count) from the URL', () => {
    expect(stateFromParams(new URLSearchParams('status=dead_lettered'))).toEqual({ ...DEFAULT_STATE, form: { ...EMPTY_FORM, status: 'dead_lettered' } });
    expect(stateFromParams(new URLSearchParams(''))).toEqual(DEFAULT_STATE);
    // An unknown status reaches the form, which reports it.
    expect(parseSearch(stateFromParams(new URLSearchParams('status=lost')).form)).toEqual({ ok: false, error: 'unknown status lost' });
  });

  it('round-trips every field, writing only what differs from the defaults', () => {
    const state: SearchState = {
      form: { text: 'ann@example.com', by: 'email', status: 'failed', from: '2026-12-01T10:00', to: '2026-12-02T10:00' },
      pageSize: 50,
      refresh: 'live',
    };
    const params = paramsFromState(state);
    expect(params.toString()).toBe('q=ann%40example.com&by=email&status=failed&from=2026-12-01T10%3A00&to=2026-12-02T10%3A00&size=50&refresh=live');
    expect(stateFromParams(new URLSearchParams(params.toString()))).toEqual(state);
    expect(paramsFromState(DEFAULT_STATE).toString()).toBe('');
    // A field choice without text says nothing; the text is trimmed.
    expect(paramsFromState({ ...DEFAULT_STATE, form: { ...EMPTY_FORM, by: 'id', text: '  ' } }).toString()).toBe('');
  });

  it('falls back to the defaults for a page size or refresh mode it does not offer', () => {
    const state = stateFromParams(new URLSearchParams('size=100000&refresh=1s&q=x'));
    expect(state).toEqual({ ...DEFAULT_STATE, form: { ...EMPTY_FORM, text: 'x' } });
    expect(stateFromParams(new URLSearchParams('size=100&refresh=30s'))).toMatchObject({ pageSize: 100, refresh: '30s' });
  });
});
