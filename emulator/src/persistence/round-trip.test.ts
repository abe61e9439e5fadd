import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import type { Firestore as AdminFirestore } from 'firebase-admin/firestore';
import { GeoPoint, Timestamp, getFirestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../emulator.js';
import { startEmulator } from '../emulator.js';
import type { StoredDocument } from '../model/index.js';
import type { Store } from '../store/index.js';
import { EVERY_VALUE_TYPE } from '../testing/every-value-type.js';
import { uniqueProjectId } from '../testing/test-env.js';
import { MANIFEST_FILE } from './export-format.js';

type Row = { database: string; path: string; fields: StoredDocument['fields']; createTime: bigint; updateTime: bigint };

/** Every live document of the store, in a stable order. */
function contents(store: Store): Row[] {
  const rows: Row[] = [];
  for (const db of store.allDatabases()) {
    for (const c of db.allCollections()) {
      for (const d of c.liveDocs()) rows.push({ database: db.key, path: d.path, fields: d.fields, createTime: d.createTime, updateTime: d.updateTime });
    }
  }
  return rows.sort((a, b) => (`${a.database}/${a.path}` < `${b.database}/${b.path}` ? -1 : 1));
}

const apps: ReturnType<typeof initializeApp>[] = [];

/** firebase-admin against `emulator` (its own app per call), reading integers as bigint. */
function admin(emulator: RunningEmulator, projectId: string, databaseId = '(default)'): AdminFirestore {
  const app = initializeApp({ projectId }, `export-${apps.length}-${Math.random().toString(36).slice(2)}`);
  apps.push(app);
  const db = getFirestore(app, databaseId);
  db.settings({ host: emulator.hostAndPort, ssl: false, useBigInt: true });
  return db;
}

describe('export and import round trip', () => {
  const projectId = uniqueProjectId('export');
  let dir: string;
  let source: RunningEmulator;
  let target: RunningEmulator | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fq-export-'));
    source = await startEmulator({ port: 0, logLevel: 'silent' });
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => deleteApp(app)));
    await source.stop();
    await target?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps documents, subcollections, every value type and create/update times', async () => {
    const db = admin(source, projectId);
    const second = admin(source, projectId, 'second');
    // Through the SDK (gRPC): the types the SDK writes, nested subcollections, a document
    // updated after its creation, a subcollection under a missing document.
    await db.doc('users/alice').set({
      name: 'Alice',
      age: 42,
      big: 9223372036854775807n,
      score: 0.1,
      joined: new Timestamp(1_700_000_000, 123_456_000),
      avatar: Buffer.from([1, 2, 3]),
      friend: db.doc('users/bob'),
      home: new GeoPoint(48.8566, 2.3522),
      tags: ['a', 1, { deep: [true, null] }],
      prefs: { theme: 'dark', limits: { daily: 5 } },
    });
    await db.doc('users/alice').update({ age: 43 });
    await db.doc('users/alice/posts/p1').set({ title: 'first' });
    await db.doc('users/alice/posts/p1/comments/c1').set({ text: 'nice' });
    await db.doc('orphans/ghost/kids/k1').set({ n: 1 });
    await second.doc('things/t1').set({ in: 'the second database' });
    // Through REST with exact proto3 JSON: the edges the SDK cannot express (-0, NaN, ±Infinity, int64 limits).
    const exact = JSON.stringify({ writes: [{ update: { name: `projects/${projectId}/databases/(default)/documents/types/all`, fields: EVERY_VALUE_TYPE } }] }, (k, v: unknown) =>
      k === 'doubleValue' && Object.is(v, -0) ? '-0' : v,
    );
    const committed = await fetch(`${source.url}/v1/projects/${projectId}/databases/(default)/documents:commit`, {
      method: 'POST',
      headers: { authorization: 'Bearer owner' },
      body: exact,
    });
    expect(committed.status).toBe(200);

    const before = contents(source.service.store);
    expect(before.map((r) => r.path)).toEqual(['orphans/ghost/kids/k1', 'types/all', 'users/alice', 'users/alice/posts/p1', 'users/alice/posts/p1/comments/c1', 'things/t1']);
    const alice = before.find((r) => r.path === 'users/alice')!;
    expect(alice.updateTime).toBeGreaterThan(alice.createTime);

    // Export through the HTTP endpoint, then load it into a fresh emulator.
    const exported = await fetch(`${source.url}/emulator/v1/projects/${projectId}:export`, { method: 'POST', body: JSON.stringify({ exportDirectory: dir }) });
    expect(exported.status).toBe(200);
    expect(await exported.json()).toMatchObject({ exportDirectory: dir, documents: 6 });
    target = await startEmulator({ port: 0, logLevel: 'silent', importDirectory: dir });
    expect(target.imported).toMatchObject({ directory: dir, documents: 6 });

    const after = contents(target.service.store);
    expect(after).toStrictEqual(before);
    const allTypes = after.find((r) => r.path === 'types/all')!.fields;
    expect(allTypes).toStrictEqual(EVERY_VALUE_TYPE);
    expect(Object.is((allTypes.negativeZero as { doubleValue: number }).doubleValue, -0)).toBe(true);

    // What the SDK sees in the new emulator: same data, same times, subcollections listed.
    const reader = admin(target, projectId);
    const [was, is] = await Promise.all([db.doc('users/alice').get(), reader.doc('users/alice').get()]);
    const { friend: friendWas, ...restWas } = was.data()!;
    const { friend: friendIs, ...restIs } = is.data()!;
    expect(restIs).toEqual(restWas);
    expect((friendIs as typeof friendWas).path).toBe((friendWas as { path: string }).path);
    expect(is.createTime!.isEqual(was.createTime!)).toBe(true);
    expect(is.updateTime!.isEqual(was.updateTime!)).toBe(true);
    expect((await reader.collection('users/alice/posts/p1/comments').get()).docs.map((d) => d.get('text'))).toEqual(['nice']);
    expect((await reader.doc('orphans/ghost').listCollections()).map((c) => c.id)).toEqual(['kids']);
    expect((await admin(target, projectId, 'second').doc('things/t1').get()).get('in')).toBe('the second database');

    // Commits after the import are stamped after every imported update time.
    const newest = after.reduce((max, r) => (r.updateTime > max ? r.updateTime : max), 0n);
    const written = await reader.doc('users/carol').set({ n: 1 });
    expect(BigInt(written.writeTime.seconds) * 1_000_000_000n + BigInt(written.writeTime.nanoseconds)).toBeGreaterThan(newest);
  });

  it('replaces an earlier export in the same directory and leaves one documents file', async () => {
    const first = (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));
    const summary = await target!.exportData(dir);
    expect(summary.documents).toBe(7);
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith('.jsonl'))).toEqual([summary.documentsFile]);
    expect(first).not.toContain(summary.documentsFile);
    expect(files).toContain(MANIFEST_FILE);
    // Two exports at once (the endpoint and the exit) run one after the other.
    const [, last] = await Promise.all([target!.exportData(dir), target!.exportData(dir)]);
    expect((await readdir(dir)).filter((f) => f.endsWith('.jsonl'))).toEqual([last.documentsFile]);
  });

  it('refuses a directory without an export, naming Google\'s format when it is that', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'fq-empty-'));
    try {
      await expect(startEmulator({ port: 0, logLevel: 'silent', importDirectory: empty })).rejects.toThrow(/holds no export/);
      await (await import('node:fs/promises')).writeFile(join(empty, 'firebase-export-metadata.json'), '{}');
      await expect(startEmulator({ port: 0, logLevel: 'silent', importDirectory: empty })).rejects.toThrow(/export of Google's emulator/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
