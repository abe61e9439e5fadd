import type { AnalyticsPartialDoc } from '../../schema/analytics.js';
import { analyticsPartialId } from '../../schema/names.js';
import { emptyRollupBody, periodStart } from '../analytics/rollup.js';
import type { DocMutation } from '../mutations.js';
import type { ControlPlan } from './plan.js';

/** Prefix of the writer id (`serverId`) of a control's analytics partial. */
export const CONTROL_COUNTS_WRITER_PREFIX = 'control:';

/**
 * The analytics counters a control moves: the jobs it redrove (`redriven`) and the jobs it
 * cancelled now (`cancelled`; a running job's cancel request is counted by its holder when
 * the job finishes). Other controls count nothing.
 */
export function controlCounts(plan: Pick<ControlPlan, 'command' | 'mutations'>): { redriven: number; cancelled: number } {
  let redriven = 0;
  let cancelled = 0;
  for (const m of plan.mutations) {
    if (m.op !== 'set' || m.collection !== 'jobs') continue;
    if (plan.command.type === 'job.redrive') redriven += 1;
    if (plan.command.type === 'job.cancel' && m.data.status === 'cancelled') cancelled += 1;
  }
  return { redriven, cancelled };
}

/**
 * The control's own analytics partial (`transcription_analytics_partials`), written in the
 * control's transaction whoever runs it (a worker's admin API or an operator's browser),
 * so the rollups count a redrive from the console exactly like one from the worker. Why a
 * document of its own: a server's partial has one writer (the server flushes its whole
 * minute blindly), and a browser writes nothing else of the fleet's; this one is written
 * once, named after the control's audit entry (`control:<auditId>`), which the security
 * rules follow to check its counts. The leader merges it like any partial. Null when the
 * control counts nothing.
 */
export function controlCountsMutation(plan: Pick<ControlPlan, 'command' | 'mutations' | 'auditId'>, now: number): DocMutation | null {
  const counts = controlCounts(plan);
  if (counts.redriven === 0 && counts.cancelled === 0) return null;
  const body = emptyRollupBody();
  const serverId = `${CONTROL_COUNTS_WRITER_PREFIX}${plan.auditId}`;
  const start = periodStart(now, 'minute');
  const data: AnalyticsPartialDoc = {
    ...body,
    counters: { ...body.counters, ...counts },
    periodStart: start,
    serverId,
    updatedAt: now,
  };
  return { op: 'set', collection: 'analyticsPartials', id: analyticsPartialId(start, serverId), data };
}
