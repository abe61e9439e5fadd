import { afterAll, describe, expect, it } from 'vitest';
import { FirestoreError } from '../model/index.js';
import { compileRules } from '../rules/index.js';
import { FirestoreService, type CallContext } from '../service/index.js';
import { installSecurityRules, securityRulesOf } from './install.js';

const service = new FirestoreService({ sweepIntervalMs: 0 });
const rules = installSecurityRules(service);
afterAll(() => service.dispose());

const owner: CallContext = { auth: { kind: 'owner' }, connection: { id: 'unit' } };
const user = (uid: string, token: Record<string, unknown> = {}): CallContext => ({ auth: { kind: 'user', uid, token: { sub: uid, ...token } }, connection: { id: uid } });
const nobody: CallContext = { auth: { kind: 'unauthenticated' }, connection: { id: 'anon' } };

let projectSeq = 0;
/** A project of its own with `source` as its rules. */
function project(source?: string): { db: string; root: string; id: string } {
  const id = `demo-authz-${++projectSeq}`;
  if (source !== undefined) rules.set(id, compileRules(`rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n${source}\n  }\n}\n`));
  const db = `projects/${id}/databases/(default)`;
  return { db, root: `${db}/documents`, id };
}

const str = (s: string) => ({ stringValue: s });
const set = (root: string, path: string, fields: Record<string, unknown> = {}) => ({ update: { name: `${root}/${path}`, fields } });

async function failure(p: Promise<unknown>): Promise<FirestoreError | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    if (err instanceof FirestoreError) return err;
    throw err;
  }
}

describe('rules through the service Authorizer hook', () => {
  it('is installed once per service and leaves projects without rules open', async () => {
    expect(installSecurityRules(service)).toBe(rules);
    expect(securityRulesOf(service)).toBe(rules);
    const p = project();
    await service.commit({ database: p.db, writes: [set(p.root, 'any/doc')] }, nobody);
    expect((await service.getDocument({ name: `${p.root}/any/doc` }, nobody)).name).toBe(`${p.root}/any/doc`);
  });

  it('denies with PERMISSION_DENIED naming the rule evaluation, and lets the owner through', async () => {
    const p = project(`    match /notes/{id} {\n      allow create: if request.auth != null && request.resource.data.owner == request.auth.uid;\n    }`);
    const err = await failure(service.commit({ database: p.db, writes: [set(p.root, 'notes/n1', { owner: str('bob') })] }, user('alice')));
    expect(err?.status).toBe('PERMISSION_DENIED');
    expect(err?.message).toMatch(/^Missing or insufficient permissions\. false for 'create' @ L5$/);
    await service.commit({ database: p.db, writes: [set(p.root, 'notes/n1', { owner: str('alice') })] }, user('alice'));
    expect((await failure(service.getDocument({ name: `${p.root}/notes/n1` }, user('alice'))))?.message).toMatch(/No matching allow statements/);
    await service.commit({ database: p.db, writes: [set(p.root, 'anything/else')] }, owner);
    expect((await service.getDocument({ name: `${p.root}/notes/n1` }, owner)).fields).toEqual({ owner: str('alice') });
  });

  it('tells get from list, and checks a list against the query constraints', async () => {
    const p = project(
      `    match /items/{id} {\n      allow get: if request.auth != null;\n      allow list: if request.auth != null && resource.data.owner == request.auth.uid;\n    }`,
    );
    await service.commit({ database: p.db, writes: [set(p.root, 'items/a', { owner: str('alice') }), set(p.root, 'items/b', { owner: str('bob') })] }, owner);
    await service.getDocument({ name: `${p.root}/items/b` }, user('alice'));
    const mine = { from: [{ collectionId: 'items' }], where: { fieldFilter: { field: { fieldPath: 'owner' }, op: 'EQUAL', value: str('alice') } } };
    expect(await service.runQuery({ parent: p.root, structuredQuery: mine }, user('alice'))).toHaveLength(1);
    const all = await failure(service.runQuery({ parent: p.root, structuredQuery: { from: [{ collectionId: 'items' }] } }, user('alice')));
    expect(all?.message).toMatch(/not true for every document the query can return for 'list' @ L6/);
    expect((await failure(service.runAggregationQuery({ parent: p.root, structuredAggregationQuery: { structuredQuery: { from: [{ collectionId: 'items' }] }, aggregations: [{ alias: 'n', count: {} }] } }, user('alice'))))?.status).toBe('PERMISSION_DENIED');
    // ListDocuments is a list without constraints; collection ids are for the owner only.
    expect((await failure(service.listDocuments({ parent: p.root, collectionId: 'items' }, user('alice'))))?.status).toBe('PERMISSION_DENIED');
    expect((await failure(service.listCollectionIds({ parent: p.root }, user('alice'))))?.message).toMatch(/owner/);
    expect((await service.listCollectionIds({ parent: p.root }, owner)).collectionIds).toEqual(['items']);
  });

  it('shows request.query (limit, orderBy) to list rules', async () => {
    const p = project(`    match /feed/{id} {\n      allow list: if request.query.limit <= 10 && request.query.orderBy.at == 'DESC';\n    }`);
    const q = (limit: number, direction: string) => ({ from: [{ collectionId: 'feed' }], orderBy: [{ field: { fieldPath: 'at' }, direction }], limit });
    await service.runQuery({ parent: p.root, structuredQuery: q(10, 'DESCENDING') }, nobody);
    expect((await failure(service.runQuery({ parent: p.root, structuredQuery: q(11, 'DESCENDING') }, nobody)))?.status).toBe('PERMISSION_DENIED');
    expect((await failure(service.runQuery({ parent: p.root, structuredQuery: q(5, 'ASCENDING') }, nobody)))?.status).toBe('PERMISSION_DENIED');
  });

  it('makes request.time equal to the server timestamps of the commit', async () => {
    const p = project(`    match /stamped/{id} {\n      allow create: if request.resource.data.at == request.time;\n    }`);
    const write = { ...set(p.root, 'stamped/s1'), updateTransforms: [{ fieldPath: 'at', setToServerValue: 'REQUEST_TIME' }] };
    await service.commit({ database: p.db, writes: [write] }, nobody);
    const clientTime = { timestampValue: new Date().toISOString() };
    expect((await failure(service.commit({ database: p.db, writes: [set(p.root, 'stamped/s2', { at: clientTime })] }, nobody)))?.status).toBe('PERMISSION_DENIED');
  });

  it('lets getAfter()/existsAfter() see the whole batch', async () => {
    const p = project(
      `    match /parents/{id} {\n      allow create, delete: if true;\n    }\n    match /children/{id} {\n      allow create: if getAfter(/databases/$(database)/documents/parents/$(request.resource.data.parent)).data.open == true;\n    }`,
    );
    const child = (id: string) => set(p.root, `children/${id}`, { parent: str('p1') });
    expect((await failure(service.commit({ database: p.db, writes: [child('c0')] }, nobody)))?.status).toBe('PERMISSION_DENIED');
    await service.commit({ database: p.db, writes: [set(p.root, 'parents/p1', { open: { booleanValue: true } }), child('c1')] }, nobody);
    expect((await failure(service.commit({ database: p.db, writes: [{ delete: `${p.root}/parents/p1` }, child('c2')] }, nobody)))?.status).toBe('PERMISSION_DENIED');
    // Reads in a get request cannot use getAfter().
    const q = project(`    match /x/{id} {\n      allow get: if existsAfter(/databases/$(database)/documents/x/$(id));\n    }`);
    expect((await failure(service.getDocument({ name: `${q.root}/x/1` }, nobody)))?.message).toMatch(/only available for write requests/);
  });

  it('shares 20 document reads across the writes of one commit, at most 10 per write', async () => {
    const reads = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => `exists(/databases/$(database)/documents/refs/r${from + i})`).join(' && ');
    const p = project(
      `    match /refs/{id} {\n      allow create: if true;\n    }\n    match /a/{id} {\n      allow create: if ${reads(0, 7)};\n    }\n    match /b/{id} {\n      allow create: if ${reads(7, 7)};\n    }\n    match /c/{id} {\n      allow create: if ${reads(14, 7)};\n    }\n    match /big/{id} {\n      allow create: if ${reads(0, 11)};\n    }`,
    );
    await service.commit({ database: p.db, writes: Array.from({ length: 21 }, (_, i) => set(p.root, `refs/r${i}`)) }, owner);
    // 14 distinct reads in one commit; a read repeated by another write is served from the session.
    await service.commit({ database: p.db, writes: [set(p.root, 'a/1'), set(p.root, 'b/1'), set(p.root, 'a/2')] }, nobody);
    const tooMany = await failure(service.commit({ database: p.db, writes: [set(p.root, 'a/3'), set(p.root, 'b/3'), set(p.root, 'c/3')] }, nobody));
    expect(tooMany?.message).toMatch(/Exceeded maximum number of document access calls \(20\)/);
    const oneBig = await failure(service.commit({ database: p.db, writes: [set(p.root, 'big/1')] }, nobody));
    expect(oneBig?.message).toMatch(/\(10\)/);
    // Each request gets a fresh budget: the same writes one by one are fine.
    for (const w of ['a/4', 'b/4', 'c/4']) await service.commit({ database: p.db, writes: [set(p.root, w)] }, nobody);
  });

  it('keeps rules per project and falls back to the default rules', async () => {
    const locked = project(`    match /{document=**} {\n      allow read, write: if false;\n    }`);
    const open = project();
    await service.commit({ database: open.db, writes: [set(open.root, 'x/1')] }, nobody);
    expect((await failure(service.commit({ database: locked.db, writes: [set(locked.root, 'x/1')] }, nobody)))?.status).toBe('PERMISSION_DENIED');
    rules.setDefault(compileRules(`rules_version = '2';\nservice cloud.firestore { match /databases/{db}/documents { match /x/{id} { allow read: if true; } } }`));
    try {
      expect((await failure(service.commit({ database: open.db, writes: [set(open.root, 'x/2')] }, nobody)))?.status).toBe('PERMISSION_DENIED');
      await service.getDocument({ name: `${open.root}/x/1` }, nobody);
      rules.delete(locked.id);
      await expect(service.getDocument({ name: `${locked.root}/x/1` }, owner)).rejects.toMatchObject({ status: 'NOT_FOUND' });
    } finally {
      rules.setDefault(undefined);
    }
  });

  it('passes the token claims and treats the unauthenticated as null auth', async () => {
    const p = project(`    match /admin/{id} {\n      allow get: if request.auth.token.admin == true;\n    }\n    match /public/{id} {\n      allow get: if request.auth == null;\n    }`);
    await service.getDocument({ name: `${p.root}/public/1` }, nobody).catch((e: FirestoreError) => expect(e.status).toBe('NOT_FOUND'));
    expect((await failure(service.getDocument({ name: `${p.root}/public/1` }, user('alice'))))?.status).toBe('PERMISSION_DENIED');
    expect((await failure(service.getDocument({ name: `${p.root}/admin/1` }, user('alice'))))?.status).toBe('PERMISSION_DENIED');
    expect((await failure(service.getDocument({ name: `${p.root}/admin/1` }, user('root', { admin: true }))))?.status).toBe('NOT_FOUND');
  });
});
