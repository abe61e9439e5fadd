import { describe, expect, it } from 'vitest';
import {
  compileRules,
  createAccessSession,
  evaluateAccess,
  RulesRequestError,
  type AccessRequest,
  type DocumentAccessor,
  type WireDocument,
} from './index.js';

const DB = 'projects/demo/databases/(default)/documents';
const TIME = '2024-06-01T12:00:00.000000001Z';

function rulesWith(body: string, version = '2'): ReturnType<typeof compileRules> {
  return compileRules(`rules_version = '${version}';
service cloud.firestore {
  match /databases/{database}/documents {
${body}
  }
}`);
}

function req(over: Partial<AccessRequest> & Pick<AccessRequest, 'path' | 'method'>): AccessRequest {
  return { auth: { uid: 'alice', token: { email: 'a@x.com' } }, time: TIME, ...over, path: `${DB}/${over.path}` };
}

const doc = (fields: WireDocument['fields'], name?: string): WireDocument => ({ ...(name ? { name } : {}), fields });

describe('path matching', () => {
  const rules = rulesWith(`
    match /users/{uid} {
      allow get: if uid == 'alice';
      match /posts/{post} { allow get: if post == 'p1' && uid == 'bob'; }
    }
    match /open/{rest=**} { allow get: if rest == /a/b/c || rest == path(''); }
    match /{coll}/fixed { allow get: if coll == 'c1'; }`);

  it('binds single-segment wildcards, including in nested blocks', () => {
    expect(evaluateAccess(rules, req({ path: 'users/alice', method: 'get' })).allowed).toBe(true);
    expect(evaluateAccess(rules, req({ path: 'users/bob', method: 'get' })).allowed).toBe(false);
    expect(evaluateAccess(rules, req({ path: 'users/bob/posts/p1', method: 'get' })).allowed).toBe(true);
    expect(evaluateAccess(rules, req({ path: 'users/alice/posts/p1', method: 'get' })).allowed).toBe(false);
  });

  it('does not apply a block to documents below it without a recursive wildcard', () => {
    const d = evaluateAccess(rules, req({ path: 'users/alice/other/x', method: 'get' }));
    expect(d.allowed).toBe(false);
    expect(d.reason).toBe('No matching allow statements');
  });

  it('binds a recursive wildcard to a path of zero or more segments in version 2', () => {
    expect(evaluateAccess(rules, req({ path: 'open/a/b/c', method: 'get' })).allowed).toBe(true);
    expect(evaluateAccess(rules, req({ path: 'open/a/b/c/d/e', method: 'get' })).allowed).toBe(false);
    expect(() => evaluateAccess(rules, req({ path: 'open/a/b', method: 'get' }))).toThrow(RulesRequestError);
    expect(evaluateAccess(rules, req({ path: 'c1/fixed', method: 'get' })).allowed).toBe(true);
    expect(evaluateAccess(rules, req({ path: 'c2/fixed', method: 'get' })).allowed).toBe(false);
  });

  it('lets a recursive wildcard sit before other segments in version 2', () => {
    const r = rulesWith("    match /{path=**}/posts/{post} { allow get: if post == 'p' && (path == path('') || path[0] != 'private'); }");
    expect(evaluateAccess(r, req({ path: 'posts/p', method: 'get' })).allowed).toBe(true);
    expect(evaluateAccess(r, req({ path: 'users/u/posts/p', method: 'get' })).allowed).toBe(true);
    expect(evaluateAccess(r, req({ path: 'private/u/posts/p', method: 'get' })).allowed).toBe(false);
  });

  it('requires at least one segment for a recursive wildcard in version 1', () => {
    const v1 = rulesWith('    match /a/{doc=**} { allow get; }', '1');
    const v2 = rulesWith('    match /a/b/{doc=**} { allow get; }', '2');
    expect(evaluateAccess(v1, req({ path: 'a/b', method: 'get' })).allowed).toBe(true);
    expect(evaluateAccess(v2, req({ path: 'a/b', method: 'get' })).allowed).toBe(true);
    const v1b = rulesWith('    match /a/b/{doc=**} { allow get; }', '1');
    expect(evaluateAccess(v1b, req({ path: 'a/b', method: 'get' })).allowed).toBe(false);
  });
});

describe('allow statements', () => {
  it('maps read to get+list and write to create+update+delete', () => {
    const rules = rulesWith('    match /r/{id} { allow read; }\n    match /w/{id} { allow write; }');
    for (const m of ['get', 'create', 'update', 'delete'] as const) {
      expect(evaluateAccess(rules, req({ path: 'r/x', method: m })).allowed).toBe(m === 'get');
      expect(evaluateAccess(rules, req({ path: 'w/x', method: m })).allowed).toBe(m !== 'get');
    }
  });

  it('ORs allow statements across all matching blocks; an error in one does not block another', () => {
    const rules = rulesWith(`
    match /d/{id} { allow update: if resource.data.missing == 1; }
    match /{c}/{id} { allow update: if request.resource.data.ok == true; }`);
    const d = evaluateAccess(
      rules,
      req({ path: 'd/1', method: 'update', resource: doc({}), requestResource: doc({ ok: { booleanValue: true } }) }),
    );
    expect(d.allowed).toBe(true);
    expect(d.statements.map((s) => s.result)).toEqual(['error', 'true']);
    expect(d.reason).toBe("allowed by 'allow update' at firestore.rules:6:23");
  });

  it('denies with a reason naming each failing statement and the line of the error', () => {
    const rules = rulesWith(`
    match /d/{id} {
      allow get: if false;
      allow read: if resource.data.owner ==
        request.auth.uid;
    }`);
    const d = evaluateAccess(rules, req({ path: 'd/1', method: 'get', resource: doc({}) }));
    expect(d.allowed).toBe(false);
    expect(d.reason).toBe(
      "false for 'get' @ L6; evaluation error at L7:36 for 'get' @ L7: Property owner is undefined on object.",
    );
    expect(d.errors).toEqual([{ message: 'Property owner is undefined on object.', line: 7, column: 36 }]);
  });

  it('treats a non-bool condition as an error', () => {
    const rules = rulesWith("    match /d/{id} { allow get: if 'yes'; }");
    const d = evaluateAccess(rules, req({ path: 'd/1', method: 'get' }));
    expect(d.allowed).toBe(false);
    expect(d.errors[0]?.message).toBe('Condition must be a bool, got string');
  });
});

describe('request and resource', () => {
  const rules = rulesWith(`
    match /t/{id} {
      allow get: if request.auth.uid == 'alice'
        && request.auth.token.email == 'a@x.com'
        && request.auth.token.admin == true
        && request.auth.token.firebase.sign_in_provider == 'password'
        && request.method == 'get'
        && request.path == /databases/$(database)/documents/t/$(id)
        && request.time == timestamp.date(2024, 6, 1) + duration.time(12, 0, 0, 1)
        && resource.id == id
        && resource.__name__ == /databases/$(database)/documents/t/$(id)
        && resource.data.n == 3 && resource.data.n is int;
      allow create: if request.resource.id == 'new' && request.resource.data.title is string
        && request.resource.__name__ == request.path && resource == null;
      allow delete: if request.resource == null && resource.data.n == 3;
      allow update: if request.auth == null;
    }`);
  const token = { email: 'a@x.com', admin: true, firebase: { sign_in_provider: 'password' } };
  const existing = doc({ n: { integerValue: '3' } });

  it('exposes auth claims, method, path, time and the stored document', () => {
    const d = evaluateAccess(rules, { ...req({ path: 't/x', method: 'get', resource: existing }), auth: { uid: 'alice', token } });
    expect(d.reason).toMatch(/^allowed/);
  });

  it('exposes the document after the write as request.resource', () => {
    const d = evaluateAccess(rules, req({ path: 't/new', method: 'create', resource: null, requestResource: doc({ title: { stringValue: 'T' } }) }));
    expect(d.allowed).toBe(true);
    expect(evaluateAccess(rules, req({ path: 't/new', method: 'create', requestResource: doc({ title: { integerValue: '1' } }) })).allowed).toBe(false);
  });

  it('has no request.resource on delete and a null auth when signed out', () => {
    expect(evaluateAccess(rules, req({ path: 't/x', method: 'delete', resource: existing })).allowed).toBe(true);
    expect(evaluateAccess(rules, { ...req({ path: 't/x', method: 'update', resource: existing }), auth: null }).allowed).toBe(true);
  });

  it('converts every wire value type', () => {
    const r = rulesWith(`
    match /v/{id} {
      allow get: if resource.data.s == 'x' && resource.data.i == 9007199254740993 && resource.data.d == 1.5
        && resource.data.nan != resource.data.nan && resource.data.inf > 1e308
        && resource.data.b == true && resource.data.z == null
        && resource.data.t == timestamp.value(1000) + duration.value(1, 'ns')
        && resource.data.y == b'\\x01\\x02' && resource.data.r == /databases/$(database)/documents/u/1
        && resource.data.g == latlng.value(1.5, -2) && resource.data.a == [1, 'two']
        && resource.data.m.k.deep == 'v';
    }`);
    const fields = {
      s: { stringValue: 'x' },
      i: { integerValue: '9007199254740993' },
      d: { doubleValue: 1.5 },
      nan: { doubleValue: 'NaN' },
      inf: { doubleValue: 'Infinity' },
      b: { booleanValue: true },
      z: { nullValue: 'NULL_VALUE' as const },
      t: { timestampValue: '1970-01-01T00:00:01.000000001Z' },
      y: { bytesValue: 'AQI=' },
      r: { referenceValue: `${DB}/u/1` },
      g: { geoPointValue: { latitude: 1.5, longitude: -2 } },
      a: { arrayValue: { values: [{ integerValue: '1' }, { stringValue: 'two' }] } },
      m: { mapValue: { fields: { k: { mapValue: { fields: { deep: { stringValue: 'v' } } } } } } },
    };
    const d = evaluateAccess(r, req({ path: 'v/1', method: 'get', resource: doc(fields) }));
    expect(d.reason).toMatch(/^allowed/);
  });

  it('accepts protobufjs-style values (valueType oneof marker, defaults, Long-like ints)', () => {
    const r = rulesWith("    match /p/{id} { allow get: if resource.data.n == 5 && resource.data.f == false && resource.data.s == ''; }");
    const longLike = { low: 5, high: 0, toString: () => '5' };
    const withDefaults = {
      n: { valueType: 'integerValue', integerValue: longLike, booleanValue: false, stringValue: '' },
      f: { valueType: 'booleanValue', booleanValue: false, stringValue: '' },
      s: { valueType: 'stringValue', stringValue: '', booleanValue: false },
    };
    const d = evaluateAccess(r, req({ path: 'p/1', method: 'get', resource: { fields: withDefaults as WireDocument['fields'] } }));
    expect(d.reason).toMatch(/^allowed/);
  });

  it('rejects malformed requests with RulesRequestError', () => {
    expect(() => evaluateAccess(rules, { ...req({ path: 't/x', method: 'get' }), path: 'not/a/name' })).toThrow(RulesRequestError);
    expect(() => evaluateAccess(rules, req({ path: 't', method: 'get' }))).toThrow(/needs a document name/);
    expect(() => evaluateAccess(rules, { ...req({ path: 't/x', method: 'get' }), time: 'yesterday' })).toThrow(/invalid timestamp/);
    expect(() => evaluateAccess(rules, req({ path: 't/x', method: 'get', resource: doc({ n: { integerValue: 'x' } }) }))).toThrow(
      /not an integer/,
    );
    expect(() => evaluateAccess(rules, req({ path: 't/x', method: 'list' }))).toThrow(/needs a query/);
  });
});

describe('get(), exists(), getAfter(), existsAfter()', () => {
  const rules = rulesWith(`
    function role() { return get(/databases/$(database)/documents/roles/$(request.auth.uid)).data.role; }
    match /docs/{id} {
      allow get: if exists(/databases/$(database)/documents/roles/$(request.auth.uid)) && role() == 'reader';
      allow update: if getAfter(/databases/$(database)/documents/docs/$(id)).data.v == 2
        && existsAfter(/databases/$(database)/documents/log/$(id));
      allow delete: if getAfter(/databases/$(database)/documents/docs/$(id)) == null;
      allow create: if get(/databases/$(database)/documents/roles/$(request.resource.data.n)).data.role == 'x';
    }
    match /x/{id} { allow get: if getAfter(/databases/$(database)/documents/x/$(id)) == null; }
    match /bad/{id} { allow get: if get(/databases/$(database)/documents/roles) == null; }
    match /other/{id} { allow get: if get(/databases/elsewhere/documents/a/b) == null; }`);

  function accessor(before: Record<string, WireDocument>, after: Record<string, WireDocument> = {}): DocumentAccessor & { calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      get: (name) => {
        calls.push(`get ${name}`);
        return before[name] ?? null;
      },
      getAfter: (name) => {
        calls.push(`getAfter ${name}`);
        return after[name] ?? null;
      },
    };
  }

  it('reads other documents through the accessor, caching repeated reads', () => {
    const acc = accessor({ [`${DB}/roles/alice`]: doc({ role: { stringValue: 'reader' } }) });
    const d = evaluateAccess(rules, req({ path: 'docs/1', method: 'get', accessor: acc }));
    expect(d.allowed).toBe(true);
    expect(acc.calls).toEqual([`get ${DB}/roles/alice`]);
    expect(d.documentAccesses).toBe(1);
    expect(evaluateAccess(rules, { ...req({ path: 'docs/1', method: 'get', accessor: acc }), auth: { uid: 'bob', token: {} } }).allowed).toBe(false);
  });

  it('sees the state after the write with getAfter/existsAfter', () => {
    const acc = accessor({}, { [`${DB}/docs/1`]: doc({ v: { integerValue: '2' } }), [`${DB}/log/1`]: doc({}) });
    expect(evaluateAccess(rules, req({ path: 'docs/1', method: 'update', accessor: acc })).allowed).toBe(true);
    expect(evaluateAccess(rules, req({ path: 'docs/1', method: 'delete', accessor: accessor({}) })).allowed).toBe(true);
  });

  it('refuses getAfter in read rules, non-document paths and other databases', () => {
    const acc = accessor({});
    expect(evaluateAccess(rules, req({ path: 'x/1', method: 'get', accessor: acc })).errors[0]?.message).toBe(
      'getAfter() and existsAfter() are only available for write requests.',
    );
    expect(evaluateAccess(rules, req({ path: 'bad/1', method: 'get', accessor: acc })).errors[0]?.message).toContain('needs a document path');
    expect(evaluateAccess(rules, req({ path: 'other/1', method: 'get', accessor: acc })).errors[0]?.message).toContain(
      'can only read from the database of the request',
    );
  });

  it('fails cleanly without an accessor or when the accessor throws', () => {
    expect(evaluateAccess(rules, req({ path: 'docs/1', method: 'get' })).errors[0]?.message).toContain('no document accessor');
    const throwing: DocumentAccessor = {
      get: () => {
        throw new Error('disk on fire');
      },
      getAfter: () => null,
    };
    expect(evaluateAccess(rules, req({ path: 'docs/1', method: 'get', accessor: throwing })).errors[0]?.message).toContain('disk on fire');
  });

  it('enforces 10 document access calls per request and 20 across a batch session', () => {
    const many = rulesWith(`
    match /m/{n} {
      allow get: if ${Array.from({ length: 11 }, (_, i) => `!exists(/databases/$(database)/documents/a/d${i})`).join(' && ')};
      allow create: if ${Array.from({ length: 7 }, (_, i) => `!exists(/databases/$(database)/documents/a/$(n + '${i}'))`).join(' && ')};
    }`);
    const single = evaluateAccess(many, req({ path: 'm/1', method: 'get', accessor: accessor({}) }));
    expect(single.allowed).toBe(false);
    expect(single.errors[0]?.message).toBe('Exceeded maximum number of document access calls (10) for this request.');
    expect(single.documentAccesses).toBe(10);

    const session = createAccessSession('batch');
    const acc = accessor({});
    const results = ['x', 'y', 'z'].map((n) => evaluateAccess(many, req({ path: `m/${n}`, method: 'create', accessor: acc }), { session }));
    expect(results.map((r) => r.allowed)).toEqual([true, true, false]);
    expect(session.count).toBe(20);
    expect(results[2]?.errors[0]?.message).toContain('(20)');
  });

  it('yields unknown path segments from unset fields as errors', () => {
    const d = evaluateAccess(rules, req({ path: 'docs/1', method: 'create', requestResource: doc({}), accessor: accessor({}) }));
    expect(d.errors[0]?.message).toBe('Property n is undefined on object.');
  });
});

describe('functions in evaluateAccess', () => {
  it('prefers the innermost function of a name and sees path variables of enclosing blocks', () => {
    const rules = rulesWith(`
    function who() { return 'outer'; }
    match /a/{id} {
      function who() { return 'inner-' + id; }
      allow get: if who() == 'inner-' + id;
      match /b/{sub} { allow get: if who() == 'inner-x' && sub == 'y'; }
    }
    match /c/{id} { allow get: if who() == 'outer'; }`);
    expect(evaluateAccess(rules, req({ path: 'a/x', method: 'get' })).allowed).toBe(true);
    expect(evaluateAccess(rules, req({ path: 'a/x/b/y', method: 'get' })).allowed).toBe(true);
    expect(evaluateAccess(rules, req({ path: 'a/z/b/y', method: 'get' })).allowed).toBe(false);
    expect(evaluateAccess(rules, req({ path: 'c/x', method: 'get' })).allowed).toBe(true);
  });

  it('reports methods missing on the runtime type', () => {
    const rules = rulesWith("    match /a/{id} { allow get: if id.keys().size() > 0; }");
    expect(evaluateAccess(rules, req({ path: 'a/x', method: 'get' })).errors[0]?.message).toBe(
      'Function not found error: Name: [keys] on a value of type string.',
    );
  });
});

describe('request time formats', () => {
  const rules = rulesWith("    match /a/{id} { allow get: if request.time == timestamp.value(1500) + duration.value(7, 'ns'); }");
  it.each([
    ['RFC 3339', '1970-01-01T00:00:01.500000007Z'],
    ['RFC 3339 with offset', '1970-01-01T01:00:01.500000007+01:00'],
    ['seconds and nanos', { seconds: '1', nanos: 500_000_007 }],
    ['bigint nanoseconds', 1_500_000_007n],
  ])('accepts %s', (_name, time) => {
    expect(evaluateAccess(rules, { ...req({ path: 'a/x', method: 'get' }), time }).allowed).toBe(true);
  });
});

describe('debug output', () => {
  it('collects rendered debug() values', () => {
    const rules = rulesWith("    match /d/{id} { allow get: if debug(id) == 'x' && debug([1, 'a']) != null; }");
    const d = evaluateAccess(rules, req({ path: 'd/x', method: 'get' }));
    expect(d.allowed).toBe(true);
    expect(d.debug).toEqual(['"x"', '[1, "a"]']);
  });
});
