import type { BreakerDoc } from '@fq/worker/schema';
import { useId, useState } from 'react';
import { focusRing } from '../../components/ui/Button';
import { Card } from '../../components/ui/Card';
import { LiveView } from '../../components/ui/LiveView';
import { Empty, InvalidRow } from '../../components/ui/States';
import { useLiveQuery, useServerNow } from '../../data/hooks';
import { specs } from '../../data/queries';
import { useNow } from '../../lib/clock';
import { formatDuration, formatNumber, formatRelative, formatTime, formatZonedTime } from '../../lib/format';
import { ControlButton } from '../controls/ControlButton';
import { ActiveRoute } from './ActiveRoute';
import { BreakerBadge } from './BreakerBadge';
import { failureFigures, TRIP_RULE_LABEL } from './figures';
import { breakerTimeline, drawTimeline, incidentSummary } from './timeline';

const SEGMENT_COLOUR = { closed: 'bg-emerald-500', half_open: 'bg-amber-400', open: 'bg-red-500' } as const;
const TIMELINE_MS = 60 * 60_000;

function Timeline({ breaker, now }: { breaker: BreakerDoc; now: number }) {
  const segments = breakerTimeline(breaker, now, TIMELINE_MS);
  // Incidents are drawn at least a few pixels wide (see drawTimeline); the tooltips keep real times.
  const drawn = drawTimeline(segments);
  const summary = incidentSummary(segments);
  return (
    <div>
      <div
        className="flex h-3 w-full overflow-hidden rounded"
        role="img"
        data-testid="breaker-timeline"
        aria-label={`State over the last hour: ${segments.map((s) => s.state).join(', ')}`}
      >
        {drawn.map((s) => (
          <div
            key={`${s.start}-${s.state}`}
            data-testid="timeline-segment"
            data-state={s.state}
            className={`shrink-0 ${SEGMENT_COLOUR[s.state]}`}
            style={{ width: `${(s.drawn * 100).toFixed(2)}%` }}
            title={`${s.state} ${formatTime(s.start, now)}–${formatTime(s.end, now)} (${formatDuration(s.end - s.start)})`}
          />
        ))}
      </div>
      <div className="mt-0.5 flex justify-between gap-2 text-[10px] text-slate-500">
        <span>1 h ago</span>
        <span data-testid="timeline-summary">
          {summary.openings === 0
            ? 'no opening in the last hour'
            : `opened ${summary.openings} time${summary.openings === 1 ? '' : 's'} in the last hour, ${formatDuration(summary.notClosedMs)} not closed`}
        </span>
        <span>now</span>
      </div>
    </div>
  );
}

/** The failures behind the figure: the trip that opened it, or the current window. */
function Failures({ breaker }: { breaker: BreakerDoc }) {
  const figures = failureFigures(breaker);
  if (!figures) return <>—</>;
  return (
    <>
      {formatNumber(figures.failures)} / {formatNumber(figures.calls)} calls
      {figures.kind === 'trip' && <span className="block text-xs text-slate-500">opened it ({TRIP_RULE_LABEL[figures.trip.rule]})</span>}
    </>
  );
}

/** The last automatic opening, with what tripped it, while the document remembers one. */
function LastTrip({ breaker, now }: { breaker: BreakerDoc; now: number }) {
  const trip = breaker.trip;
  if (!trip) return null;
  return (
    <p className="text-xs text-slate-600 dark:text-slate-400" data-testid="breaker-last-trip">
      Last opened automatically {formatZonedTime(trip.at, now)} ({formatRelative(trip.at, now)}) by {trip.by}: {trip.reason}
    </p>
  );
}

function ByClass({ breaker }: { breaker: BreakerDoc }) {
  const figures = failureFigures(breaker);
  if (!figures || Object.keys(figures.failuresByClass).length === 0) return null;
  return (
    <p className="text-xs text-slate-600 dark:text-slate-400" data-testid="failures-by-class">
      By class:{' '}
      {Object.entries(figures.failuresByClass)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}
    </p>
  );
}

function BreakerCard({ breaker, now }: { breaker: BreakerDoc; now: number }) {
  const m = breaker.model;
  const probeIn = breaker.nextProbeAt === null ? null : breaker.nextProbeAt - now;
  return (
    <Card title={m} testId={`breaker-${m}`}>
      <div className="space-y-3 text-sm">
        <div className="flex flex-wrap items-center gap-3">
          <BreakerBadge breaker={breaker} testId="breaker-state" />
          <span className="text-slate-500">
            since {formatZonedTime(breaker.since, now)} ({formatRelative(breaker.since, now)}) · generation {breaker.generation}
          </span>
        </div>
        <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4">
          <div>
            <dt className="text-xs text-slate-500">Window failures</dt>
            <dd data-testid="window-failures">
              <Failures breaker={breaker} />
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Consecutive failures</dt>
            <dd>{formatNumber(breaker.consecutiveFailures)}</dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Next probe</dt>
            <dd data-testid="next-probe">
              {breaker.override === 'force_open'
                ? 'none while forced open'
                : probeIn === null
                  ? '—'
                  : probeIn <= 0
                    ? 'due now'
                    : `in ${formatDuration(probeIn)}`}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Probe</dt>
            <dd className="font-mono text-xs">{breaker.probe ? `${breaker.probe.holder} #${breaker.probe.token}` : '—'}</dd>
          </div>
        </dl>
        <ByClass breaker={breaker} />
        <LastTrip breaker={breaker} now={now} />
        <Timeline breaker={breaker} now={now} />
        <div className="flex flex-wrap gap-2">
          <ControlButton
            label="Force open"
            variant="danger"
            testId="force-open"
            title={`Force the ${m} breaker open?`}
            command={{ type: 'breaker.force_open', model: m }}
            description={
              <p>
                Every server stops calling <strong>{m}</strong> at once and no half-open probe runs until you reset the breaker or clear
                the override. Queued jobs wait (priorities with a fallback route use the fallback model). An audit entry records this.
              </p>
            }
          />
          <ControlButton
            label="Force close"
            testId="force-close"
            title={`Force the ${m} breaker closed?`}
            command={{ type: 'breaker.force_close', model: m }}
            description={
              <p>
                Servers call <strong>{m}</strong> again and the breaker will NOT open on failures while the override is set, even if
                the model keeps failing. Use it when the breaker tripped on a false alarm. An audit entry records this.
              </p>
            }
          />
          <ControlButton
            label="Reset"
            testId="reset"
            title={`Reset the ${m} breaker?`}
            command={{ type: 'breaker.reset', model: m }}
            description={
              <p>
                Clears the failure window, the consecutive-failure count, any probe and any override, and closes the breaker.
                Automatic opening on failures resumes. An audit entry records this.
              </p>
            }
          />
          {breaker.override && (
            <ControlButton
              label="Clear override"
              testId="clear-override"
              title={`Clear the override on ${m}?`}
              command={{ type: 'breaker.clear_override', model: m }}
              description={
                <p>
                  Removes the manual “{breaker.override === 'force_open' ? 'forced open' : 'forced closed'}” pin. The breaker stays{' '}
                  {breaker.state.replace('_', '-')} and automatic transitions resume from there.
                </p>
              }
            />
          )}
        </div>
        <details>
          <summary className="cursor-pointer text-xs text-slate-600 dark:text-slate-400">History ({breaker.history.length})</summary>
          <ol className="mt-2 space-y-1 text-xs" data-testid="breaker-history">
            {[...breaker.history].reverse().map((t) => (
              <li key={`${t.at}-${t.to}`}>
                {formatTime(t.at, now)}: {t.from} → {t.to} — {t.reason}
                {t.by ? ` (by ${t.by})` : ''}
              </li>
            ))}
          </ol>
        </details>
      </div>
    </Card>
  );
}

/**
 * Breaker documents appear only once the fleet changes a breaker, so a healthy model may have
 * none yet; an operator must still be able to stop calls to it.
 */
function OtherModel() {
  const [model, setModel] = useState('');
  const id = useId();
  const name = model.trim();
  return (
    <Card title="Another model" testId="breaker-other-model">
      <div className="flex flex-wrap items-end gap-2 text-sm">
        <div className="flex flex-col">
          <label htmlFor={id} className="text-xs text-slate-500">
            Model
          </label>
          <input
            id={id}
            value={model}
            onChange={(e) => setModel(e.target.value)}
            placeholder="gemini-2.5-flash"
            className={`w-64 rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-800 ${focusRing}`}
          />
        </div>
        <ControlButton
          label="Force open model"
          variant="danger"
          disabled={name === ''}
          testId="force-open-model"
          title={`Force the ${name} breaker open?`}
          command={{ type: 'breaker.force_open', model: name }}
          onDone={() => setModel('')}
          description={
            <p>
              Creates the breaker for <strong>{name}</strong> if it has none and pins it open: every server stops calling it until
              you reset the breaker or clear the override. An audit entry records this.
            </p>
          }
        />
      </div>
    </Card>
  );
}

export function BreakersPage() {
  const now = useServerNow(useNow());
  const breakers = useLiveQuery(specs.breakers());
  return (
    <div className="space-y-4" data-testid="breakers-page">
      <h2 className="text-lg font-semibold">Circuit breakers</h2>
      <ActiveRoute now={now} />
      <OtherModel />
      <LiveView result={breakers} what="breakers">
        {(rows) =>
          rows.length === 0 ? (
            <Empty>No breaker documents yet: one appears per model when workers first call it.</Empty>
          ) : (
            <div className="grid gap-4 xl:grid-cols-2">
              {rows.map((r) => (r.ok ? <BreakerCard key={r.id} breaker={r.data} now={now} /> : <InvalidRow key={r.id} id={r.id} error={r.error} />))}
            </div>
          )
        }
      </LiveView>
    </div>
  );
}
