import { hashKey } from '@tanstack/query-core';
import { screen, waitFor } from '@testing-library/react';
import type { CollectionKey } from '@fq/worker/schema';
import { describe, expect, it } from 'vitest';
import { ConsoleLayout } from '../app/ConsoleLayout';
import type { Page, PageCursor, Sink } from '../data/port';
import type { Row } from '../data/rows';
import type { DocOf } from '../data/schemas';
import type { DocSpec, QuerySpec } from '../data/specs';
import { job } from '../test/factories';
import { FakeData } from '../test/fakeData';
import { renderPage } from '../test/render';
import { CONSOLE_PAGES, consolePageReads } from './consolePages';

/** FakeData that remembers every listener opened and every page fetched. */
class RecordingData extends FakeData {
  readonly watched = new Set<string>();
  readonly fetched = new Set<string>();

  override watchDoc<K extends CollectionKey>(spec: DocSpec<K>, sink: Sink<Row<DocOf<K>> | null>) {
    this.watched.add(hashKey([spec]));
    return super.watchDoc(spec, sink);
  }

  override watchQuery<K extends CollectionKey>(spec: QuerySpec<K>, sink: Sink<Row<DocOf<K>>[]>) {
    this.watched.add(hashKey([spec]));
    return super.watchQuery(spec, sink);
  }

  override getPage<K extends CollectionKey>(spec: QuerySpec<K>, after: PageCursor | null): Promise<Page<DocOf<K>>> {
    this.fetched.add(hashKey([spec]));
    return super.getPage(spec, after);
  }
}

const keys = (specs: Record<string, unknown>) => new Set(Object.values(specs).map((s) => hashKey([s])));

describe('the dashboard bench opens what each console page opens', () => {
  const pages = consolePageReads('job-1');

  it.each(CONSOLE_PAGES)('%s', { timeout: 30_000 }, async (name) => {
    const data = new RecordingData();
    data.put('jobs', 'job-1', job());
    const expected = pages[name];
    renderPage(<ConsoleLayout backendLabel="test" />, { data, path: expected.path });
    await waitFor(() => expect(screen.queryByText('No such page.')).toBeNull());
    // Pages are lazy chunks: the first render of one under load takes a while.
    await waitFor(() => expect(data.watched).toEqual(keys(expected.live)), { timeout: 10_000 });
    await waitFor(() => expect(data.fetched).toEqual(keys(Object.fromEntries(Object.entries(expected.fetched).map(([k, f]) => [k, f.spec])))), { timeout: 10_000 });
  });
});
