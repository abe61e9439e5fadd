import { describe, expect, it } from 'vitest';
import { compileRules, RulesSyntaxError } from './index.js';
import { tokenize } from './lexer.js';

function syntaxError(source: string, fileName = 'firestore.rules'): RulesSyntaxError {
  try {
    compileRules(source, fileName);
  } catch (err) {
    if (err instanceof RulesSyntaxError) return err;
    throw err;
  }
  throw new Error('expected a syntax error');
}

const wrap = (body: string): string => `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
${body}
  }
}`;

describe('tokenizer', () => {
  it('distinguishes path literals from division by the previous token', () => {
    const kinds = tokenize('a / b == /x/$(y)/z', 'f').map((t) => `${t.kind}:${t.text}`);
    expect(kinds).toEqual([
      'ident:a',
      'punct:/',
      'ident:b',
      'punct:==',
      'pathseg:x',
      'pathinterp:/$(',
      'ident:y',
      'punct:)',
      'pathseg:z',
      'eof:',
    ]);
  });

  it('decodes string escapes, raw strings and bytes literals', () => {
    const toks = tokenize(String.raw`'a\n\t\'\x41\u00e9\U0001F600\101' r'a\n' b'\xFF\052€'`, 'f');
    expect(toks[0]?.text).toBe("a\n\t'Aé😀A");
    expect(toks[1]?.text).toBe('a\\n');
    expect(Array.from(toks[2]?.bytes ?? [])).toEqual([0xff, 42, 0xe2, 0x82, 0xac]);
  });

  it('skips line and block comments', () => {
    expect(tokenize('a // c\n/* d */ b', 'f').map((t) => t.text)).toEqual(['a', 'b', '']);
  });

  it('reads ints, floats and exponents', () => {
    const toks = tokenize('12 1.5 2e3 7E-1', 'f');
    expect(toks.map((t) => t.kind)).toEqual(['int', 'float', 'float', 'float', 'eof']);
    expect(toks[2]?.float).toBe(2000);
  });
});

describe('compileRules', () => {
  it('parses nested matches, functions, lets and all allow methods', () => {
    const rules = compileRules(
      wrap(`
    function isAdmin() { return request.auth.token.admin == true; }
    match /users/{uid} {
      function owns() {
        let me = request.auth.uid;
        return me == uid;
      }
      allow read, write: if owns() || isAdmin();
      allow get, list, create, update, delete: if false;
      match /notes/{rest=**} { allow read; }
    }`),
    );
    expect(rules.version).toBe('2');
    const top = rules.ast.service.matches[0];
    expect(top?.pattern.map((s) => s.kind)).toEqual(['literal', 'wildcard', 'literal']);
    const users = top?.matches[0];
    expect(users?.functions.map((f) => f.name)).toEqual(['owns']);
    expect(users?.allows.map((a) => a.methods)).toEqual([['read', 'write'], ['get', 'list', 'create', 'update', 'delete']]);
    expect(users?.matches[0]?.pattern[1]).toMatchObject({ kind: 'recursive', name: 'rest' });
    expect(users?.matches[0]?.allows[0]?.condition).toBeNull();
  });

  it('defaults to rules_version 1 and accepts omitted semicolons before } or the next statement', () => {
    const rules = compileRules(`service cloud.firestore {
  match /databases/{db}/documents {
    match /a/{b} {
      allow read: if true
      allow write: if false
    }
  }
}`);
    expect(rules.version).toBe('1');
    expect(rules.ast.service.matches[0]?.matches[0]?.allows).toHaveLength(2);
  });

  it('gives precedence: && binds tighter than ||, comparison tighter than &&, * tighter than +', () => {
    const rules = compileRules(wrap('    match /x/{y} { allow read: if 1 + 2 * 3 == 7 || false && true; }'));
    const cond = rules.ast.service.matches[0]?.matches[0]?.allows[0]?.condition;
    expect(cond).toMatchObject({ kind: 'logical', op: '||', right: { kind: 'logical', op: '&&' } });
    expect(cond).toMatchObject({ left: { kind: 'binary', op: '==', left: { kind: 'binary', op: '+', right: { op: '*' } } } });
  });
});

describe('syntax errors', () => {
  it('reports a missing semicolon with file, line and column', () => {
    const err = syntaxError(wrap('    match /a/{b} {\n      allow read: if true x\n    }'));
    expect(err.message).toBe("firestore.rules:5:27: expected ';' after allow statement, found 'x'");
    expect([err.line, err.column]).toEqual([5, 27]);
    expect(err.fileName).toBe('firestore.rules');
  });

  it.each([
    ['unknown allow method', '    match /a/{b} { allow reed: if true; }', 4, 26, "unknown method 'reed'"],
    ['missing if', '    match /a/{b} { allow read: true; }', 4, 32, "expected 'if' after ':' in allow statement"],
    ['unterminated string', "    match /a/{b} { allow read: if 'abc; }", 4, 35, 'unterminated string literal'],
    ['bad character', '    match /a/{b} { allow read: if a # b; }', 4, 37, "unexpected character '#'"],
    ['unknown variable', '    match /a/{b} { allow read: if nope == 1; }', 4, 35, "unknown variable 'nope'"],
    ['unknown function', '    match /a/{b} { allow read: if nope(); }', 4, 35, "unknown function 'nope'"],
    ['wrong arity', '    function f(x) { return x; }\n    match /a/{b} { allow read: if f(1, 2); }', 5, 35, "function 'f' expects 1 argument but got 2"],
    ['unknown method', '    match /a/{b} { allow read: if b.frobnicate(); }', 4, 37, "unknown method 'frobnicate'"],
    ['unknown namespace fn', '    match /a/{b} { allow read: if math.cube(2) == 8; }', 4, 40, "unknown function 'math.cube'"],
    ['unknown type', '    match /a/{b} { allow read: if b is str; }', 4, 40, "unknown type 'str'"],
    ['bad wildcard', '    match /a/{b-c} { allow read; }', 4, 14, "invalid wildcard '{b-c}'"],
    ['two recursive wildcards', '    match /{a=**}/{b=**} { allow read; }', 4, 19, 'only one recursive wildcard'],
    ['duplicate function', '    function f() { return true; }\n    function f() { return false; }', 5, 5, "function 'f' is already defined at line 4"],
    ['let after return', '    function f() { return 1; let x = 2; }', 4, 30, "expected '}' to end function 'f'"],
    ['allow outside match', '', 0, 0, ''],
  ])('%s', (_name, body, line, column, message) => {
    if (!body) {
      const err = syntaxError("service cloud.firestore {\n  allow read: if true;\n}");
      expect(err.message).toBe("firestore.rules:2:3: 'allow' must be inside a 'match' block");
      return;
    }
    const err = syntaxError(wrap(body));
    expect(err.detail).toContain(message);
    expect([err.line, err.column]).toEqual([line, column]);
  });

  it('scopes functions lexically: not visible from sibling blocks, no outer path variables at service level', () => {
    const sibling = syntaxError(wrap('    match /a/{x} { function f() { return true; } }\n    match /b/{y} { allow read: if f(); }'));
    expect(sibling.detail).toBe("unknown function 'f'");
    expect(sibling.line).toBe(5);
    const outer = syntaxError(
      "service cloud.firestore {\n  function db() { return database; }\n  match /databases/{database}/documents { }\n}",
    );
    expect(outer.message).toBe("firestore.rules:2:26: unknown variable 'database'");
    const inner = syntaxError(wrap('    function g() { return id; }\n    match /a/{id} { allow read: if g(); }'));
    expect(inner.detail).toBe("unknown variable 'id'");
    expect(syntaxError(wrap('    match /a/{id} { function h() { let id2 = 1; let id2 = 2; return true; } }')).detail).toBe(
      "'id2' is already defined in function 'h'",
    );
    expect(syntaxError(wrap("    match /a/{id} { allow read: if math == 1; }")).detail).toContain("'math' is a namespace");
  });

  it('rejects an unsupported rules_version and service', () => {
    expect(syntaxError("rules_version = '3'; service cloud.firestore {}").detail).toContain("unsupported rules_version '3'");
    expect(syntaxError('service firebase.storage {}').detail).toContain("unsupported service 'firebase.storage'");
  });

  it('requires a recursive wildcard to be last in rules_version 1', () => {
    const err = syntaxError('service cloud.firestore { match /{rest=**}/x { allow read; } }');
    expect(err.detail).toContain("in rules_version '1' a recursive wildcard must be the last path segment");
  });

  it('reports unterminated blocks and trailing garbage', () => {
    expect(syntaxError(wrap('    match /a/{b} {\n      allow read;\n').replace(/\}\n\}$/, '')).detail).toMatch(
      /unterminated match block|expected/,
    );
    expect(syntaxError("service cloud.firestore {}\nfoo").detail).toBe("unexpected 'foo' after the service block");
  });

  it('rejects integer literals outside 64 bits but accepts the minimum', () => {
    expect(syntaxError(wrap('    match /a/{b} { allow read: if 9223372036854775808 > 0; }')).detail).toBe(
      'integer literal out of 64-bit range',
    );
    expect(() => compileRules(wrap('    match /a/{b} { allow read: if -9223372036854775808 < 0; }'))).not.toThrow();
  });

  it('rejects absurd nesting with a syntax error instead of a stack overflow', () => {
    const deep = `${'('.repeat(5000)}true${')'.repeat(5000)}`;
    expect(syntaxError(wrap(`    match /a/{b} { allow read: if ${deep}; }`)).detail).toBe('expression nested more than 200 levels deep');
    expect(syntaxError(wrap(`    match /a/{b} { allow read: if ${'!'.repeat(5000)}true; }`)).detail).toBe(
      'expression nested more than 200 levels deep',
    );
    expect(syntaxError(wrap(`    match /a/{b} { allow read: if ${Array(2000).fill('1').join(' + ')} > 0; }`)).detail).toBe(
      'expression too complex (more than 500 nested operations)',
    );
    const nested = `${'match /a/{b} { '.repeat(150)}${'}'.repeat(150)}`;
    expect(syntaxError(wrap(nested)).detail).toBe('match blocks nested more than 100 levels deep');
  });

  it('uses the given file name in messages', () => {
    expect(syntaxError('service cloud.firestore { match', 'prod.rules').message).toMatch(/^prod\.rules:1:\d+: /);
  });

  it('rejects rules sources over 256 KiB', () => {
    const big = `service cloud.firestore { ${'// padding\n'.repeat(30_000)} }`;
    expect(syntaxError(big).detail).toMatch(/maximum is 262144/);
  });
});
