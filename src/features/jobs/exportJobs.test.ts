import { describe, expect, it } from 'vitest';
import { T0, job } from '../../test/factories';
import { FakeData } from '../../test/fakeData';
import { CSV_COLUMNS, EXPORT_PAGE, csvCell, exportFileName, fetchExport, jobsToCsv, jobsToJson } from './exportJobs';

describe('CSV cells', () => {
  it('quotes commas, quotes and line breaks (RFC 4180) and leaves the rest alone', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(3.5)).toBe('3.5');
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('defuses text a spreadsheet would run as a formula, but keeps a job id that starts with "-"', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@sum')).toBe("'@sum");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('-abc_12')).toBe('-abc_12');
  });
});

describe('export formatters', () => {
  const failed = job({
    status: 'failed',
    userId: 'u-1',
    userEmail: 'Ann@Example.com',
    userEmailLower: 'ann@example.com',
    createdAt: T0,
    attempts: 2,
    lastErrorClass: 'invalid',
    errors: [{ at: T0 + 5_000, attempt: 1, errorClass: 'invalid', message: 'bad "audio", really', code: 400 }],
    metadata: { lesson: 'l-1' },
  });

  it('writes a header and one line per job, times in ISO, the last error and metadata as JSON', () => {
    const csv = jobsToCsv([{ id: 'job-1', data: failed }]);
    const [header, line, end] = csv.split('\r\n');
    expect(header).toBe(CSV_COLUMNS.map((c) => c.header).join(','));
    expect(end).toBe('');
    expect(line!.startsWith(`job-1,failed,normal,u-1,Ann@Example.com,${new Date(T0).toISOString()},`)).toBe(true);
    expect(line).toContain('"bad ""audio"", really"');
    expect(line).toContain('"{""lesson"":""l-1""}"');
  });

  it('names an unreadable document instead of dropping it', () => {
    const csv = jobsToCsv([{ id: 'broken', invalid: 'status: invalid enum' }]);
    expect(csv.split('\r\n')[1]).toMatch(/^broken,(,)*unreadable document: status: invalid enum/);
  });

  it('JSON: the search, the count, whether the cap cut it, and the documents with ISO times and no bytes', () => {
    const withBytes = { ...failed, inlineAudio: new Uint8Array([1, 2, 3]) };
    const text = jobsToJson([{ id: 'job-1', data: withBytes }, { id: 'bad', invalid: 'nope' }], { search: 'email=ann@example.com', exportedAt: T0, truncated: true });
    const parsed = JSON.parse(text) as { search: string; count: number; truncated: boolean; exportedAt: string; jobs: Record<string, unknown>[] };
    expect(parsed).toMatchObject({ search: 'email=ann@example.com', count: 2, truncated: true, exportedAt: new Date(T0).toISOString() });
    expect(parsed.jobs[0]).toMatchObject({ id: 'job-1', status: 'failed', userEmail: 'Ann@Example.com', createdAt: new Date(T0).toISOString() });
    expect(parsed.jobs[0]).not.toHaveProperty('inlineAudio');
    expect((parsed.jobs[0]!.errors as { at: string }[])[0]!.at).toBe(new Date(T0 + 5_000).toISOString());
    expect(parsed.jobs[1]).toEqual({ id: 'bad', unreadable: 'nope' });
  });

  it('names the file after the search and the time, safe for any file system', () => {
    expect(exportFileName('status=failed, email=ann@example.com', Date.UTC(2026, 11, 7, 12, 30, 5, 123), 'csv')).toBe(
      'jobs-status-failed-email-ann@example.com-2026-12-07T123005Z.csv',
    );
    expect(exportFileName('', 0, 'json')).toBe('jobs-all-1970-01-01T000000Z.json');
  });
});

describe('fetching an export', () => {
  const seed = (data: FakeData, n: number) => {
    for (let i = 0; i < n; i++) data.put('jobs', `job-${String(i).padStart(4, '0')}`, job({ status: 'failed', createdAt: T0 + i }), false);
    data.put('jobs', 'ok-1', job({ status: 'succeeded' }), false);
  };

  it('reads every match in pages of EXPORT_PAGE, newest first, and reports progress', async () => {
    const data = new FakeData();
    seed(data, EXPORT_PAGE + 20);
    const progress: number[] = [];
    const result = await fetchExport(data, { lookup: null, filter: { status: 'failed' } }, { onProgress: (n) => progress.push(n) });
    expect(result.truncated).toBe(false);
    expect(result.jobs).toHaveLength(EXPORT_PAGE + 20);
    expect(result.jobs[0]!.id).toBe(`job-${String(EXPORT_PAGE + 19).padStart(4, '0')}`);
    expect(progress).toEqual([EXPORT_PAGE, EXPORT_PAGE + 20]);
    expect(data.pageCalls.every((c) => c.spec.limit <= EXPORT_PAGE)).toBe(true);
  });

  it('stops at the cap and says more matched, reading at most one document past it', async () => {
    const data = new FakeData();
    seed(data, 30);
    const result = await fetchExport(data, { lookup: null, filter: { status: 'failed' } }, { cap: 10 });
    expect(result).toMatchObject({ truncated: true });
    expect(result.jobs).toHaveLength(10);
    expect(data.pageCalls.map((c) => c.spec.limit)).toEqual([11]);
    // Exactly the cap: not truncated.
    const exact = await fetchExport(data, { lookup: null, filter: { status: 'failed' } }, { cap: 30 });
    expect(exact).toMatchObject({ truncated: false });
    expect(exact.jobs).toHaveLength(30);
  });

  it('exports the one job an id matched, and stops between pages when asked', async () => {
    const data = new FakeData();
    seed(data, 5);
    expect((await fetchExport(data, { lookup: 'job-0003', filter: { userId: 'job-0003' } })).jobs.map((j) => j.id)).toEqual(['job-0003']);
    const stop = new AbortController();
    const partial = await fetchExport(data, { lookup: null, filter: {} }, { cap: 100, signal: stop.signal, onProgress: () => stop.abort() });
    expect(partial.truncated).toBe(false); // one page held everything: nothing was left to stop
    seed(data, EXPORT_PAGE + 5);
    const stopped = new AbortController();
    const cut = await fetchExport(data, { lookup: null, filter: { status: 'failed' } }, { signal: stopped.signal, onProgress: () => stopped.abort() });
    expect(cut).toMatchObject({ truncated: true });
    expect(cut.jobs).toHaveLength(EXPORT_PAGE);
  });
});
