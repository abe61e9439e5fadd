import { QUERIES, BULK_ACTIONS } from '@fq/worker/schema';
import { useState } from 'react';
import { Button } from '../../components/ui/Button';
import { useData } from '../../data/context';
import { useLiveQuery } from '../../data/hooks';
import { specOf } from '../../data/specs';
import { formatNumber } from '../../lib/format';
import { ControlButton } from '../controls/ControlButton';
import { BULK_VERBS, bulkFilterOf, type SearchFilter } from './bulkFilter';
import { BulkProgress } from './BulkProgress';
import { useMatchingCount } from './useMatchingCount';

/** The newest bulk controls shown under the job table (a listener on a few documents). */
const RECENT = 3;

/**
 * "Apply to all N matching": retry, redrive or cancel every job the current search matches,
 * not only the rows on the page, as ONE audited control (`bulk.start`) that the fleet
 * carries out in steps. The operator asks for the count, confirms it with a reason, and
 * watches the progress live; Stop halts it between steps.
 */
export function ApplyToAllMatching({ filter: search }: { filter: SearchFilter | null }) {
  const { port } = useData();
  const [asked, setAsked] = useState(false);
  const parsed = search ? bulkFilterOf(search) : null;
  const filter = parsed?.ok ? parsed.filter : null;
  const count = useMatchingCount(filter, asked);
  const recent = useLiveQuery(specOf(QUERIES.recentBulkControls, {}, RECENT));
  const rows = recent.data ?? [];
  const n = count.data;

  return (
    <section aria-label="Apply to all matching" data-testid="bulk-panel" className="mt-3 space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        {!parsed ? null : !parsed.ok ? (
          <span className="text-xs text-slate-500">{parsed.why}</span>
        ) : !asked ? (
          <Button size="sm" data-testid="bulk-count" onClick={() => setAsked(true)}>
            Apply to all matching…
          </Button>
        ) : count.isPending ? (
          <span className="text-xs text-slate-500">Counting matching jobs…</span>
        ) : count.error ? (
          <span role="alert" className="text-xs text-red-700 dark:text-red-400">
            Could not count the matching jobs: {count.error.message}
          </span>
        ) : (
          <>
            <span className="text-xs text-slate-600 dark:text-slate-300" data-testid="bulk-matching">
              {n === null || n === undefined ? 'All matching jobs' : `${formatNumber(n)} matching`} ({parsed.description}):
            </span>
            {BULK_ACTIONS.map((action) => {
              const verb = BULK_VERBS[action];
              const howMany = n === null || n === undefined ? 'all matching jobs' : `all ${formatNumber(n)} matching jobs`;
              return (
                <ControlButton
                  key={action}
                  label={`${verb.label} all ${n === null || n === undefined ? '' : `${formatNumber(n)} `}matching`}
                  variant={action === 'job.cancel' ? 'danger' : 'secondary'}
                  testId={`bulk-all-${action.slice(4)}`}
                  disabled={n === 0}
                  title={`${verb.label} ${howMany}?`}
                  command={(reason) => ({
                    type: 'bulk.start',
                    bulkId: port.newId('bulkControls'),
                    action,
                    filter: parsed.filter,
                    expectedCount: n ?? null,
                    reason,
                  })}
                  onDone={() => setAsked(false)}
                  description={
                    <div className="space-y-2">
                      <p>
                        {verb.label} {howMany}: <span className="font-mono text-xs">{parsed.description}</span>, created before now.
                      </p>
                      <p>{verb.what}</p>
                      <p className="text-xs">
                        The fleet applies it in steps of up to 16 jobs, each with its own audit entry naming you; jobs that cannot take the action
                        are skipped and counted. You can stop it at any time.
                      </p>
                    </div>
                  }
                />
              );
            })}
            <Button size="sm" onClick={() => setAsked(false)}>
              Never mind
            </Button>
          </>
        )}
      </div>
      {rows.map((row) =>
        row.ok ? (
          <BulkProgress key={row.id} id={row.id} doc={row.data} />
        ) : (
          // A control whose document no longer parses (edited by hand, written by another
          // version): the fleet gives up on it too, so it must not vanish from the panel.
          <p key={row.id} role="alert" data-testid={`bulk-unreadable-${row.id}`} className="rounded-md border border-red-300 bg-red-50 p-2 text-xs text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-300">
            Bulk control <span className="font-mono">{row.id}</span> cannot be read ({row.error}). The fleet does not carry it out; fix or delete its
            document in <span className="font-mono">transcription_bulk_controls</span>.
          </p>
        ),
      )}
    </section>
  );
}
