import { describe, expect, it } from 'vitest';
import { alertText, slackMessage } from './message.js';
import type { PlannedAlertEvent } from './plan.js';

const T = Date.UTC(2026, 11, 6, 14, 0, 0);
const base: PlannedAlertEvent = {
  key: 'breaker_open:m1', kind: 'breaker_open', status: 'firing', reminder: false, title: 'Circuit breaker open: m1',
  detail: 'm1 is open.', subject: 'm1', firingSince: T, at: T,
};

describe('alert messages', () => {
  it('says firing, still firing and resolved with how long', () => {
    expect(alertText(base)).toBe(':red_circle: FIRING: Circuit breaker open: m1 - m1 is open.');
    expect(alertText({ ...base, reminder: true, at: T + 600_000 })).toMatch(/^:red_circle: STILL FIRING for 10 min: /);
    expect(alertText({ ...base, status: 'resolved', detail: 'm1 is closed.', at: T + 125_000 })).toBe(
      ':white_check_mark: RESOLVED after 2 min 5 s: Circuit breaker open: m1 - m1 is closed.',
    );
  });

  it('is Slack incoming-webhook JSON: text plus a section and a context naming the deployment and the key', () => {
    const m = slackMessage(base, { prefix: 'prod_', serverId: 'w1' });
    expect(m.text).toBe(alertText(base));
    expect(m.blocks).toHaveLength(2);
    expect(JSON.stringify(m.blocks[1])).toContain('Firequeue (prefix prod_)');
    expect(JSON.stringify(m.blocks[1])).toContain('`breaker_open:m1`');
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });
});
