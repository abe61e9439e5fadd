import { describe, expect, it } from 'vitest';
import { breakerObservations, bulkFailedObservations, lastServerStoppedObservation, noLiveServerObservation, queueStalledObservation } from './observations.js';
import { formatAlertDuration, formatAlertTime } from './format.js';
import { bulkControlDocSchema } from '../../schema/bulk.js';

const T = Date.UTC(2026, 11, 6, 14, 3, 5);

describe('alert observations', () => {
  it('fires once per bulk control the fleet gave up on, saying what it was, how far it got and why', () => {
    const doc = (state: 'failed' | 'running' | 'done') =>
      bulkControlDocSchema.parse({
        action: 'job.retry',
        filter: { status: 'failed', userId: 'alice' },
        description: 'status=failed, user=alice',
        requestedBy: { kind: 'admin', id: 'ops-uid', email: 'ops@example.com' },
        createdAt: T - 60_000,
        createdBefore: T - 60_000,
        state,
        progress: { matched: 120, done: 96, steps: 6, lastError: 'FAILED_PRECONDITION: the query requires an index' },
        cursor: {},
        updatedAt: T,
        finishedAt: state === 'running' ? null : T,
      });
    const observed = bulkFailedObservations([
      { id: 'b1', doc: doc('failed') },
      { id: 'b2', doc: doc('running') },
      { id: 'b3', doc: doc('done') },
    ]);
    expect(observed).toHaveLength(1);
    expect(observed[0]).toMatchObject({ key: 'bulk_control_failed:b1', kind: 'bulk_control_failed', firing: true, subject: 'b1', since: T });
    expect(observed[0]!.title).toBe('Bulk control failed: Retry all matching (status=failed, user=alice)');
    expect(observed[0]!.detail).toBe(
      'the fleet gave up on b1 (started by ops@example.com) at 2026-12-06 14:03:05 UTC after 96 of 120 matching job(s): ' +
        'FAILED_PRECONDITION: the query requires an index. Fix the cause, then resume it from the Queues & jobs page.',
    );
  });

  it('says who forced a breaker open (by e-mail when known) and where its jobs go meanwhile', () => {
    const forced = { model: 'm1', state: 'open' as const, since: T, override: 'force_open' as const, overrideBy: 'ops-uid', history: [] };
    const [o] = breakerObservations([forced]);
    expect(o).toMatchObject({ key: 'breaker_open:m1', firing: true, since: T });
    expect(o!.detail).toBe('m1 is open since 2026-12-06 14:03:05 UTC: forced open by ops-uid. Meanwhile its jobs wait.');
    const route = { primary: 'm1', fallbackModel: 'm1-lite', fallbackPriorities: ['urgent', 'high'] };
    const [named] = breakerObservations([forced], { who: (id) => (id === 'ops-uid' ? 'ops@example.com' : id), route });
    expect(named!.detail).toBe('m1 is open since 2026-12-06 14:03:05 UTC: forced open by ops@example.com. Meanwhile urgent, high jobs go to m1-lite; the others wait.');
    const [closed] = breakerObservations(
      [{ ...forced, state: 'closed', override: null, overrideBy: null, history: [{ from: 'open', to: 'closed', at: T, reason: 'reset', by: 'ops-uid' }] }],
      { who: () => 'ops@example.com' },
    );
    expect(closed!.detail).toBe('m1 is closed: reset (by ops@example.com); upstream calls resume.');
  });

  it('fires for a queue whose oldest job waited past the threshold, and says when the queue is paused', () => {
    const config = { maxAgeMs: 600_000 };
    expect(queueStalledObservation({ oldestQueuedAt: T, queued: 3, paused: false }, T + 600_000, config)).toMatchObject({ firing: false });
    const o = queueStalledObservation({ oldestQueuedAt: T, queued: 3, paused: true }, T + 600_001, config)!;
    expect(o).toMatchObject({ key: 'queue_stalled', firing: true, since: T + 600_000 });
    expect(o.detail).toContain('the queue is paused');
    expect(queueStalledObservation({ oldestQueuedAt: null, queued: 0, paused: false }, T, config)).toMatchObject({ firing: false, detail: 'no job is queued any more.' });
    expect(queueStalledObservation({ oldestQueuedAt: T, queued: 1, paused: false }, T + 1e9, { maxAgeMs: null })).toBeNull();
  });

  it('counts an idle fleet gap from the resignation of the last leader, and a crash from its last renewal', () => {
    const cfg = { enabled: true, gapMs: 60_000 };
    const resigned = { holder: null, term: 2, acquiredAt: T - 9e5, renewedAt: T, expiresAt: T, idle: true };
    expect(noLiveServerObservation({ serverId: 'b', takeover: { previous: resigned, at: T + 120_000 } }, cfg)!.retroactive).toEqual({ from: T, to: T + 120_000 });
    const crashed = { holder: 'a', term: 2, acquiredAt: T - 9e5, renewedAt: T, expiresAt: T + 90_000, idle: true };
    expect(noLiveServerObservation({ serverId: 'b', takeover: { previous: crashed, at: T + 120_000 } }, cfg)!.retroactive).toBeUndefined();
    expect(noLiveServerObservation({ serverId: 'b', takeover: { previous: crashed, at: T + 200_000 } }, cfg)!.retroactive).toEqual({ from: T, to: T + 200_000 });
    // The first leader ever, or with the check off.
    expect(noLiveServerObservation({ serverId: 'b', takeover: { previous: null, at: T } }, cfg)!.retroactive).toBeUndefined();
    expect(noLiveServerObservation({ serverId: 'b', takeover: null }, { enabled: false, gapMs: 1 })).toBeNull();
    expect(lastServerStoppedObservation('a', T)).toMatchObject({ key: 'no_live_server', firing: true, since: T });
  });

  it('formats times in UTC and durations in words', () => {
    expect(formatAlertTime(T)).toBe('2026-12-06 14:03:05 UTC');
    expect([45_000, 192_000, 3_600_000, 7_500_000, 3 * 86_400_000 + 4 * 3_600_000].map(formatAlertDuration)).toEqual(['45 s', '3 min 12 s', '1 h', '2 h 5 min', '3 d 4 h']);
  });
});
