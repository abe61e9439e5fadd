import { describe, expect, it } from 'vitest';
import { fromProtoFields, timestampMs } from './proto-values.js';

describe('proto3-JSON values', () => {
  it('reads timestamps with nanosecond digits as epoch milliseconds', () => {
    expect(timestampMs('2026-01-01T00:00:00.123456789Z')).toBe(Date.UTC(2026, 0, 1, 0, 0, 0, 123));
    expect(timestampMs('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
    expect(timestampMs('garbage')).toBeNaN();
  });

  it('converts nested documents', () => {
    const fields = {
      status: { stringValue: 'running' },
      fence: { integerValue: '3' },
      progress: { doubleValue: 0.5 },
      lease: { mapValue: { fields: { token: { integerValue: '3' }, expiresAt: { timestampValue: '1970-01-01T00:00:01.5Z' } } } },
      errors: { arrayValue: { values: [{ nullValue: null }, { booleanValue: true }] } },
      empty: { arrayValue: {} },
      data: { bytesValue: Buffer.from('abcd').toString('base64') },
    };
    expect(fromProtoFields(fields)).toEqual({
      status: 'running',
      fence: 3,
      progress: 0.5,
      lease: { token: 3, expiresAt: 1500 },
      errors: [null, true],
      empty: [],
      data: { bytes: 4 },
    });
  });
});
