import { describe, expect, it } from 'vitest';
import type { StoredDocument, Value } from '../model/index.js';
import { collectionOf } from '../model/index.js';
import { parseStructuredQuery } from '../query/index.js';
import { Store } from '../store/index.js';
import type { Database } from '../store/index.js';
import type { ListenResponse } from './session.js';
import { ListenSession } from './session.js';

const int = (n: number): Value => ({ integerValue: String(n) });

function write(store: Store, db: Database, path: string, fields: Record<string, Value> | null): bigint {
  const t = store.clock.next();
  const before = db.get(path);
  const after: StoredDocument | null = fields ? { path, fields, createTime: before?.createTime ?? t, updateTime: t } : null;
  db.applyChanges(t, [{ path, collectionPath: collectionOf(path), before, after }]);
  return t;
}

/** Compact description of the messages, e.g. `ADD:2`, `doc:c/a:2`, `NO_CHANGE@`. */
function describeMessages(msgs: ListenResponse[]): string[] {
  return msgs.map((m) => {
    const tc = m.targetChange as { targetChangeType: string; targetIds: number[]; readTime?: string } | undefined;
    if (tc) return `${tc.targetChangeType}:${tc.targetIds.join(',')}${tc.readTime ? '@' : ''}`;
    const dc = m.documentChange as { document: { name: string }; targetIds: number[] } | undefined;
    if (dc) return `doc:${dc.document.name.split('/documents/')[1]}:${dc.targetIds.join(',')}`;
    const dd = m.documentDelete as { document: string } | undefined;
    if (dd) return `delete:${dd.document.split('/documents/')[1]}`;
    const dr = m.documentRemove as { document: string } | undefined;
    if (dr) return `remove:${dr.document.split('/documents/')[1]}`;
    const f = m.filter as { targetId: number; count: number } | undefined;
    if (f) return `filter:${f.targetId}:${f.count}`;
    return JSON.stringify(m);
  });
}

function setup() {
  const store = new Store();
  const db = store.database({ projectId: 'p', databaseId: '(default)' });
  const sent: ListenResponse[] = [];
  let reads = 0;
  const session = new ListenSession(store, db, (m) => sent.push(m), { chargeReads: (n) => (reads += n) });
  let lastToken: string | undefined;
  const take = (): string[] => {
    const batch = sent.splice(0);
    for (const m of batch) {
      const tc = m.targetChange as { resumeToken?: string } | undefined;
      if (tc?.resumeToken) lastToken = tc.resumeToken;
    }
    return describeMessages(batch);
  };
  return { store, db, session, take, reads: () => reads, token: () => lastToken };
}

describe('listen sessions', () => {
  it('sends ADD, documents, CURRENT and a global NO_CHANGE for a new query target', () => {
    const { store, db, session, take, reads } = setup();
    write(store, db, 'c/a', { n: int(1) });
    write(store, db, 'c/b', { n: int(2) });
    session.addTarget(2, { kind: 'query', query: parseStructuredQuery({ from: [{ collectionId: 'c' }] }, '') });
    expect(take()).toEqual(['ADD:2', 'doc:c/a:2', 'doc:c/b:2', 'CURRENT:2', 'NO_CHANGE:@']);
    expect(reads()).toBe(2);
  });

  it('charges one read for an empty result and answers a missing document with CURRENT only', () => {
    const { session, take, reads } = setup();
    session.addTarget(4, { kind: 'documents', paths: ['c/missing'] });
    expect(take()).toEqual(['ADD:4', 'CURRENT:4', 'NO_CHANGE:@']);
    expect(reads()).toBe(1);
  });

  it('streams changes, deletes and removes, each batch closed by a global NO_CHANGE', () => {
    const { store, db, session, take } = setup();
    write(store, db, 'c/a', { n: int(1) });
    session.addTarget(2, { kind: 'query', query: parseStructuredQuery({ from: [{ collectionId: 'c' }], where: { fieldFilter: { field: { fieldPath: 'n' }, op: 'LESS_THAN', value: int(10) } } }, '') });
    take();
    write(store, db, 'c/b', { n: int(2) });
    expect(take()).toEqual(['doc:c/b:2', 'NO_CHANGE:@']);
    write(store, db, 'c/b', { n: int(20) });
    expect(take()).toEqual(['remove:c/b', 'NO_CHANGE:@']);
    write(store, db, 'c/a', null);
    expect(take()).toEqual(['delete:c/a', 'NO_CHANGE:@']);
    write(store, db, 'other/x', { n: int(1) });
    expect(take()).toEqual([]);
  });

  it('recomputes limit windows', () => {
    const { store, db, session, take } = setup();
    write(store, db, 'c/r1', { n: int(1) });
    write(store, db, 'c/r2', { n: int(2) });
    write(store, db, 'c/r3', { n: int(3) });
    session.addTarget(2, { kind: 'query', query: parseStructuredQuery({ from: [{ collectionId: 'c' }], orderBy: [{ field: { fieldPath: 'n' } }], limit: 2 }, '') });
    expect(take()).toEqual(['ADD:2', 'doc:c/r1:2', 'doc:c/r2:2', 'CURRENT:2', 'NO_CHANGE:@']);
    write(store, db, 'c/r0', { n: int(0) });
    expect(take()).toEqual(['doc:c/r0:2', 'remove:c/r2', 'NO_CHANGE:@']);
    write(store, db, 'c/r0', null);
    expect(take()).toEqual(['doc:c/r2:2', 'delete:c/r0', 'NO_CHANGE:@']);
  });

  it('resumes from a token with only the changes, and resets on an unusable token', () => {
    const { store, db, session, take, reads, token } = setup();
    write(store, db, 'c/a', { n: int(1) });
    write(store, db, 'c/b', { n: int(2) });
    const query = parseStructuredQuery({ from: [{ collectionId: 'c' }] }, '');
    session.addTarget(2, { kind: 'query', query });
    take();
    const current = token()!;
    session.removeTarget(2);
    expect(take()).toEqual(['REMOVE:2']);
    write(store, db, 'c/b', { n: int(3) });
    write(store, db, 'c/a', null);
    write(store, db, 'c/c', { n: int(4) });
    const before = reads();
    session.addTarget(2, { kind: 'query', query }, { resumeToken: current, expectedCount: 2 });
    expect(take()).toEqual(['ADD:2', 'doc:c/b:2', 'doc:c/c:2', 'delete:c/a', 'filter:2:2', 'CURRENT:2', 'NO_CHANGE:@']);
    expect(reads() - before).toBe(2);
    session.removeTarget(2);
    take();
    session.addTarget(2, { kind: 'query', query }, { resumeToken: 'bm9wZQ==' });
    expect(take()).toEqual(['ADD:2', 'RESET:2', 'doc:c/b:2', 'doc:c/c:2', 'CURRENT:2', 'NO_CHANGE:@']);
  });

  it('stops listening when closed (no leaked commit listeners)', () => {
    const { store, db, session, take } = setup();
    session.addTarget(2, { kind: 'query', query: parseStructuredQuery({ from: [{ collectionId: 'c' }] }, '') });
    take();
    session.close();
    write(store, db, 'c/a', { n: int(1) });
    expect(take()).toEqual([]);
  });
});

