import { describe, expect, it } from 'vitest';
import { evalExpression, type HarnessOptions } from './expr-harness.js';
import { float, int, list, mapOf, NULL, str, type Value } from './values.js';

function value(expr: string, options?: HarnessOptions): Value {
  const r = evalExpression(expr, options);
  if ('error' in r) throw new Error(`${expr} failed: ${r.error}`);
  return r.value;
}

function errorOf(expr: string, options?: HarnessOptions): { error: string; line: number; column: number } {
  const r = evalExpression(expr, options);
  if (!('error' in r)) throw new Error(`${expr} evaluated to ${JSON.stringify(r.value, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))}`);
  return r;
}

describe('literals and equality', () => {
  it.each([
    '1 == 1',
    '1 == 1.0',
    '1.5 == 1.5',
    "'a' == \"a\"",
    'true == true',
    'null == null',
    '[1, 2] == [1, 2]',
    '[1, 2] != [2, 1]',
    "{'a': 1, 'b': [true]} == {'b': [true], 'a': 1}",
    "{'a': 1} != {'a': 1, 'b': 2}",
    "b'\\x2A' == b'*'",
    "b'\\052' == b'*'",
    "'x' != 1",
    'null != false',
    '-9223372036854775808 < 0',
    '9223372036854775807 > 0',
    '1e3 == 1000',
  ])('%s', (expr) => {
    expect(value(expr)).toEqual({ t: 'bool', v: true });
  });

  it('keeps ints 64-bit exact and distinguishes them from floats for is checks', () => {
    expect(value('9007199254740993')).toEqual(int(9007199254740993n));
    expect(value('9007199254740993 == 9007199254740992.0')).toEqual({ t: 'bool', v: false });
    expect(value('1 is int && 1.0 is float && 1 is number && 1.0 is number')).toEqual({ t: 'bool', v: true });
  });
});

describe('arithmetic', () => {
  it.each([
    ['7 / 2', int(3)],
    ['-7 / 2', int(-3)],
    ['7 % 3', int(1)],
    ['-7 % 3', int(-1)],
    ['7.0 / 2', float(3.5)],
    ['1 + 2.5', float(3.5)],
    ['2 * 3 - 1', int(5)],
    ['-(3)', int(-3)],
    ["'ab' + 'cd'", str('abcd')],
    ['5.5 % 2', float(1.5)],
  ])('%s', (expr, expected) => {
    expect(value(expr)).toEqual(expected);
  });

  it.each([
    ['9223372036854775807 + 1', 'Integer overflow.'],
    ['-9223372036854775808 - 1', 'Integer overflow.'],
    ['9223372036854775807 * 2', 'Integer overflow.'],
    ['-(-9223372036854775808)', 'Integer overflow.'],
    ['1 / 0', 'Division by zero.'],
    ['1.0 / 0', 'Division by zero.'],
    ['1 % 0', 'Modulo by zero.'],
    ["'a' + 1", 'Unsupported operation: string + int'],
    ['[1] + [2]', 'Unsupported operation: list + list'],
    ["1 < 'a'", 'Unsupported operation: int < string'],
    ['!1', 'Unsupported operation: !int'],
    ["-'a'", 'Unsupported operation: -string'],
  ])('%s is an error', (expr, message) => {
    expect(errorOf(expr).error).toBe(message);
  });
});

describe('comparison and membership', () => {
  it.each([
    "'a' < 'b'",
    "'Z' < 'a'",
    "'\u{FFFF}' < '\u{1F600}'",
    '1 < 1.5',
    '2 >= 2.0',
    "b'\\x01' < b'\\x02'",
    "1 in [1, 2]",
    "1.0 in [1, 2]",
    "!(3 in [1, 2])",
    "'a' in {'a': 1}",
    "!('b' in {'a': 1})",
    "'a' in ['a', 'b'].toSet()",
    '[1] in [[1], [2]]',
  ])('%s', (expr) => {
    expect(value(expr)).toEqual({ t: 'bool', v: true });
  });

  it('compares NaN as false both ways', () => {
    expect(value("float('NaN') < 1 || float('NaN') >= 1 || float('NaN') == float('NaN')")).toEqual({ t: 'bool', v: false });
  });

  it('rejects in on unsupported containers', () => {
    expect(errorOf("1 in 'abc'").error).toBe('Unsupported operation: int in string');
    expect(errorOf("1 in {'a': 1}").error).toContain('Map keys are strings');
  });
});

describe('logical operators and error absorption', () => {
  const missing = "{'a': 1}.b"; // an expression that is an evaluation error
  it.each([
    [`true || ${missing}`, true],
    [`${missing} || true`, true],
    [`false && ${missing}`, false],
    [`${missing} && false`, false],
  ])('%s absorbs the error', (expr, expected) => {
    expect(value(expr)).toEqual({ t: 'bool', v: expected });
  });

  it.each([`false || ${missing}`, `${missing} || false`, `true && ${missing}`, `${missing} && true`, `!(${missing})`])(
    '%s is an error',
    (expr) => {
      expect(errorOf(expr).error).toBe('Property b is undefined on object.');
    },
  );

  it('requires bool operands', () => {
    expect(errorOf('1 && true').error).toContain('expects bool operands, got int');
    expect(errorOf('false || 1').error).toContain('expects bool operands, got int');
  });

  it('short-circuits: the right side is not evaluated', () => {
    const opts: HarnessOptions = { functions: 'function boom() { return 1 / 0 == 1; }' };
    expect(value('true || boom()', opts)).toEqual({ t: 'bool', v: true });
    expect(errorOf('false || boom()', opts).error).toBe('Division by zero.');
  });

  it('evaluates the ternary operator lazily', () => {
    expect(value("true ? 'yes' : 1 / 0")).toEqual(str('yes'));
    expect(errorOf("1 ? 'a' : 'b'").error).toContain('Condition of ?: must be a bool');
  });
});

describe('access errors name the failing expression', () => {
  it('points at the property that does not exist', () => {
    const r = errorOf("{'a': 1}.a == 1 && {'a': 1}.missing == 2");
    expect(r.error).toBe('Property missing is undefined on object.');
    expect(r.line).toBe(5);
    expect(r.column).toBeGreaterThan(30);
  });

  it('reports null access as Null value error', () => {
    expect(errorOf('request.auth.uid == "x"').error).toBe('Null value error.');
    expect(errorOf('resource.data.size() == 0').error).toBe('Null value error.');
  });

  it('indexes lists, maps and strings with bounds checks', () => {
    expect(value("[1, 2, 3][1] == 2 && {'k': 'v'}['k'] == 'v' && 'héllo'[1] == 'é'")).toEqual({ t: 'bool', v: true });
    expect(errorOf('[1, 2][2]').error).toContain('out of range');
    expect(errorOf('[1, 2][-1]').error).toContain('out of range');
    expect(errorOf("[1, 2]['a']").error).toContain('index must be an int');
    expect(errorOf('5[0]').error).toContain('Cannot index a value of type int');
  });

  it('slices lists and strings with ranges', () => {
    expect(value('[1, 2, 3, 4][1:3]')).toEqual(list([int(2), int(3)]));
    expect(value("'abcdef'[0:3]")).toEqual(str('abc'));
    expect(value("'a😀b'[1:2]")).toEqual(str('😀'));
    expect(errorOf('[1, 2][1:3]').error).toContain('out of bounds');
    expect(errorOf('[1, 2][2:1]').error).toContain('out of bounds');
  });
});

describe('is type checks', () => {
  it.each([
    ["'s' is string", true],
    ['1 is int', true],
    ['1.5 is float', true],
    ['1 is float', false],
    ['1.5 is number', true],
    ['true is bool', true],
    ['null is null', true],
    ['[1] is list', true],
    ["{'a': 1} is map", true],
    ["[1].toSet() is set", true],
    ["{'a': 1}.diff({}) is map_diff", true],
    ['request.time is timestamp', true],
    ["duration.value(1, 's') is duration", true],
    ['/a/b is path', true],
    ['latlng.value(1, 2) is latlng', true],
    ["b'a' is bytes", true],
    ["'s' is int", false],
    ['null is map', false],
  ])('%s', (expr, expected) => {
    expect(value(expr, { request: mapOf({ time: { t: 'timestamp', ns: 0n } }) })).toEqual({ t: 'bool', v: expected });
  });
});

describe('collections as literals', () => {
  it('builds lists and maps from expressions', () => {
    expect(value("[1 + 1, 'a' + 'b']")).toEqual(list([int(2), str('ab')]));
    expect(value("{'a' + 'b': [null]}")).toEqual(mapOf({ ab: list([NULL]) }));
    expect(errorOf('{1: 2}').error).toContain('Map keys must be strings');
  });
});

describe('functions', () => {
  it('binds parameters and lazy lets', () => {
    const functions = `
      function double(x) { return x * 2; }
      function pick(m) {
        let boom = m.nothere;
        let v = m.v;
        return v + double(v);
      }`;
    expect(value("pick({'v': 2})", { functions })).toEqual(int(6));
  });

  it('sees the path variables of the enclosing match', () => {
    expect(value("mine()", { functions: 'function mine() { return uid; }', vars: { uid: str('u7') } })).toEqual(str('u7'));
  });

  it('refuses recursion and calls nested deeper than 20', () => {
    expect(errorOf('f(1)', { functions: 'function f(x) { return f(x); }' }).error).toContain('recursion is not allowed');
    const chain = Array.from({ length: 22 }, (_, i) => `function f${i}() { return ${i === 21 ? 'true' : `f${i + 1}()`}; }`).join('\n');
    expect(errorOf('f0()', { functions: chain }).error).toBe('Exceeded the maximum function call depth of 20.');
    const ok = Array.from({ length: 20 }, (_, i) => `function g${i}() { return ${i === 19 ? 'true' : `g${i + 1}()`}; }`).join('\n');
    expect(value('g0()', { functions: ok })).toEqual({ t: 'bool', v: true });
  });

  it('stops runaway evaluation after 1000 expressions', () => {
    const functions = Array.from(
      { length: 12 },
      (_, i) => `function h${i}() { return ${i === 11 ? 'true' : `h${i + 1}() && h${i + 1}() && h${i + 1}()`}; }`,
    ).join('\n');
    expect(errorOf('h0()', { functions }).error).toContain('maximum of 1000 expressions');
  });
});

describe('debug()', () => {
  it('returns its argument', () => {
    expect(value('debug(1 + 1) == 2')).toEqual({ t: 'bool', v: true });
  });
});
