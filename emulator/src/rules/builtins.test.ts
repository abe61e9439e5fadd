import { describe, expect, it } from 'vitest';
import { renderValue } from './display.js';
import { evalExpression, type HarnessOptions } from './expr-harness.js';
import { parseTimestamp } from './time-utils.js';
import { mapOf, timestamp, type Value } from './values.js';

function value(expr: string, options?: HarnessOptions): Value {
  const r = evalExpression(expr, options);
  if ('error' in r) throw new Error(`${expr} failed: ${r.error}`);
  return r.value;
}

const shown = (expr: string, options?: HarnessOptions): string => renderValue(value(expr, options));

function errorOf(expr: string, options?: HarnessOptions): string {
  const r = evalExpression(expr, options);
  if (!('error' in r)) throw new Error(`${expr} evaluated to ${renderValue(r.value)}`);
  return r.error;
}

const truths = (cases: readonly string[], options?: HarnessOptions): void => {
  it.each(cases)('%s', (expr) => {
    expect(shown(expr, options)).toBe('true');
  });
};

describe('string methods', () => {
  truths([
    "'ABC'.lower() == 'abc'",
    "'abc'.upper() == 'ABC'",
    "'  a b  '.trim() == 'a b'",
    "'héllo😀'.size() == 6",
    "'user@domain.com'.matches('.*@domain[.]com')",
    "!'banana'.matches('.*@domain[.]com')",
    "!'xabcx'.matches('abc')",
    "'abc'.matches('(?i)ABC')",
    "'a/b/c'.split('/') == ['a', 'b', 'c']",
    "'a/b/'.split('/') == ['a', 'b', '']",
    "'a1b22c'.split('[0-9]+') == ['a', 'b', 'c']",
    "'banana'.replace('a', 'o') == 'bonono'",
    "'banana'.replace('ana', 'ee') == 'beena'",
    "'foo@test.com'.replace('.', '-') == '------------'",
    "'2024-05-06'.replace('(\\\\d+)-(\\\\d+)-(\\\\d+)', '\\\\3/\\\\2/\\\\1') == '06/05/2024'",
    "'€'.toUtf8() == b'\\xE2\\x82\\xAC'",
    "'€'.toUtf8().size() == 3",
  ]);

  it('reports invalid RE2 patterns (no backreferences or lookahead)', () => {
    expect(errorOf("'aa'.matches('(a)\\\\1')")).toContain('invalid regular expression');
    expect(errorOf("'a'.matches('(?=a)')")).toContain('invalid regular expression');
  });

  it('type-checks arguments', () => {
    expect(errorOf("'a'.matches(1)")).toBe('matches() expects a string, got int');
    expect(errorOf("'a'.size(1)")).toBe('size() expects 0 arguments, got 1');
  });
});

describe('list methods', () => {
  truths([
    '[1, 2].size() == 2',
    '[1, 2].concat([3]) == [1, 2, 3]',
    "['a', 'b'].hasAll(['b'])",
    "!['a', 'b'].hasAll(['b', 'c'])",
    "['a', 'b'].hasAny(['c', 'a'])",
    "!['a', 'b'].hasAny([])",
    "['a', 'b'].hasOnly(['a', 'b', 'c'])",
    "!['a', 'b'].hasOnly(['a', 'c'])",
    "['a', 'a', 'b'].hasOnly(['a', 'b', 'b'])",
    "['a', 'b'].hasOnly(['b', 'a'])",
    "['a', 'b', 'c'].join('-') == 'a-b-c'",
    '[1, 2, 1, 3].removeAll([1]) == [2, 3]',
    '[1, 2, 2].toSet().size() == 2',
    '[1, 2].toSet() == [2, 1, 2].toSet()',
    "['a'].hasAny(['a'].toSet())",
  ]);

  it('join needs strings', () => {
    expect(errorOf('[1, 2].join(",")')).toContain('join() needs a list of strings');
  });
});

describe('map methods and MapDiff', () => {
  const after = "{'a': 1, 'b': 2, 'c': 3, 'n': {'x': 1}}";
  const before = "{'a': 1, 'b': 20, 'd': 4, 'n': {'x': 1}}";
  truths([
    "{'a': 1, 'b': 2}.size() == 2",
    "{'a': 1, 'b': 2}.keys().hasOnly(['a', 'b'])",
    "{'a': 1, 'b': 2}.values().hasAll([1, 2])",
    "{'a': 3, 'b': 2}.get('c', 7) == 7",
    "{'a': [2, 7], 'b': [9, 12]}.get('b', [1, 1]) == [9, 12]",
    "{'a': {'b': 1}, 'c': 2}.get(['a', 'b'], 7) == 1",
    "{'a': {'b': 1}, 'c': 2}.get(['a', 'z'], 7) == 7",
    "{'a': 5}.get(['a', 'b'], 0) == 0",
    `${after}.diff(${before}).addedKeys() == ['c'].toSet()`,
    `${after}.diff(${before}).removedKeys() == ['d'].toSet()`,
    `${after}.diff(${before}).changedKeys() == ['b'].toSet()`,
    `${after}.diff(${before}).unchangedKeys() == ['a', 'n'].toSet()`,
    `${after}.diff(${before}).affectedKeys() == ['b', 'c', 'd'].toSet()`,
    `${after}.diff(${before}).affectedKeys().hasOnly(['b', 'c', 'd', 'z'])`,
    "{'a': 1}.diff({'a': 1}).affectedKeys().size() == 0",
  ]);

  it('diff needs a map', () => {
    expect(errorOf("{'a': 1}.diff(null)")).toBe('diff() expects a map, got null');
  });
});

describe('set methods', () => {
  truths([
    "['a', 'b'].toSet().size() == 2",
    "['a', 'b'].toSet().hasAll(['a'])",
    "['a', 'b'].toSet().hasAny(['z', 'b'])",
    "['a', 'b'].toSet().hasOnly(['a', 'b'])",
    "!['a', 'b'].toSet().hasOnly(['a'])",
    "['a'].toSet().union(['b'].toSet()) == ['a', 'b'].toSet()",
    "['a', 'b'].toSet().intersection(['b', 'c'].toSet()) == ['b'].toSet()",
    "['a', 'b'].toSet().difference(['b'].toSet()) == ['a'].toSet()",
    "[1, 1.0, 2].toSet().size() == 2",
  ]);
});

describe('timestamps and durations', () => {
  const t = parseTimestamp('2024-02-29T13:45:30.123456789Z') ?? 0n;
  const opts: HarnessOptions = { request: mapOf({ time: timestamp(t) }) };
  truths(
    [
      'request.time.year() == 2024',
      'request.time.month() == 2',
      'request.time.day() == 29',
      'request.time.hours() == 13',
      'request.time.minutes() == 45',
      'request.time.seconds() == 30',
      'request.time.nanos() == 123456789',
      'request.time.dayOfWeek() == 4',
      'request.time.dayOfYear() == 60',
      'request.time.toMillis() == 1709214330123',
      'request.time.date() == timestamp.date(2024, 2, 29)',
      "request.time.time() == duration.time(13, 45, 30, 123456789)",
      'request.time > timestamp.date(2024, 2, 29)',
      "request.time - timestamp.date(2024, 2, 29) == request.time.time()",
      "request.time + duration.value(1, 'd') > request.time",
      "(request.time + duration.value(11, 'h')).day() == 1",
      "request.time - duration.value(1, 'w') < request.time",
      'timestamp.value(1709214330123) == request.time - duration.value(456789, \'ns\')',
      "duration.value(90, 'm') == duration.time(1, 30, 0, 0)",
      "duration.value(1500, 'ms').seconds() == 1",
      "duration.value(1500, 'ms').nanos() == 500000000",
      "duration.value(-1500, 'ms').seconds() == -1",
      "duration.abs(duration.value(-10, 's')) == duration.value(10, 's')",
      "duration.value(1, 'h') > duration.value(59, 'm')",
      "duration.value(1, 's') + duration.value(1, 's') == duration.value(2000, 'ms')",
      "-duration.value(1, 's') < duration.value(0, 's')",
    ],
    opts,
  );

  it('rejects invalid dates, units and out-of-range results', () => {
    expect(errorOf('timestamp.date(2023, 2, 29)')).toContain('is not a valid date');
    expect(errorOf("duration.value(1, 'y')")).toContain("unknown unit 'y'");
    expect(errorOf("timestamp.date(9999, 12, 31) + duration.value(2, 'd')")).toContain('timestamp out of range');
    expect(errorOf('timestamp.date(2020, 1, 1) + timestamp.date(2020, 1, 1)')).toBe(
      'Unsupported operation: timestamp + timestamp',
    );
  });

  it('handles timestamps before 1970', () => {
    expect(shown('timestamp.value(-1).toMillis() == -1 && timestamp.value(-1).year() == 1969')).toBe('true');
    expect(shown('timestamp.date(1, 1, 1).dayOfWeek() == 1')).toBe('true');
  });
});

describe('math and conversions', () => {
  truths([
    'math.abs(-1) == 1',
    'math.abs(-1.5) == 1.5',
    'math.ceil(2.1) == 3 && math.ceil(2.1) is int',
    'math.floor(2.7) == 2',
    'math.floor(-2.5) == -3',
    'math.round(2.5) == 3 && math.round(2.4) == 2 && math.round(-2.5) == -2',
    'math.sqrt(2.25) == 1.5',
    'math.pow(2, 10) == 1024.0 && math.pow(4, 0.5) == 2',
    "math.isInfinite(float('Infinity')) && !math.isInfinite(100)",
    "math.isNaN(float('NaN')) && !math.isNaN(1.0)",
    "int('42') == 42 && int(-3.9) == -3 && int(7) == 7",
    "float('1.5') == 1.5 && float(2) == 2.0 && float(2) is float",
    "string(true) == 'true' && string(1) == '1' && string(2.0) == '2.0' && string(null) == 'null'",
    "string(1.5) == '1.5' && string(1e21) == '1.0E21'",
    "string(/a/b) == '/a/b'",
    "bool('true') && !bool('false')",
  ]);

  it('rejects bad conversions', () => {
    expect(errorOf("int('1.5')")).toContain('is not an integer');
    expect(errorOf("int('99999999999999999999')")).toContain('does not fit');
    expect(errorOf("float('abc')")).toContain('is not a number');
    expect(errorOf("int(float('NaN'))")).toContain('cannot convert NaN');
    expect(errorOf("bool('yes')")).toContain('bool() cannot convert');
    expect(errorOf('string([1])')).toBe('string() cannot convert a value of type list');
    expect(errorOf('math.abs(-9223372036854775808)')).toContain('overflow');
  });
});

describe('bytes, latlng, hashing', () => {
  truths([
    "b'\\xFF\\xFF'.size() == 2",
    "b'\\xFB\\xEF\\xBE'.toBase64() == '----'",
    "b'€'.toHexString() == 'E282AC'",
    "hashing.md5('') == b'\\xd4\\x1d\\x8c\\xd9\\x8f\\x00\\xb2\\x04\\xe9\\x80\\x09\\x98\\xec\\xf8\\x42\\x7e'",
    "hashing.sha256('abc').toHexString() == 'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD'",
    "hashing.crc32('123456789').toHexString() == 'CBF43926'",
    "hashing.crc32c('123456789').toHexString() == 'E3069283'",
    "hashing.sha256(b'abc') == hashing.sha256('abc')",
    'latlng.value(10, 20).latitude() == 10.0 && latlng.value(10, 20).longitude() == 20.0',
    'latlng.value(0, 0).distance(latlng.value(0, 0)) == 0',
    'latlng.value(0, 0).distance(latlng.value(0, 1)) > 111000 && latlng.value(0, 0).distance(latlng.value(0, 1)) < 111400',
  ]);

  it('validates coordinates', () => {
    expect(errorOf('latlng.value(91, 0)')).toContain('latitude must be within');
  });
});

describe('paths', () => {
  const vars = { database: { t: 'string', v: '(default)' } } as const;
  truths(
    [
      "/databases/$(database)/documents/users/$('u1') == path('databases/(default)/documents/users/u1')",
      "/databases/$(database)/documents/users/u1[4] == 'u1'",
      "(/path/$(foo)/$(bar)).bind({'foo': 'something', 'bar': 'another'}) == /path/something/another",
      "/a/$(/b/c)/d == /a/b/c/d",
      "path('/x/y') == /x/y",
    ],
    { vars },
  );

  it('rejects bad interpolations', () => {
    expect(errorOf('/a/$(1)')).toContain('needs a string or a path, got int');
    expect(errorOf("path('a//b')")).toContain('empty segment');
  });
});
