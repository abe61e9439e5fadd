import type { AlertEventDoc } from '@fq/worker/schema';
import { Badge, Card, type Tone } from '../../components/ui/Card';
import { LiveView } from '../../components/ui/LiveView';
import { Empty, InvalidRow } from '../../components/ui/States';
import { Table, Td } from '../../components/ui/Table';
import { useLiveQuery, useServerNow } from '../../data/hooks';
import { specs } from '../../data/queries';
import type { Row } from '../../data/rows';
import { useNow } from '../../lib/clock';
import { formatDuration, formatTime } from '../../lib/format';
import { firingFromFeed } from './feed';

/** One listener on this many of the newest events: the feed is small and changes rarely. */
export const ALERT_FEED_SIZE = 20;
const HEAD = ['When', 'Status', 'Alert', 'Details', 'Delivery'];

const DELIVERY: Record<AlertEventDoc['delivery']['state'], { tone: Tone; label: string }> = {
  delivered: { tone: 'good', label: 'delivered' },
  partial: { tone: 'warn', label: 'partly delivered' },
  failed: { tone: 'bad', label: 'failed' },
  pending: { tone: 'neutral', label: 'sending…' },
  none: { tone: 'neutral', label: 'no webhook' },
};

function StatusBadge({ event }: { event: AlertEventDoc }) {
  if (event.status === 'resolved') return <Badge tone="good">resolved</Badge>;
  return <Badge tone="bad">{event.reminder ? 'still firing' : 'firing'}</Badge>;
}

function Delivery({ event }: { event: AlertEventDoc }) {
  const d = DELIVERY[event.delivery.state];
  const webhooks = event.delivery.webhooks;
  const detail = webhooks.map((w) => `${w.target}: ${w.ok ? `HTTP ${w.status}` : (w.error ?? 'failed')}${w.attempts > 1 ? ` (${w.attempts} attempts)` : ''}`);
  return (
    <div data-testid="alert-delivery" data-state={event.delivery.state}>
      <Badge tone={d.tone}>{d.label}</Badge>
      {detail.length > 0 && (
        <ul className="mt-1 text-xs text-slate-500 dark:text-slate-400">
          {detail.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function FeedRows({ rows, now }: { rows: Row<AlertEventDoc>[]; now: number }) {
  return (
    <>
      {rows.map((r) => {
        if (!r.ok) return <InvalidRow key={r.id} id={r.id} error={r.error} colSpan={HEAD.length} />;
        const e = r.data;
        return (
          <tr key={r.id} data-testid="alert-row" data-status={e.status} data-key={e.key}>
            <Td>
              {formatTime(e.at, now)}
              <div className="text-xs text-slate-500 dark:text-slate-400">{formatDuration(Math.max(0, now - e.at))} ago</div>
            </Td>
            <Td>
              <StatusBadge event={e} />
            </Td>
            <Td>
              <div className="font-medium">{e.title}</div>
              <div className="text-xs text-slate-500 dark:text-slate-400">
                {e.status === 'resolved' ? `lasted ${formatDuration(e.at - e.firingSince)}, from ${formatTime(e.firingSince, now)}` : `since ${formatTime(e.firingSince, now)}`}
              </div>
            </Td>
            <Td>{e.detail}</Td>
            <Td>
              <Delivery event={e} />
            </Td>
          </tr>
        );
      })}
    </>
  );
}

/**
 * The alerts the leader sent (see the worker README, "Alerts"): what is firing now and the
 * newest messages with their delivery. One live query on the newest events; nothing else.
 */
export function AlertsPage() {
  const now = useServerNow(useNow());
  const feed = useLiveQuery(specs.alerts(ALERT_FEED_SIZE));
  return (
    <div className="space-y-4" data-testid="alerts-page">
      <h2 className="text-lg font-semibold">Alerts</h2>
      <LiveView result={feed} what="the alert feed">
        {(rows) => {
          const firing = firingFromFeed(rows);
          return (
            <>
              <Card title="Firing now" testId="alerts-firing">
                {firing.length === 0 ? (
                  <Empty>Nothing is firing.</Empty>
                ) : (
                  <ul className="space-y-2">
                    {firing.map(({ id, event }) => (
                      <li
                        key={id}
                        data-testid="firing-alert"
                        data-key={event.key}
                        className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm dark:border-red-800 dark:bg-red-950"
                      >
                        <span className="font-medium">{event.title}</span> — firing for {formatDuration(Math.max(0, now - event.firingSince))} (since{' '}
                        {formatTime(event.firingSince, now)})<div className="text-xs">{event.detail}</div>
                      </li>
                    ))}
                  </ul>
                )}
              </Card>
              <Card title="Recent alerts" testId="alerts-recent">
                {rows.length === 0 ? (
                  <Empty>No alert has been sent yet. The leader records one here when a breaker opens, dead letters grow, the queue stalls or the fleet goes down.</Empty>
                ) : (
                  <div className="space-y-2">
                    <Table caption="Alert feed" head={HEAD} testId="alerts-table">
                      <FeedRows rows={rows} now={now} />
                    </Table>
                    <p className="text-xs text-slate-500 dark:text-slate-400">
                      The newest {ALERT_FEED_SIZE} messages; events are kept for the configured retention (30 days by default).
                    </p>
                  </div>
                )}
              </Card>
            </>
          );
        }}
      </LiveView>
    </div>
  );
}
