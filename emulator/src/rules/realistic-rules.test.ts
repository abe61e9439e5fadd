import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compileRules,
  evaluateAccess,
  type AccessRequest,
  type AuthContext,
  type FilterJson,
  type WireDocument,
  type WireValue,
} from './index.js';

const rules = compileRules(readFileSync(new URL('./testdata/realistic.rules', import.meta.url), 'utf8'), 'realistic.rules');

const ROOT = 'projects/demo/databases/(default)/documents';
const NOW = '2024-06-01T12:00:00.123456Z';
const EARLIER = '2024-05-01T08:00:00Z';

type Role = 'anonymous' | 'alice' | 'bob' | 'admin';
const ROLES: readonly Role[] = ['anonymous', 'alice', 'bob', 'admin'];
const auth: Record<Role, AuthContext | null> = {
  anonymous: null,
  alice: { uid: 'alice', token: { email: 'alice@example.com', firebase: { sign_in_provider: 'password' } } },
  bob: { uid: 'bob', token: { email: 'bob@example.com' } },
  admin: { uid: 'root', token: { admin: true } },
};

const s = (v: string): WireValue => ({ stringValue: v });
const ts = (v: string): WireValue => ({ timestampValue: v });
const i = (v: number): WireValue => ({ integerValue: String(v) });
const arr = (...values: WireValue[]): WireValue => ({ arrayValue: { values } });
const fields = (f: Record<string, WireValue>): WireDocument => ({ fields: f });

const admins: Record<string, WireDocument> = { [`${ROOT}/admins/root`]: fields({}) };

function decide(role: Role, over: Omit<AccessRequest, 'auth' | 'time' | 'path'> & { path: string }): boolean {
  return evaluateAccess(rules, {
    auth: auth[role],
    time: NOW,
    accessor: { get: (n) => admins[n] ?? null, getAfter: () => null },
    ...over,
    path: `${ROOT}/${over.path}`,
  }).allowed;
}

/** Runs one operation for every role and returns the roles that were allowed. */
function allowedRoles(over: Omit<AccessRequest, 'auth' | 'time' | 'path'> & { path: string }): Role[] {
  return ROLES.filter((r) => decide(r, over));
}

const aliceProfile = fields({ displayName: s('Alice'), createdAt: ts(EARLIER) });
const aliceJob = fields({ owner: s('alice'), status: s('submitted'), audio: s('gs://bucket/a.wav'), createdAt: ts(EARLIER) });

describe('owner-only user documents', () => {
  it('lets the owner and admins read a profile', () => {
    expect(allowedRoles({ path: 'users/alice', method: 'get', resource: aliceProfile })).toEqual(['alice', 'admin']);
  });

  it('lets only admins list profiles', () => {
    expect(allowedRoles({ path: 'users', method: 'list', query: { from: [{ collectionId: 'users' }] } })).toEqual(['admin']);
  });

  it('validates a new profile with keys().hasAll/hasOnly and is checks', () => {
    const create = (data: Record<string, WireValue>): Role[] =>
      allowedRoles({ path: 'users/alice', method: 'create', requestResource: fields(data) });
    expect(create({ displayName: s('Alice'), createdAt: ts(NOW) })).toEqual(['alice']);
    expect(create({ displayName: s('Alice'), createdAt: ts(NOW), bio: s('hi') })).toEqual(['alice']);
    expect(create({ displayName: s('Alice'), createdAt: ts(NOW), bio: i(1) })).toEqual([]);
    expect(create({ displayName: s('Alice'), createdAt: ts(NOW), role: s('admin') })).toEqual([]);
    expect(create({ displayName: s('Alice') })).toEqual([]);
    expect(create({ displayName: i(7), createdAt: ts(NOW) })).toEqual([]);
    expect(create({ displayName: s(''), createdAt: ts(NOW) })).toEqual([]);
    expect(create({ displayName: s('x'.repeat(51)), createdAt: ts(NOW) })).toEqual([]);
    expect(create({ displayName: s('Alice'), createdAt: ts(EARLIER) })).toEqual([]);
  });

  it('lets the owner change only displayName and bio', () => {
    const update = (data: Record<string, WireValue>): Role[] =>
      allowedRoles({ path: 'users/alice', method: 'update', resource: aliceProfile, requestResource: fields(data) });
    expect(update({ displayName: s('Al'), createdAt: ts(EARLIER) })).toEqual(['alice']);
    expect(update({ displayName: s('Al'), createdAt: ts(EARLIER), bio: s('new') })).toEqual(['alice']);
    expect(update({ displayName: s('Al'), createdAt: ts(NOW) })).toEqual([]);
    expect(update({ displayName: s('Al') })).toEqual([]);
  });

  it('lets only admins delete', () => {
    expect(allowedRoles({ path: 'users/alice', method: 'delete', resource: aliceProfile })).toEqual(['admin']);
  });
});

describe('jobs: well-formed creation, owner reads, cancel only', () => {
  const newJob = (over: Record<string, WireValue> = {}): WireDocument =>
    fields({ owner: s('alice'), status: s('submitted'), audio: s('gs://bucket/x.wav'), createdAt: ts(NOW), ...over });

  it('accepts a well-formed job for oneself only', () => {
    expect(allowedRoles({ path: 'jobs/j1', method: 'create', requestResource: newJob() })).toEqual(['alice']);
    expect(allowedRoles({ path: 'jobs/j1', method: 'create', requestResource: newJob({ priority: i(5) }) })).toEqual(['alice']);
  });

  it('lets nobody but bob create a job owned by bob', () => {
    expect(allowedRoles({ path: 'jobs/j1', method: 'create', requestResource: newJob({ owner: s('bob') }) })).toEqual(['bob']);
    expect(allowedRoles({ path: 'jobs/j1', method: 'create', requestResource: newJob({ owner: s('root') }) })).toEqual(['admin']);
  });

  it.each([
    ['a null owner', { owner: { nullValue: null } }],
    ['forged status', { status: s('done') }],
    ['bad audio url', { audio: s('http://evil/x') }],
    ['audio not a string', { audio: i(3) }],
    ['client-chosen createdAt', { createdAt: ts(EARLIER) }],
    ['priority out of range', { priority: i(11) }],
    ['priority not an int', { priority: { doubleValue: 1.5 } }],
    ['extra field', { result: s('pwned') }],
  ])('rejects a job with %s', (_name, over) => {
    expect(allowedRoles({ path: 'jobs/j1', method: 'create', requestResource: newJob(over) })).toEqual([]);
  });

  it('lets owners and admins read a job, and owners list only their own', () => {
    expect(allowedRoles({ path: 'jobs/j1', method: 'get', resource: aliceJob })).toEqual(['alice', 'admin']);
    const ownerFilter: FilterJson = { fieldFilter: { field: { fieldPath: 'owner' }, op: 'EQUAL', value: s('alice') } };
    expect(allowedRoles({ path: 'jobs', method: 'list', query: { from: [{ collectionId: 'jobs' }], where: ownerFilter } })).toEqual([
      'alice',
      'admin',
    ]);
    expect(allowedRoles({ path: 'jobs', method: 'list', query: { from: [{ collectionId: 'jobs' }] } })).toEqual(['admin']);
  });

  it('lets the owner cancel a submitted job and nothing else', () => {
    const cancel = (before: WireDocument, after: Record<string, WireValue>): Role[] =>
      allowedRoles({ path: 'jobs/j1', method: 'update', resource: before, requestResource: fields({ ...before.fields, ...after }) });
    expect(cancel(aliceJob, { status: s('cancelled'), cancelledAt: ts(NOW) })).toEqual(['alice']);
    expect(cancel(aliceJob, { status: s('done'), cancelledAt: ts(NOW) })).toEqual([]);
    expect(cancel(aliceJob, { status: s('cancelled'), cancelledAt: ts(NOW), owner: s('bob') })).toEqual([]);
    const running = fields({ ...aliceJob.fields, status: s('running') });
    expect(cancel(running, { status: s('cancelled'), cancelledAt: ts(NOW) })).toEqual([]);
  });

  it('denies deleting jobs to everyone', () => {
    expect(allowedRoles({ path: 'jobs/j1', method: 'delete', resource: aliceJob })).toEqual([]);
  });
});

describe('append-only audit and log', () => {
  const entry = (actor: string, at = NOW): WireDocument => fields({ actor: s(actor), action: s('breaker.open'), at: ts(at) });

  it('lets admins append audit entries about themselves and never change them', () => {
    expect(allowedRoles({ path: 'audit/e1', method: 'create', requestResource: entry('root') })).toEqual(['admin']);
    expect(allowedRoles({ path: 'audit/e1', method: 'create', requestResource: entry('alice') })).toEqual([]);
    expect(allowedRoles({ path: 'audit/e1', method: 'create', requestResource: entry('root', EARLIER) })).toEqual([]);
    expect(allowedRoles({ path: 'audit/e1', method: 'update', resource: entry('root'), requestResource: entry('root') })).toEqual([]);
    expect(allowedRoles({ path: 'audit/e1', method: 'delete', resource: entry('root') })).toEqual([]);
    expect(allowedRoles({ path: 'audit/e1', method: 'get', resource: entry('root') })).toEqual(['admin']);
  });

  it('only lets the log grow at its end (diff().affectedKeys().hasOnly and list ranges)', () => {
    const before = fields({ entries: arr(s('a'), s('b')), updatedAt: ts(EARLIER), title: s('t') });
    const update = (after: Record<string, WireValue>): Role[] =>
      allowedRoles({ path: 'logs/l1', method: 'update', resource: before, requestResource: fields(after) });
    expect(update({ entries: arr(s('a'), s('b'), s('c')), updatedAt: ts(NOW), title: s('t') })).toEqual(['admin']);
    expect(update({ entries: arr(s('a'), s('X'), s('c')), updatedAt: ts(NOW), title: s('t') })).toEqual([]);
    expect(update({ entries: arr(s('a')), updatedAt: ts(NOW), title: s('t') })).toEqual([]);
    expect(update({ entries: arr(s('a'), s('b'), s('c')), updatedAt: ts(NOW), title: s('changed') })).toEqual([]);
  });
});

describe('admin-only control documents', () => {
  it('requires the admin claim and a matching admins document', () => {
    expect(allowedRoles({ path: 'control/breaker', method: 'update', resource: fields({}), requestResource: fields({ open: { booleanValue: true } }) })).toEqual([
      'admin',
    ]);
    const forged = evaluateAccess(rules, {
      path: `${ROOT}/control/breaker`,
      method: 'update',
      auth: { uid: 'mallory', token: { admin: true } },
      time: NOW,
      accessor: { get: (n) => admins[n] ?? null, getAfter: () => null },
      requestResource: fields({}),
    });
    expect(forged.allowed).toBe(false);
    expect(forged.documentAccesses).toBe(1);
  });

  it('denies anything not mentioned in the rules', () => {
    expect(allowedRoles({ path: 'secrets/s1', method: 'get' })).toEqual([]);
    expect(allowedRoles({ path: 'jobs/j1/private/p', method: 'get' })).toEqual([]);
  });
});
