import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createQueue, FirestoreStore, seededRandom, type BreakerDoc, type WorkerConfigInput } from '@fq/worker';
import { startFakeGemini, type FakeGeminiStats } from '@fq/fake-gemini';
import { startSystem } from '../../system/index.js';
import { notClosedMs, openings } from '../lib/breaker-timeline.js';
import { startFirestoreTarget } from '../lib/firestore-target.js';
import { makeJobSet } from '../lib/job-set.js';
import { countTerminal } from '../lib/queue-driver.js';
import { crashedWorkers } from '../lib/rig.js';
import { runPrefix } from '../lib/scenario.js';
import { benchConfig } from '../scenarios/overload-fleet.js';
import { applyFault, type FaultEnv, type TimelineEntry } from './apply-fault.js';
import { auditChaos, type ChaosAudit } from './audit.js';
import { startCallLogProxy } from './call-log-proxy.js';
import { CommitJournal } from './commit-journal.js';
import { chaosSchedule } from './fault-schedule.js';
import { readFinalState } from './final-state.js';
import { runChaosTraffic } from './traffic.js';
import { workerLogEvents, workerWarnings, type LogEvent } from './worker-logs.js';

export interface ChaosOptions {
  jobs: number;
  workers: number;
  concurrency: number;
  /** How long jobs arrive and faults fly; then the faults stop and the fleet drains. */
  durationMs: number;
  killEveryMs: number;
  faultEveryMs: number;
  drainTimeoutMs: number;
  clientShare: number;
  stuckAfterMs: number;
  seed: number;
  fake: { capacity: number; baseLatencyMs: number; latencyMsPerAudioSecond: number };
  /**
   * Share of the calls the fake serves that it answers 503, for the whole run (faults and
   * drain): an upstream that fails some calls steadily. With a rate the schedule's counted
   * 503 bursts are left out (429 bursts stay). Default 0 (bursts only).
   */
  errorRate?: number;
}

/** What the upstream and the breaker went through (the fake's counts, the breaker document). */
export interface ChaosUpstream {
  errorRate: number;
  /** 503 answers drawn by the error rate. */
  errorRateAnswers: number;
  /** Answers of the counted 503/429 bursts. */
  injectedAnswers: number;
  /** Calls the fake served (or failed by the rate), i.e. not refused before a slot. */
  servedCalls: number;
  breakerOpenings: number;
  /** Seconds the breaker was open or half-open from the fault window's start to the audit. */
  breakerNotClosedSec: number;
  breakerStateAtEnd: string | null;
  /** Transitions kept in the breaker document (at most its history size). */
  breakerTransitions: number;
}

export interface ChaosReport {
  options: ChaosOptions;
  config: WorkerConfigInput;
  passed: boolean;
  /** Why the run failed (lost, completed twice, wrong transcript, audio lost). */
  failures: string[];
  /** Worth a look but not a broken promise (crashes, stuck episodes, leaks, unexplained duplicates). */
  warnings: string[];
  audit: ChaosAudit;
  timeline: TimelineEntry[];
  faults: Record<string, number>;
  workers: {
    started: number;
    killed: number;
    crashed: string[];
    warnings: { serverId: string; msg: string; count: number }[];
    /** Leadership changes and lost-server declarations, for reading reclaim delays. */
    leadership: LogEvent[];
  };
  upstreamFake: FakeGeminiStats;
  upstream: ChaosUpstream;
  drained: boolean;
  /** Epoch ms of the fault window's start: timeline offsets count from here. */
  startedAt: number;
  /** Faults off -> every job terminal (includes restarting the workers that were down). */
  drainSec: number | null;
  durationSec: number;
  logDir: string;
}

/** Timing for real processes under kill -9: short leases so reclaims happen within the run. */
export function chaosConfig(model: string): WorkerConfigInput {
  return benchConfig(model, 20, {
    requestTimeoutMs: 60_000,
    lease: { durationMs: 3_000, heartbeatMs: 600 },
    backoff: { baseMs: 200, maxMs: 2_000, multiplier: 2 },
    // Idle cadences scaled down like the rest: the drain ends in an idle fleet whose leader may be killed.
    serverCoordination: { heartbeatIntervalMs: 500, serverTimeoutMs: 4_000, leaderLeaseMs: 3_000, maintenanceIntervalMs: 500, idleHeartbeatIntervalMs: 1_500, idleLeaderLeaseMs: 6_000 },
    upstream: { model, flowIntervalMs: 500, sliceTtlMs: 5_000 },
    circuitBreaker: { recoveryTimeMs: 1_500, maxRecoveryTimeMs: 3_000, windowMs: 8_000 },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function chaosUpstream(stats: FakeGeminiStats, errorRate: number, breaker: BreakerDoc | null, from: number, endAt: number): ChaosUpstream {
  const history = (breaker?.history ?? []).filter((h) => h.at >= from);
  const reasons = stats.rejectionsByReason;
  return {
    errorRate,
    errorRateAnswers: reasons.error_rate ?? 0,
    injectedAnswers: reasons.injected ?? 0,
    servedCalls: stats.successes + stats.aborted + (reasons.error_rate ?? 0),
    breakerOpenings: openings(history),
    breakerNotClosedSec: Math.round(notClosedMs(history, endAt) / 1000),
    breakerStateAtEnd: breaker?.state ?? null,
    breakerTransitions: history.length,
  };
}

export async function runChaos(options: ChaosOptions, log: (m: string) => void): Promise<ChaosReport> {
  const started = Date.now();
  const model = 'gemini-2.5-flash';
  const projectId = 'demo-fq-chaos';
  // Our emulator in this process: its commit journal sees every write of every worker.
  const target = await startFirestoreTarget({ projectId, requireOurs: 'the chaos run (fault injection, commit journal)' });
  const stops: (() => Promise<unknown>)[] = [() => target.stop()];
  try {
    const errorRate = options.errorRate ?? 0;
    const fake = await startFakeGemini({ ...options.fake, overloadResponse: 'mixed', latencyJitter: 0.2, seed: options.seed, errorRate });
    stops.unshift(() => fake.close());
    const proxy = await startCallLogProxy(fake.url);
    stops.unshift(() => proxy.close());
    const prefix = runPrefix('chaos');
    const journal = new CommitJournal(target.emulator!, projectId, prefix);
    stops.unshift(async () => journal.stop());
    const config = chaosConfig(model);
    const logDir = mkdtempSync(join(tmpdir(), 'fq-chaos-'));
    log(`chaos: starting the system with ${options.workers} workers (logs in ${logDir})`);
    // Workers reach the fake through the call-log proxy: the orchestrator starts no fake when
    // given a key, and the worker's Gemini adapter honours GOOGLE_GEMINI_BASE_URL.
    const system = await startSystem({
      projectId,
      prefix,
      firestoreEmulatorHost: target.host,
      geminiApiKey: 'chaos-fake-key',
      env: { ...process.env, GOOGLE_GEMINI_BASE_URL: proxy.url },
      workers: options.workers,
      workerConcurrency: options.concurrency,
      workerConfig: config,
      workerGraceMs: 1_000,
      dashboard: false,
      control: false,
      traffic: null,
      logDir,
    });
    stops.unshift(() => system.stop());
    const store = new FirestoreStore({ projectId, prefix, emulatorHost: target.host });
    stops.unshift(() => store.close());
    const queue = createQueue({ store, config, clientId: 'chaos-harness' });

    const jobs = makeJobSet({ count: options.jobs, seed: options.seed, tag: 'cx', durations: [1, 2, 3], users: 12 });
    const schedule = chaosSchedule({
      seed: options.seed,
      durationMs: options.durationMs,
      killEveryMs: options.killEveryMs,
      faultEveryMs: options.faultEveryMs,
      upstream503Bursts: errorRate === 0,
    });
    log(`chaos: ${jobs.length} jobs over ${Math.round((options.durationMs * 0.6) / 1000)} s; ${schedule.length} kills and faults over ${Math.round(options.durationMs / 1000)} s`);
    const t0 = Date.now();
    const traffic = runChaosTraffic({ queue, store, jobs, clientShare: options.clientShare, overMs: options.durationMs * 0.6, random: seededRandom(options.seed + 7) });
    const timeline: TimelineEntry[] = [];
    const env: FaultEnv = { system, fake, faults: target.faults(), kills: [], restarts: [], log };
    for (const event of schedule) {
      await sleep(Math.max(0, t0 + event.atMs - Date.now()));
      timeline.push(await applyFault(env, event));
    }
    await sleep(Math.max(0, t0 + options.durationMs - Date.now()));
    const submitted = await traffic;
    log('chaos: faults off; waiting for restarts, then draining');
    const faultsOff = Date.now();
    await target.faults().clear();
    fake.reset({ stats: false, failures: true });
    await Promise.allSettled(env.restarts);

    const deadline = Date.now() + options.drainTimeoutMs;
    const acknowledged = submitted.filter((s) => s.acknowledged).length;
    let drained = false;
    while (Date.now() < deadline) {
      const total = await store.count({ collection: 'jobs' });
      if (total >= acknowledged && (await countTerminal(store)) >= total) {
        drained = true;
        break;
      }
      await sleep(1_000);
    }
    const drainSec = drained ? Math.round((Date.now() - faultsOff) / 1000) : null;
    log(drained ? `chaos: drained ${drainSec} s after the faults stopped; auditing` : 'chaos: drain timed out; auditing what is there');
    const finalState = await readFinalState(store);
    const breaker = (await store.get('breakers', model)).doc;
    const endAt = Date.now();
    journal.stop();
    const audit = auditChaos({
      submitted,
      final: finalState.jobs,
      chunks: finalState.chunks,
      journal: journal.jobs,
      calls: proxy.calls,
      kills: env.kills,
      endAt,
      stuckAfterMs: options.stuckAfterMs,
    });
    const faultCounts: Record<string, number> = {};
    for (const t of timeline) faultCounts[t.kind] = (faultCounts[t.kind] ?? 0) + (t.ok ? 1 : 0);
    const crashed = await crashedWorkers(system);
    const failures = [
      audit.lost.count ? `${audit.lost.count} jobs lost (${audit.lost.missing.length} missing, ${audit.lost.notTerminal.length} not terminal)` : '',
      audit.completedTwice.count ? `${audit.completedTwice.count} jobs completed twice` : '',
      audit.wrongTranscript.count ? `${audit.wrongTranscript.count} jobs hold another job's transcript` : '',
      audit.payloads.jobsMissingChunks.length ? `${audit.payloads.jobsMissingChunks.length} unfinished or failed jobs lost their audio` : '',
    ].filter(Boolean);
    const warnings = [
      crashed.length ? `${crashed.length} workers exited on their own` : '',
      audit.stuck.count ? `${audit.stuck.count} stuck episodes (longest ${Math.round(audit.stuck.longestMs / 1000)} s)` : '',
      audit.payloads.orphanChunks.length ? `${audit.payloads.orphanChunks.length} payload chunks left behind` : '',
      audit.payloads.inlineAudioLeft.length ? `${audit.payloads.inlineAudioLeft.length} finished jobs still hold their inline audio` : '',
      audit.duplicateUpstream.byCause.unexplained ? `${audit.duplicateUpstream.byCause.unexplained} unexplained duplicate upstream answers` : '',
      timeline.some((t) => !t.ok) ? `${timeline.filter((t) => !t.ok).length} faults could not be applied` : '',
      finalState.changedDuringRead ? `${finalState.changedDuringRead} jobs changed while the audit read them (workers still running): their chunks were not checked` : '',
    ].filter(Boolean);
    return {
      options,
      config,
      passed: failures.length === 0,
      failures,
      warnings,
      audit,
      timeline,
      faults: faultCounts,
      workers: {
        started: options.workers + env.kills.length,
        killed: env.kills.length,
        crashed,
        warnings: workerWarnings(logDir),
        leadership: workerLogEvents(logDir, /leader|declared lost/).slice(0, 200),
      },
      upstreamFake: fake.stats(),
      upstream: chaosUpstream(fake.stats(), errorRate, breaker, t0, endAt),
      drained,
      startedAt: t0,
      drainSec,
      durationSec: Math.round((Date.now() - started) / 1000),
      logDir,
    };
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}
