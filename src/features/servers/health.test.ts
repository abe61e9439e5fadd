import { describe, expect, it } from 'vitest';
import { leader } from '../../test/factories';
import { leaderJudges, recheckDueAt, serverHealth, SERVER_LOAD_POLL_MS } from './health';

const LIVENESS = { heartbeatIntervalMs: 5_000, serverTimeoutMs: 20_000 };
/** Heard of at 1 000 (heartbeat) by a read at `readAtMs`: deadline 21 000. */
const heard = (readAtMs: number, heartbeatIntervalMs = 5_000) => ({ heartbeatAt: 1_000, heartbeatIntervalMs, readAtMs });

describe('serverHealth: the leader rule on what the page read', () => {
  it('is stale only when a read after the deadline still showed the old heartbeat, or the leader declared it lost', () => {
    // Past the deadline now, but read before it: a heartbeat may have landed since.
    expect(serverHealth('active', heard(2_000), 30_000, LIVENESS)).toEqual({ ageMs: 29_000, stale: false, healthy: true });
    expect(serverHealth('active', heard(22_000), 30_000, LIVENESS).stale).toBe(true);
    // An idle server's announced slower heartbeat moves its deadline (21 000 + 55 000).
    expect(serverHealth('active', heard(70_000, 60_000), 70_000, LIVENESS).stale).toBe(false);
    expect(serverHealth('lost', heard(2_000), 2_000, LIVENESS).stale).toBe(true);
    // Not read yet: only the leader's verdict counts.
    expect(serverHealth('active', null, 30_000, LIVENESS)).toEqual({ ageMs: null, stale: false, healthy: true });
    expect(serverHealth('lost', null, 30_000, LIVENESS).stale).toBe(true);
  });
});

describe('recheckDueAt: when to read one server again outside the poll', () => {
  it('at its deadline when no leader judges; never while one does (its verdict comes in the summary)', () => {
    expect(recheckDueAt('active', heard(2_000), LIVENESS, false)).toBe(21_001);
    expect(recheckDueAt('draining', heard(2_000), LIVENESS, false)).toBe(21_001);
    expect(recheckDueAt('active', heard(2_000), LIVENESS, true)).toBeNull();
  });

  it('a server found silent: again after as long as it has been silent past its deadline, at least one heartbeat interval, until the poll takes over', () => {
    expect(recheckDueAt('active', heard(22_000), LIVENESS, true)).toBe(27_000);
    expect(recheckDueAt('active', heard(27_000), LIVENESS, false)).toBe(33_000);
    expect(recheckDueAt('active', heard(33_000), LIVENESS, false)).toBe(45_000);
    expect(recheckDueAt('active', heard(21_000 + SERVER_LOAD_POLL_MS), LIVENESS, false)).toBeNull();
  });

  it('not for a server the leader declared lost or that stopped, nor one not read yet', () => {
    expect(recheckDueAt('lost', heard(22_000), LIVENESS, false)).toBeNull();
    expect(recheckDueAt('stopped', heard(2_000), LIVENESS, false)).toBeNull();
    expect(recheckDueAt('active', null, LIVENESS, false)).toBeNull();
  });
});

describe('leaderJudges', () => {
  it('a leader with an unexpired lease on a busy fleet judges; an idle one, an expired lease or none does not', () => {
    expect(leaderJudges(leader({ expiresAt: 10_000 }), 5_000)).toBe(true);
    expect(leaderJudges(leader({ expiresAt: 10_000, idle: true }), 5_000)).toBe(false);
    expect(leaderJudges(leader({ expiresAt: 10_000 }), 10_000)).toBe(false);
    expect(leaderJudges(leader({ holder: null, expiresAt: 10_000 }), 5_000)).toBe(false);
    expect(leaderJudges(null, 5_000)).toBe(false);
  });
});
