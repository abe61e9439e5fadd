import { describe, expect, it } from 'vitest';
import { runChaos } from '../chaos/run-chaos.js';

/**
 * Smoke version of `npm run chaos`: a short window of kill -9s, Gemini 503/429 bursts,
 * dropped streams and failed commits over three worker processes, then the full audit.
 * Needs our emulator (fault injection, commit journal): skipped on FIRESTORE_EMULATOR_HOST.
 */
const external = Boolean(process.env.FIRESTORE_EMULATOR_HOST);

describe.skipIf(external)('chaos smoke', () => {
  it('loses no job and completes none twice while workers are killed and faults fly', async () => {
    const report = await runChaos(
      {
        jobs: 40,
        workers: 3,
        concurrency: 4,
        durationMs: 30_000,
        killEveryMs: 6_000,
        faultEveryMs: 3_000,
        drainTimeoutMs: 180_000,
        clientShare: 0.25,
        stuckAfterMs: 15_000,
        seed: 3,
        fake: { capacity: 6, baseLatencyMs: 300, latencyMsPerAudioSecond: 200 },
      },
      (m) => console.log(`[chaos smoke] ${m}`),
    );
    const { audit } = report;
    console.log(`chaos smoke ${JSON.stringify({ passed: report.passed, failures: report.failures, warnings: report.warnings, jobs: audit.jobs, faults: report.faults, duplicates: audit.duplicateUpstream, stuck: audit.stuck.byKind })}`);
    expect(report.workers.killed).toBeGreaterThanOrEqual(2);
    expect(Object.values(report.faults).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(8);
    expect(audit.jobs.acknowledged).toBeGreaterThan(0);
    expect(audit.lost).toEqual({ count: 0, missing: [], notTerminal: [] });
    expect(audit.completedTwice.count).toBe(0);
    expect(audit.wrongTranscript.count).toBe(0);
    expect(audit.payloads.jobsMissingChunks).toEqual([]);
    expect(report.passed).toBe(true);
  }, 420_000);
});
