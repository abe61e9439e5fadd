import { describe, expect, it } from 'vitest';
import { describeDurationCheck } from './durationCheck';

describe('describeDurationCheck', () => {
  it('says what was declared, what was measured and what the queue did', () => {
    expect(describeDurationCheck({ declaredSec: 100, measuredSec: 2, method: 'parsed', corrected: true, note: null })).toBe('declared 100 s, measured 2 s: corrected');
    expect(describeDurationCheck({ declaredSec: 2.04, measuredSec: 2, method: 'parsed', corrected: false, note: null })).toBe('declared 2 s, measured 2 s: agrees');
    expect(describeDurationCheck({ declaredSec: null, measuredSec: 480, method: 'estimated', corrected: false, note: 'not parseable' })).toBe(
      'none declared, estimated from size 480 s: used',
    );
    expect(describeDurationCheck(null)).toMatch(/not measured/);
  });
});
