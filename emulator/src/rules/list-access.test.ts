import { describe, expect, it } from 'vitest';
import {
  compileRules,
  evaluateAccess,
  RulesRequestError,
  type AccessDecision,
  type FilterJson,
  type StructuredQueryJson,
  type WireDocument,
  type WireValue,
} from './index.js';

const ROOT = 'projects/demo/databases/(default)/documents';

const rulesWith = (body: string): ReturnType<typeof compileRules> =>
  compileRules(`rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
${body}
  }
}`);

type Scalar = string | number | boolean | null | Scalar[];
function wire(v: Scalar): WireValue {
  if (v === null) return { nullValue: null };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { booleanValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { integerValue: String(v) } : { doubleValue: v };
  return { arrayValue: { values: v.map(wire) } };
}

const where = (fieldPath: string, op: string, v: Scalar): FilterJson => ({ fieldFilter: { field: { fieldPath }, op, value: wire(v) } });
const and = (...filters: FilterJson[]): FilterJson => ({ compositeFilter: { op: 'AND', filters } });
const or = (...filters: FilterJson[]): FilterJson => ({ compositeFilter: { op: 'OR', filters } });
const unary = (fieldPath: string, op: string): FilterJson => ({ unaryFilter: { field: { fieldPath }, op } });

function list(
  rules: ReturnType<typeof compileRules>,
  collectionId: string,
  filter?: FilterJson,
  extra: Partial<StructuredQueryJson> & { parent?: string; uid?: string | null; allDescendants?: boolean; accessor?: (name: string) => WireDocument | null } = {},
): AccessDecision {
  const { parent, uid = 'alice', allDescendants, accessor, ...rest } = extra;
  const query: StructuredQueryJson = { from: [{ collectionId, ...(allDescendants ? { allDescendants } : {}) }], ...(filter ? { where: filter } : {}), ...rest };
  return evaluateAccess(rules, {
    path: parent ? `${ROOT}/${parent}` : ROOT,
    method: 'list',
    auth: uid === null ? null : { uid, token: {} },
    time: '2024-01-01T00:00:00Z',
    query,
    ...(accessor ? { accessor: { get: accessor, getAfter: () => null } } : {}),
  });
}

describe('rules are not filters: equality constraints', () => {
  const rules = rulesWith(`
    match /stories/{storyId} {
      allow read: if request.auth != null && request.auth.uid == resource.data.author;
    }
    match /posts/{postId} {
      allow list: if resource.data.published == true || resource.data.author == request.auth.uid;
    }`);

  it('allows a query filtered on the field the rule checks', () => {
    const d = list(rules, 'stories', where('author', 'EQUAL', 'alice'));
    expect(d.allowed).toBe(true);
    expect(d.reason).toBe("allowed by 'allow read' at firestore.rules:6:7");
  });

  it('denies the same query without the filter, or filtered on another value', () => {
    expect(list(rules, 'stories').reason).toBe("not true for every document the query can return for 'list' @ L6");
    expect(list(rules, 'stories', where('author', 'EQUAL', 'bob')).reason).toBe("false for 'list' @ L6");
    expect(list(rules, 'stories', where('title', 'EQUAL', 'x')).allowed).toBe(false);
    expect(list(rules, 'stories', where('author', 'EQUAL', 'alice'), { uid: null }).allowed).toBe(false);
  });

  it('checks every value of an IN filter', () => {
    expect(list(rules, 'stories', where('author', 'IN', ['alice'])).allowed).toBe(true);
    const d = list(rules, 'stories', where('author', 'IN', ['alice', 'bob']));
    expect(d.allowed).toBe(false);
    expect(d.reason).toBe("query alternative 2 of 2: false for 'list' @ L6");
  });

  it('accepts either side of an OR rule and every branch of an OR query', () => {
    expect(list(rules, 'posts', where('published', 'EQUAL', true)).allowed).toBe(true);
    expect(list(rules, 'posts', where('author', 'EQUAL', 'alice')).allowed).toBe(true);
    expect(list(rules, 'posts', or(where('published', 'EQUAL', true), where('author', 'EQUAL', 'alice'))).allowed).toBe(true);
    expect(list(rules, 'posts', or(where('published', 'EQUAL', true), where('author', 'EQUAL', 'bob'))).allowed).toBe(false);
    expect(list(rules, 'posts', where('published', 'EQUAL', false)).allowed).toBe(false);
    expect(list(rules, 'posts').allowed).toBe(false);
  });

  it('combines AND filters', () => {
    expect(list(rules, 'stories', and(where('genre', 'EQUAL', 'sf'), where('author', 'EQUAL', 'alice'))).allowed).toBe(true);
  });
});

describe('range, inequality and array constraints', () => {
  const rules = rulesWith(`
    match /people/{id} { allow list: if resource.data.age >= 18; }
    match /items/{id} { allow list: if resource.data.status != 'deleted' && resource.data.status != null; }
    match /groups/{id} { allow list: if request.auth.uid in resource.data.members; }
    match /teams/{id} { allow list: if resource.data.members.hasAny([request.auth.uid]); }
    match /typed/{id} { allow list: if resource.data.name is string && 'name' in resource.data; }
    match /nested/{id} { allow list: if resource.data.meta.owner == request.auth.uid; }
    match /nan/{id} { allow list: if resource.data.score != null; }`);

  it('proves comparisons from range filters', () => {
    expect(list(rules, 'people', where('age', 'GREATER_THAN', 20)).allowed).toBe(true);
    expect(list(rules, 'people', where('age', 'GREATER_THAN_OR_EQUAL', 18)).allowed).toBe(true);
    expect(list(rules, 'people', where('age', 'GREATER_THAN', 17.5)).allowed).toBe(false);
    expect(list(rules, 'people', where('age', 'GREATER_THAN', 10)).allowed).toBe(false);
    expect(list(rules, 'people', where('age', 'LESS_THAN', 30)).allowed).toBe(false);
    expect(list(rules, 'people', and(where('age', 'GREATER_THAN', 10), where('age', 'GREATER_THAN', 30))).allowed).toBe(true);
    expect(list(rules, 'people', where('age', 'EQUAL', 40)).allowed).toBe(true);
    expect(list(rules, 'people', where('age', 'GREATER_THAN', 'a')).allowed).toBe(false);
  });

  it('proves != from not-equal and not-in filters', () => {
    expect(list(rules, 'items', where('status', 'NOT_EQUAL', 'deleted')).allowed).toBe(true);
    expect(list(rules, 'items', where('status', 'NOT_IN', ['archived', 'deleted'])).allowed).toBe(true);
    expect(list(rules, 'items', where('status', 'NOT_IN', ['archived'])).allowed).toBe(false);
    expect(list(rules, 'items', where('status', 'EQUAL', 'active')).allowed).toBe(true);
    expect(list(rules, 'items', where('status', 'EQUAL', 'deleted')).allowed).toBe(false);
    expect(list(rules, 'items', where('status', 'GREATER_THAN', 'e')).allowed).toBe(true);
    expect(list(rules, 'items').allowed).toBe(false);
  });

  it('proves membership from array-contains', () => {
    expect(list(rules, 'groups', where('members', 'ARRAY_CONTAINS', 'alice')).allowed).toBe(true);
    expect(list(rules, 'groups', where('members', 'ARRAY_CONTAINS', 'bob')).allowed).toBe(false);
    expect(list(rules, 'teams', where('members', 'ARRAY_CONTAINS', 'alice')).allowed).toBe(true);
    expect(list(rules, 'teams', where('members', 'ARRAY_CONTAINS_ANY', ['alice'])).allowed).toBe(true);
    expect(list(rules, 'teams', where('members', 'ARRAY_CONTAINS_ANY', ['alice', 'bob'])).allowed).toBe(false);
    expect(list(rules, 'groups', where('members', 'EQUAL', ['bob', 'alice'])).allowed).toBe(true);
  });

  it('decides type checks and key presence from the constraints', () => {
    expect(list(rules, 'typed', where('name', 'GREATER_THAN_OR_EQUAL', '')).allowed).toBe(true);
    expect(list(rules, 'typed', where('name', 'EQUAL', 'x')).allowed).toBe(true);
    expect(list(rules, 'typed', where('name', 'GREATER_THAN', 0)).allowed).toBe(false);
    expect(list(rules, 'typed').allowed).toBe(false);
  });

  it('follows nested field paths', () => {
    expect(list(rules, 'nested', where('meta.owner', 'EQUAL', 'alice')).allowed).toBe(true);
    expect(list(rules, 'nested', where('meta.other', 'EQUAL', 'alice')).allowed).toBe(false);
  });

  it('handles unary filters', () => {
    expect(list(rules, 'nan', unary('score', 'IS_NOT_NULL')).allowed).toBe(true);
    expect(list(rules, 'nan', unary('score', 'IS_NAN')).allowed).toBe(true);
    expect(list(rules, 'nan', unary('score', 'IS_NULL')).allowed).toBe(false);
  });
});

describe('request.query', () => {
  const rules = rulesWith(`
    match /feed/{id} { allow list: if request.query.limit <= 50; }
    match /sorted/{id} { allow list: if request.query.orderBy.createdAt == 'DESC' && request.query.offset == 0; }`);

  it('exposes limit, offset and orderBy', () => {
    expect(list(rules, 'feed', undefined, { limit: 10 }).allowed).toBe(true);
    expect(list(rules, 'feed', undefined, { limit: { value: 50 } }).allowed).toBe(true);
    expect(list(rules, 'feed', undefined, { limit: 51 }).allowed).toBe(false);
    const none = list(rules, 'feed');
    expect(none.allowed).toBe(false);
    expect(none.errors[0]?.message).toBe('Property limit is undefined on object.');
    const orderBy = [
      { field: { fieldPath: 'createdAt' }, direction: 'DESCENDING' },
      { field: { fieldPath: '__name__' }, direction: 'DESCENDING' },
    ];
    expect(list(rules, 'sorted', undefined, { orderBy, offset: 0 }).allowed).toBe(true);
    expect(list(rules, 'sorted', undefined, { orderBy: [{ field: { fieldPath: 'createdAt' }, direction: 'ASCENDING' }], offset: 0 }).allowed).toBe(
      false,
    );
  });
});

describe('paths of list queries', () => {
  const rules = rulesWith(`
    match /users/{uid} {
      allow list: if uid == request.auth.uid;
      match /posts/{post} { allow list: if resource.data.visible == true; }
    }
    match /users/special { allow list; }
    match /{path=**}/comments/{c} { allow list: if resource.data.public == true; }
    match /byid/{id} { allow list: if resource.id == 'x' && id == 'x'; }`);

  it('leaves the document id unknown, so rules on it cannot be proved', () => {
    expect(list(rules, 'users').allowed).toBe(false);
    expect(list(rules, 'users').reason).toBe("not true for every document the query can return for 'list' @ L6");
  });

  it('knows the document when the query pins __name__', () => {
    const byName = (name: string): FilterJson => ({ fieldFilter: { field: { fieldPath: '__name__' }, op: 'EQUAL', value: { referenceValue: `${ROOT}/${name}` } } });
    expect(list(rules, 'byid', byName('byid/x')).allowed).toBe(true);
    expect(list(rules, 'byid', byName('byid/y')).allowed).toBe(false);
    expect(list(rules, 'byid', byName('elsewhere/x')).allowed).toBe(false);
  });

  it('authorises subcollection lists by parent, given as parent or as collection path', () => {
    expect(list(rules, 'posts', where('visible', 'EQUAL', true), { parent: 'users/u1' }).allowed).toBe(true);
    expect(list(rules, 'posts', where('visible', 'EQUAL', true), { parent: 'users/u1/posts' }).allowed).toBe(true);
    expect(list(rules, 'posts', undefined, { parent: 'users/u1' }).allowed).toBe(false);
    expect(() => list(rules, 'posts', undefined, { parent: 'users/u1/other' })).toThrow(RulesRequestError);
  });

  it('authorises collection group queries only through recursive wildcards', () => {
    expect(list(rules, 'comments', where('public', 'EQUAL', true), { allDescendants: true }).allowed).toBe(true);
    expect(list(rules, 'comments', where('public', 'EQUAL', true), { allDescendants: true, parent: 'users/u1' }).allowed).toBe(true);
    expect(list(rules, 'comments', undefined, { allDescendants: true }).allowed).toBe(false);
    const posts = list(rules, 'posts', where('visible', 'EQUAL', true), { allDescendants: true });
    expect(posts.allowed).toBe(false);
    expect(posts.reason).toBe('No matching allow statements');
  });
});

describe('functions, ternaries and document reads over symbolic documents', () => {
  const rules = rulesWith(`
    function owns(d) { return d.owner == request.auth.uid; }
    match /a/{id} { allow list: if owns(resource.data); }
    match /b/{id} { allow list: if resource.data.kind == 'x' ? resource.data.owner == request.auth.uid : false; }
    match /c/{id} {
      allow list: if get(/databases/$(database)/documents/groups/$(resource.data.group)).data.members.hasAny([request.auth.uid]);
    }
    match /d/{id} { allow list: if resource != null && resource.data != null && resource.data.get(['meta', 'owner'], '') == request.auth.uid; }`);

  it('knows a queried document and its data are non-null maps, and reads nested keys with get()', () => {
    expect(list(rules, 'd', where('meta.owner', 'EQUAL', 'alice')).allowed).toBe(true);
    expect(list(rules, 'd', where('meta', 'EQUAL', 'x')).allowed).toBe(false);
    expect(list(rules, 'd').allowed).toBe(false);
  });

  it('evaluates user functions on symbolic values', () => {
    expect(list(rules, 'a', where('owner', 'EQUAL', 'alice')).allowed).toBe(true);
    expect(list(rules, 'a').allowed).toBe(false);
  });

  it('needs the ternary condition to be known or both branches to agree', () => {
    expect(list(rules, 'b', and(where('kind', 'EQUAL', 'x'), where('owner', 'EQUAL', 'alice'))).allowed).toBe(true);
    expect(list(rules, 'b', where('owner', 'EQUAL', 'alice')).allowed).toBe(false);
  });

  it('reads documents named by constrained fields', () => {
    const accessor = (name: string): WireDocument | null =>
      name === `${ROOT}/groups/g1` ? { fields: { members: wire(['alice']) } } : null;
    expect(list(rules, 'c', where('group', 'EQUAL', 'g1'), { accessor }).allowed).toBe(true);
    expect(list(rules, 'c', where('group', 'EQUAL', 'g2'), { accessor }).allowed).toBe(false);
    expect(list(rules, 'c', undefined, { accessor }).allowed).toBe(false);
  });
});

describe('query validation', () => {
  const rules = rulesWith('    match /x/{id} { allow list; }');

  it('allows unconditional list rules for any query shape', () => {
    expect(list(rules, 'x', or(where('a', 'EQUAL', 1), where('b', 'IN', [1, 2, 3]))).allowed).toBe(true);
  });

  it('denies queries whose filter expands to too many alternatives', () => {
    const wide = and(where('a', 'IN', Array.from({ length: 12 }, (_, i) => i)), where('b', 'IN', Array.from({ length: 12 }, (_, i) => i)));
    const d = list(rules, 'x', wide);
    expect(d.allowed).toBe(false);
    expect(d.reason).toContain('query too complex to authorise');
  });

  it('rejects malformed queries', () => {
    expect(() => list(rules, 'x', { fieldFilter: { field: { fieldPath: 'a' }, op: 'SIMILAR', value: wire(1) } })).toThrow(/unknown field filter operator/);
    expect(() => list(rules, 'x', where('a', 'IN', 3))).toThrow(/needs an array value/);
    expect(() =>
      evaluateAccess(rules, { path: ROOT, method: 'list', auth: null, time: '2024-01-01T00:00:00Z', query: { from: [] } }),
    ).toThrow(/exactly one `from`/);
  });
});
