import { PRIORITIES, type Priority, type QueueControlsDoc } from '@fq/worker/schema';
import { Badge, Card } from '../../components/ui/Card';
import { LiveView } from '../../components/ui/LiveView';
import { InvalidRow } from '../../components/ui/States';
import { useLiveDoc } from '../../data/hooks';
import { specs } from '../../data/queries';
import { formatNumber, formatTime } from '../../lib/format';
import { ControlButton } from '../controls/ControlButton';

function isPaused(c: QueueControlsDoc | null, p: Priority): boolean {
  return !!c && (c.paused || c.pausedPriorities.includes(p));
}

/** Pause/resume of the whole queue and of single priorities, with queue depth per priority. */
export function QueueControls() {
  const controls = useLiveDoc(specs.controls());
  const stats = useLiveDoc(specs.queueStats());
  const depth = stats.data?.ok ? stats.data.data.queuedByPriority : null;
  return (
    <Card title="Queue controls" testId="queue-controls">
      <LiveView result={controls} what="queue controls">
        {(row) => {
          if (row && !row.ok) return <InvalidRow id={row.id} error={row.error} />;
          const c = row?.data ?? null;
          const whole = c?.paused ?? false;
          return (
            <div className="space-y-3">
              <div className="flex flex-wrap items-center gap-3">
                <span data-testid="queue-state" data-paused={whole}>
                  {whole ? <Badge tone="warn">Queue paused</Badge> : <Badge tone="good">Queue running</Badge>}
                </span>
                {c && (
                  <span className="text-xs text-slate-500">
                    last change {formatTime(c.updatedAt)} by {c.updatedBy}
                    {c.reason ? ` — ${c.reason}` : ''}
                  </span>
                )}
                {whole ? (
                  <ControlButton
                    label="Resume queue"
                    variant="primary"
                    testId="resume-queue"
                    title="Resume the whole queue?"
                    command={{ type: 'queue.resume' }}
                    description={<p>Workers start claiming queued jobs of every priority again. Per-priority pauses are cleared too.</p>}
                  />
                ) : (
                  <ControlButton
                    label="Pause queue"
                    variant="danger"
                    testId="pause-queue"
                    title="Pause the whole queue?"
                    command={{ type: 'queue.pause' }}
                    description={
                      <p>
                        Workers stop claiming new jobs of every priority. Running jobs finish; new submissions are still admitted and
                        wait in the queue until you resume.
                      </p>
                    }
                  />
                )}
              </div>
              <ul className="grid gap-2 sm:grid-cols-2 lg:grid-cols-4">
                {PRIORITIES.map((p) => {
                  const paused = isPaused(c, p);
                  return (
                    <li key={p} className="rounded-md border border-slate-200 p-2 dark:border-slate-700" data-testid={`priority-${p}`}>
                      <div className="flex items-center justify-between">
                        <span className="font-medium capitalize">{p}</span>
                        {paused ? <Badge tone="warn">paused</Badge> : <Badge tone="good">running</Badge>}
                      </div>
                      <p className="text-xs text-slate-500">{depth ? `${formatNumber(depth[p])} queued` : '—'}</p>
                      <div className="mt-1">
                        {paused ? (
                          <ControlButton
                            label={`Resume ${p}`}
                            testId={`resume-${p}`}
                            title={`Resume ${p} priority?`}
                            command={{ type: 'queue.resume', priorities: [p] }}
                            description={
                              <p>
                                Workers claim <strong>{p}</strong> jobs again.
                                {whole ? ' The queue is fully paused: the other priorities stay paused.' : ''}
                              </p>
                            }
                          />
                        ) : (
                          <ControlButton
                            label={`Pause ${p}`}
                            testId={`pause-${p}`}
                            title={`Pause ${p} priority?`}
                            command={{ type: 'queue.pause', priorities: [p] }}
                            description={<p>Workers stop claiming <strong>{p}</strong> jobs; other priorities continue.</p>}
                          />
                        )}
                      </div>
                    </li>
                  );
                })}
              </ul>
            </div>
          );
        }}
      </LiveView>
    </Card>
  );
}
