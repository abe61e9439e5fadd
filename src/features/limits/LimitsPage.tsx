import { rateLimitUsage } from '@fq/worker/core';
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { focusRing } from '../../components/ui/Button';
import { Badge, Card, Stat } from '../../components/ui/Card';
import { LiveView } from '../../components/ui/LiveView';
import { Empty, ErrorState, InvalidRow, Loading } from '../../components/ui/States';
import { Table, Td } from '../../components/ui/Table';
import { useData } from '../../data/context';
import { describeError } from '../../data/errors';
import { useLiveDoc, useLiveQuery, useServerNow } from '../../data/hooks';
import { specs } from '../../data/queries';
import { queryKeys } from '../../live/keys';
import { useNow } from '../../lib/clock';
import { formatDuration, formatNumber, formatPercent } from '../../lib/format';
import { budgetUse } from './usage';

const TOP_N = 10;
/**
 * Top consumers are POLLED (one limited read every 30 s), not listened to: rate-limit
 * documents change on every admission, so a listener's reads would grow with traffic.
 */
const TOP_POLL_MS = 30_000;

function Meter({ share, label }: { share: number | null; label: string }) {
  const pct = share === null ? 0 : Math.min(100, share * 100);
  const tone = share === null ? 'bg-slate-300' : share > 0.9 ? 'bg-red-500' : share > 0.7 ? 'bg-amber-500' : 'bg-emerald-500';
  return (
    <div>
      <div className="flex justify-between text-xs">
        <span>{label}</span>
        <span>{share === null ? 'unlimited' : formatPercent(share)}</span>
      </div>
      <div className="h-2 w-full rounded bg-slate-200 dark:bg-slate-800" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
        <div className={`h-2 rounded ${tone}`} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

function Budgets() {
  const budgets = useLiveQuery(specs.budgets());
  return (
    <Card title="Global upstream budget" testId="budgets-card">
      <LiveView result={budgets} what="budgets">
        {(rows) =>
          rows.length === 0 ? (
            <Empty>No budget documents: the leader writes one per model when a global budget is configured.</Empty>
          ) : (
            <div className="grid gap-4 md:grid-cols-2">
              {rows.map((r) => {
                if (!r.ok) return <InvalidRow key={r.id} id={r.id} error={r.error} />;
                const use = budgetUse(r.data);
                return (
                  <div key={r.id} className="space-y-2" data-testid={`budget-${r.id}`}>
                    <h3 className="font-mono text-sm">{r.data.model}</h3>
                    <Meter share={use.requestsShare} label={`Requests ${formatNumber(r.data.usedRequests)} / ${formatNumber(r.data.requestsPerMinute)} per min`} />
                    <Meter share={use.tokensShare} label={`Tokens ${formatNumber(r.data.usedTokens)} / ${formatNumber(r.data.tokensPerMinute)} per min`} />
                    <p className="text-xs text-slate-500">
                      Adaptive fleet concurrency {formatNumber(r.data.adaptiveLimit)} · {Object.keys(r.data.slices).length} server slices · term {r.data.term}
                    </p>
                  </div>
                );
              })}
            </div>
          )
        }
      </LiveView>
    </Card>
  );
}

function TopConsumers({ now }: { now: number }) {
  const { port, prefix } = useData();
  const spec = specs.topConsumers(TOP_N);
  const top = useQuery({
    queryKey: queryKeys.page(prefix, spec, null),
    queryFn: () => port.getPage(spec, null),
    refetchInterval: TOP_POLL_MS,
  });
  return (
    <Card title={`Top ${TOP_N} consumers (current window)`} testId="top-consumers">
      {top.isPending ? (
        <Loading />
      ) : top.error ? (
        <ErrorState what="top consumers" error={describeError(top.error)} onRetry={() => void top.refetch()} />
      ) : top.data.rows.length === 0 ? (
        <Empty>No user has submitted a job yet.</Empty>
      ) : (
        <Table caption="Top consumers" head={['User', 'Tier', 'Used', 'Remaining', 'Resets', 'Rejected']}>
          {top.data.rows.map((r) => {
            if (!r.ok) return <InvalidRow key={r.id} id={r.id} error={r.error} colSpan={6} />;
            const u = rateLimitUsage(r.data, now);
            return (
              <tr key={r.id}>
                <Td mono>{r.data.userId}</Td>
                <Td>{r.data.tier}</Td>
                <Td>
                  {u.used} / {u.capacity}
                </Td>
                <Td>{u.remaining}</Td>
                <Td>{u.windowEnded ? <Badge>window ended</Badge> : `in ${formatDuration(u.resetInMs)}`}</Td>
                <Td>{formatNumber(r.data.rejected)}</Td>
              </tr>
            );
          })}
        </Table>
      )}
      <p className="mt-2 text-xs text-slate-500">Refreshed every {TOP_POLL_MS / 1000} s.</p>
    </Card>
  );
}

function UserLookup({ now }: { now: number }) {
  const [input, setInput] = useState('');
  const [userId, setUserId] = useState<string | null>(null);
  const id = useId();
  const doc = useLiveDoc(userId ? specs.rateLimit(userId) : null);
  return (
    <Card title="Per-user usage" testId="user-usage">
      <form
        className="mb-3 flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          setUserId(input.trim() || null);
        }}
      >
        <label htmlFor={id} className="sr-only">
          User id
        </label>
        <input
          id={id}
          value={input}
          onChange={(e) => setInput(e.target.value)}
          placeholder="User id"
          className={`flex-1 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-800 ${focusRing}`}
        />
        <button type="submit" className={`rounded-md border border-slate-300 px-3 py-1 text-sm dark:border-slate-600 ${focusRing}`}>
          Look up
        </button>
      </form>
      {userId && (
        <LiveView result={doc} what={`limits of ${userId}`}>
          {(row) => {
            if (!row) return <Empty>No rate-limit document for {userId}: the user has not submitted anything.</Empty>;
            if (!row.ok) return <InvalidRow id={row.id} error={row.error} />;
            const u = rateLimitUsage(row.data, now);
            return (
              <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="user-usage-stats">
                <Stat label="Used in window" value={`${u.used} / ${u.capacity}`} hint={`${row.data.limit} + ${row.data.burst} burst`} />
                <Stat label="Remaining" value={u.remaining} />
                <Stat label="Resets" value={u.windowEnded ? 'now' : formatDuration(u.resetInMs)} />
                <Stat label="Rejected" value={formatNumber(row.data.rejected)} hint={`tier ${row.data.tier}`} />
              </dl>
            );
          }}
        </LiveView>
      )}
    </Card>
  );
}

export function LimitsPage() {
  const now = useServerNow(useNow());
  return (
    <div className="space-y-4" data-testid="limits-page">
      <h2 className="text-lg font-semibold">Rate limits</h2>
      <Budgets />
      <div className="grid gap-4 xl:grid-cols-2">
        <TopConsumers now={now} />
        <UserLookup now={now} />
      </div>
    </div>
  );
}
