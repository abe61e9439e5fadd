import { describe, expect, it } from 'vitest';
import { applyFieldMask, deleteField, formatFieldPath, getField, parseFieldPath, setField } from './field-path.js';
import { validateSegment } from './path.js';
import { formatTimestamp, parseTimestamp, truncateToMicros } from './timestamp.js';
import type { Fields } from './values.js';

describe('field paths', () => {
  it('parses simple and backtick-quoted segments', () => {
    expect(parseFieldPath('a.b.c')).toEqual(['a', 'b', 'c']);
    expect(parseFieldPath('`a.b`.c')).toEqual(['a.b', 'c']);
    expect(parseFieldPath('`with \\` tick`.`back\\\\slash`')).toEqual(['with ` tick', 'back\\slash']);
    expect(parseFieldPath('__name__')).toEqual(['__name__']);
  });

  it('rejects malformed paths', () => {
    for (const bad of ['', 'a..b', '.a', 'a.', '`unterminated', '`a`b', 'a`b']) {
      expect(() => parseFieldPath(bad), bad).toThrow(/Invalid field path/);
    }
  });

  it('quotes segments that are not identifiers when formatting', () => {
    expect(formatFieldPath(['a', 'b.c', '1x', 'back`tick'])).toBe('a.`b.c`.`1x`.`back\\`tick`');
    expect(parseFieldPath(formatFieldPath(['x y', 'z']))).toEqual(['x y', 'z']);
  });

  it('gets, sets and deletes nested fields', () => {
    const fields: Fields = { a: { mapValue: { fields: { b: { integerValue: '1' } } } }, s: { stringValue: 'x' } };
    expect(getField(fields, ['a', 'b'])).toEqual({ integerValue: '1' });
    expect(getField(fields, ['s', 'b'])).toBeUndefined();
    setField(fields, ['s', 'n'], { booleanValue: true });
    expect(getField(fields, ['s', 'n'])).toEqual({ booleanValue: true });
    deleteField(fields, ['a', 'b']);
    expect(fields.a).toEqual({ mapValue: { fields: {} } });
    expect(applyFieldMask(fields, [['s', 'n'], ['missing']])).toEqual({ s: { mapValue: { fields: { n: { booleanValue: true } } } } });
  });
});

describe('resource ids', () => {
  it('rejects reserved ids except numeric __id<int64>__ ones', () => {
    expect(() => validateSegment('__foo__')).toThrow(/reserved/);
    expect(() => validateSegment('__id99999999999999999999__')).toThrow(/reserved/);
    expect(() => validateSegment('..')).toThrow(/reserved/);
    expect(() => validateSegment('__id-9223372036854775808__')).not.toThrow();
    expect(() => validateSegment('__not_reserved')).not.toThrow();
  });
});

describe('timestamps', () => {
  it('parses RFC 3339 with any precision and offset', () => {
    expect(parseTimestamp('1970-01-01T00:00:01.5Z')).toEqual({ seconds: 1, nanos: 500_000_000 });
    expect(parseTimestamp('1970-01-01T01:00:00+01:00')).toEqual({ seconds: 0, nanos: 0 });
    expect(parseTimestamp('0001-01-01T00:00:00Z').seconds).toBe(-62135596800);
    expect(() => parseTimestamp('10000-01-01T00:00:00Z')).toThrow();
  });

  it('formats with 0, 3, 6 or 9 digits and truncates to microseconds', () => {
    expect(formatTimestamp({ seconds: 0, nanos: 0 })).toBe('1970-01-01T00:00:00Z');
    expect(formatTimestamp({ seconds: 0, nanos: 120_000_000 })).toBe('1970-01-01T00:00:00.120Z');
    expect(formatTimestamp(truncateToMicros({ seconds: -1, nanos: 123_456_789 }))).toBe('1969-12-31T23:59:59.123456Z');
    expect(formatTimestamp({ seconds: 253402300799, nanos: 999_999_999 })).toBe('9999-12-31T23:59:59.999999999Z');
  });
});
