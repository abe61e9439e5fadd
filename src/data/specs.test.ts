import { describe, expect, it } from 'vitest';
import { UnsupportedQueryError } from './errors';
import { querySpec, where } from './specs';

describe('querySpec', () => {
  it('refuses `in` with null in its list (the web SDK and the backend disagree on it), and keeps == null and not-in', () => {
    expect(() => querySpec('locks', { where: [where('f', 'in', [1, null])], limit: 5 })).toThrow(UnsupportedQueryError);
    expect(querySpec('locks', { where: [where('f', 'in', [1, 2])], limit: 5 }).where).toHaveLength(1);
    expect(querySpec('locks', { where: [where('f', '==', null)], limit: 5 }).where).toHaveLength(1);
    expect(querySpec('locks', { where: [where('f', 'not-in', [1, null])], limit: 5 }).where).toHaveLength(1);
  });

  it('refuses a limit outside 1..500', () => {
    expect(() => querySpec('locks', { limit: 0 })).toThrow(RangeError);
    expect(() => querySpec('locks', { limit: 501 })).toThrow(RangeError);
  });
});
