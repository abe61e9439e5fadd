import { describe, expect, it } from 'vitest';
import { toRequest } from './requests.js';
import { describeRequest, formatWait } from './text.js';
import { T0, job, stats } from './test/factories.js';

describe('words for a request', () => {
  it('rounds waits the way a person says them', () => {
    expect([400, 9_400, 59_400, 61_000, 3_600_000, 3_900_000].map(formatWait)).toEqual([
      'a moment',
      'about 9 s',
      'about 59 s',
      'about 1 min',
      'about 1 h',
      'about 1 h 5 min',
    ]);
  });

  it('says where a queued job stands and when it starts, a waiting one when it retries', () => {
    const s = stats({ throughputPerMin: 60, positionWindow: 100 });
    expect(describeRequest(toRequest('a', job({ status: 'queued', position: 2, positionAt: T0 }), s, T0))).toEqual({
      label: 'Queued',
      position: '2 ahead',
      eta: 'starts in about 3 s',
    });
    expect(describeRequest(toRequest('b', job({ status: 'queued', position: 0, estimatedWaitMs: 800, positionAt: T0 }), s, T0))).toMatchObject({
      position: 'next in line',
      eta: 'starts in a moment',
    });
    expect(describeRequest(toRequest('c', job({ status: 'waiting', availableAt: T0 + 2_000 }), s, T0))).toEqual({
      label: 'Retrying soon',
      position: null,
      eta: 'retry in about 2 s',
    });
    expect(describeRequest(toRequest('s', job({ status: 'waiting', availableAt: T0 + 95_000, deferredUntil: T0 + 95_000 }), s, T0))).toEqual({
      label: 'Scheduled',
      position: null,
      eta: 'starts in about 2 min (rate limit)',
    });
    expect(describeRequest(toRequest('d', job({ status: 'running', cancelRequest: { at: T0, by: 'u-1', reason: null } }), s, T0))).toEqual({
      label: 'Cancelling',
      position: null,
      eta: null,
    });
  });
});
