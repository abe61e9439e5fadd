import type { BulkControlDoc } from '@fq/worker/schema';
import { Badge, type Tone } from '../../components/ui/Card';
import { formatNumber } from '../../lib/format';
import { ControlButton } from '../controls/ControlButton';
import { BULK_VERBS, bulkFigures, type BulkFigures } from './bulkFilter';

const TONE: Record<BulkFigures['state'], Tone> = {
  waiting: 'info',
  running: 'info',
  stopping: 'warn',
  stopped: 'warn',
  done: 'good',
  failed: 'bad',
};

const reasons = (byReason: Record<string, number>) =>
  Object.entries(byReason)
    .map(([reason, n]) => `${formatNumber(n)} ${reason.toLowerCase().replace(/_/g, ' ')}`)
    .join(', ');

/**
 * One bulk control, live: what it does to which jobs, how far the fleet got (done, skipped
 * with why, failed), and Stop while it runs or Resume once stopped. When the fleet gave up on
 * it (`failed`: the store keeps refusing its page query, or its document cannot be read) it
 * says so in an alert with the reason, and Resume tries again from where it gave up once the
 * cause is fixed (what was done is not done twice; an unfixed cause fails it again).
 */
export function BulkProgress({ id, doc }: { id: string; doc: BulkControlDoc }) {
  const verb = BULK_VERBS[doc.action];
  const f = bulkFigures(doc);
  const { done, skipped, failed, skippedByReason, lastError } = doc.progress;
  return (
    <div data-testid="bulk-progress" data-bulk-id={id} data-state={f.state} className="space-y-1 rounded-md border border-slate-200 p-2 text-sm dark:border-slate-700">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={TONE[f.state]} testId="bulk-state">
          {f.state}
        </Badge>
        <span>
          {verb.label} all matching <span className="font-mono text-xs">{doc.description}</span>
        </span>
        {doc.requestedBy.email && <span className="text-xs text-slate-500">by {doc.requestedBy.email}</span>}
      </div>
      <div
        role="progressbar"
        aria-label={`${verb.label} progress`}
        aria-valuemin={0}
        aria-valuemax={f.total ?? undefined}
        aria-valuenow={f.processed}
        className="h-2 w-full overflow-hidden rounded bg-slate-200 dark:bg-slate-700"
      >
        <div className="h-full bg-indigo-600" style={{ width: `${Math.round((f.ratio ?? 0) * 100)}%` }} />
      </div>
      <p data-testid="bulk-counts" className="text-xs text-slate-600 dark:text-slate-300">
        {formatNumber(f.processed)}
        {f.total !== null ? ` of ${formatNumber(f.total)}` : ''} processed: {formatNumber(done)} {verb.past}, {formatNumber(skipped)} skipped
        {skipped > 0 ? ` (${reasons(skippedByReason)})` : ''}, {formatNumber(failed)} failed
        {f.state === 'waiting' ? ' — waiting for a server to take it' : ''}
      </p>
      {f.state === 'failed' ? (
        <div role="alert" data-testid="bulk-failure" className="space-y-1 rounded border border-red-300 bg-red-50 p-2 text-xs text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          <p className="font-medium">The fleet gave up on it{lastError ? `: ${lastError}` : '.'}</p>
          <p>
            Jobs already {verb.past} stay {verb.past}; no other job was touched. Fix the cause, then Resume: it goes on from where it gave up.
          </p>
        </div>
      ) : (
        lastError && <p className="text-xs text-red-700 dark:text-red-400">Last error: {lastError}</p>
      )}
      <div className="flex gap-2">
        {f.state === 'running' || f.state === 'waiting' ? (
          <ControlButton
            label="Stop"
            variant="danger"
            testId="bulk-stop"
            title={`Stop "${verb.label} all matching"?`}
            command={(reason) => ({ type: 'bulk.stop', bulkId: id, reason })}
            description={<p>The fleet stops before its next step (at most 16 jobs). What was done stays done; Resume goes on from where it stopped.</p>}
          />
        ) : null}
        {f.state === 'stopped' || f.state === 'stopping' || f.state === 'failed' ? (
          <ControlButton
            label="Resume"
            testId="bulk-resume"
            title={`Resume "${verb.label} all matching"?`}
            command={(reason) => ({ type: 'bulk.resume', bulkId: id, reason })}
            description={
              f.state === 'failed' ? (
                <p>
                  The fleet tries again from where it gave up, with the jobs that matched when it was started. If what made it give up is not fixed, it
                  gives up again.
                </p>
              ) : (
                <p>The fleet goes on from where it stopped, with the jobs that matched when it was started.</p>
              )
            }
          />
        ) : null}
      </div>
    </div>
  );
}
