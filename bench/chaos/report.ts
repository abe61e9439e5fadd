import type { Table } from '../lib/table.js';
import type { ChaosReport } from './run-chaos.js';

/** The chaos run as terminal tables: the verdict first, then what was thrown at the fleet. */
export function chaosTables(r: ChaosReport): Table[] {
  const a = r.audit;
  const dup = a.duplicateUpstream;
  return [
    {
      title: `chaos audit: ${r.passed ? 'PASSED' : 'FAILED'} (${a.jobs.submitted} jobs, ${r.options.workers} workers, ${r.durationSec} s)`,
      headers: ['check', 'count', 'meaning'],
      rows: [
        ['jobs lost', a.lost.count, 'acknowledged (or written) but missing, or not terminal after the drain'],
        ['jobs completed twice', a.completedTwice.count, 'two success writes for one job, or a success overwritten'],
        ["jobs holding another job's transcript", a.wrongTranscript.count, 'the stored transcript is not the one its audio carries'],
        ['unfinished/failed jobs without their audio', a.payloads.jobsMissingChunks.length, 'retry or redrive would be impossible'],
        ['payload chunks left behind', a.payloads.orphanChunks.length, 'audio of finished or missing jobs still stored'],
        ['finished jobs still holding inline audio', a.payloads.inlineAudioLeft.length, 'the write that finished them should have dropped it'],
        ['stuck episodes', a.stuck.count, `expired lease or overdue retry left alone > ${a.stuck.thresholdMs / 1000} s`],
        ['jobs with duplicate upstream answers', dup.jobs, 'Gemini answered more than once for one job (cost, not a double completion)'],
        ['  extra answers: holder killed', dup.byCause['holder killed'] ?? 0, 'the worker died mid-call or before writing the result'],
        ['  extra answers: lease expired, holder alive', dup.byCause['lease expired, holder alive'] ?? 0, 'heartbeats failed under faults; the fence refused the late result'],
        ['  extra answers: unexplained', dup.byCause.unexplained ?? 0, 'neither: investigate'],
      ],
      notes: [...r.failures.map((f) => `FAIL: ${f}`), ...r.warnings.map((w) => `warn: ${w}`)],
    },
    {
      title: 'chaos: what happened',
      headers: ['item', 'value'],
      rows: [
        ['jobs submitted / acknowledged', `${a.jobs.submitted} / ${a.jobs.acknowledged}`],
        ['written although the caller saw an error', a.jobs.writtenDespiteError],
        ['final statuses', JSON.stringify(a.jobs.byStatus)],
        ['worker processes started / killed -9 / crashed', `${r.workers.started} / ${r.workers.killed} / ${r.workers.crashed.length}`],
        ['faults off -> all jobs terminal (s)', r.drainSec],
        ['faults applied', JSON.stringify(r.faults)],
        ['upstream calls (proxy) / 200 answers', `${a.upstream.calls} / ${a.upstream.successfulCalls}`],
        ['upstream calls by outcome', JSON.stringify(a.upstream.byOutcome)],
        ['upstream answers by status', JSON.stringify(a.upstream.byStatus)],
        ['fake error rate (503 share of served calls, faults and drain)', r.upstream.errorRate],
        ['503 answers drawn by the rate / injected burst answers', `${r.upstream.errorRateAnswers} / ${r.upstream.injectedAnswers}`],
        ['breaker openings / seconds open or half-open', `${r.upstream.breakerOpenings} / ${r.upstream.breakerNotClosedSec}`],
        ['breaker state at the end', r.upstream.breakerStateAtEnd],
        ['jobs dead-lettered', a.jobs.byStatus.dead_lettered ?? 0],
        ['lease expiry -> reclaim p50 / p95 / max (ms)', `${a.stuck.reclaimDelayMs.p50 ?? '-'} / ${a.stuck.reclaimDelayMs.p95 ?? '-'} / ${a.stuck.reclaimDelayMs.max ?? '-'} (${a.stuck.reclaimDelayMs.count} reclaims)`],
        ['drained before the deadline', r.drained],
      ],
    },
  ];
}
