import { PRIORITIES, type Priority } from '@fq/worker/schema';
import { Badge, Card } from '../../components/ui/Card';
import { LiveView } from '../../components/ui/LiveView';
import { Empty } from '../../components/ui/States';
import { fleetOf } from '../../data/fleet';
import { useLiveDoc, useLiveQuery } from '../../data/hooks';
import { specs } from '../../data/queries';
import { okRows } from '../../data/rows';
import { fleetRoutes, listPriorities, type FleetRoute } from './route';

const STATE_TONE = { primary: 'good', fallback: 'warn', held: 'bad' } as const;
const STATE_LABEL = { primary: 'primary', fallback: 'on fallback', held: 'held' } as const;

function summary({ routing, plan }: FleetRoute): string {
  const { model, fallbackModel, fallbackPriorities } = routing;
  const fallbackUsable = fallbackModel !== null && fallbackModel !== model && fallbackPriorities.length > 0;
  const rest = PRIORITIES.filter((p) => !fallbackPriorities.includes(p));
  const probe =
    plan.probe === null
      ? ''
      : plan.probe === model
        ? ` A half-open probe of ${model} is due: the next job claimed, whatever its priority, tests it.`
        : ` The fallback's own breaker is open: one job at a time tests ${plan.probe}.`;
  if (plan.state === 'primary') {
    return fallbackUsable
      ? `Every priority goes to ${model}. While its breaker is open, ${listPriorities(fallbackPriorities)} go to ${fallbackModel} and ${listPriorities(rest)} wait.`
      : `Every priority goes to ${model}. It has no fallback model: while its breaker is open, every job waits.`;
  }
  if (plan.state === 'fallback') {
    return `The ${model} breaker is open: ${listPriorities(fallbackPriorities)} go to the fallback ${fallbackModel}; ${listPriorities(rest)} wait for ${model}.${probe}`;
  }
  const why = fallbackUsable ? `and the fallback ${fallbackModel} is not taking calls either` : 'and there is no fallback model';
  return `Nothing is sent: the ${model} breaker is open ${why}. Every job waits.${probe}`;
}

function PriorityRoute({ priority, to, fallbackModel }: { priority: Priority; to: string | null; fallbackModel: string | null }) {
  return (
    <li data-testid={`route-priority-${priority}`} data-model={to ?? ''} className="flex items-center gap-2">
      <span className="w-14 font-medium">{priority}</span>
      {to === null ? (
        <span className="text-slate-500">waits in the queue</span>
      ) : (
        <>
          <span aria-hidden="true">→</span>
          <span className="font-mono">{to}</span>
          {to === fallbackModel && <Badge tone="warn">fallback</Badge>}
        </>
      )}
    </li>
  );
}

/**
 * Which priorities go to which model right now: the live servers' routing configuration (from
 * the leader's fleet summary in the stats document, so heartbeats cost this page nothing)
 * judged against the breaker documents, the way every worker judges it before a claim.
 */
export function ActiveRoute({ now }: { now: number }) {
  const stats = useLiveDoc(specs.queueStats());
  const breakers = useLiveQuery(specs.breakers());
  return (
    <Card title="Active route" testId="active-route">
      <LiveView result={stats} what="the fleet summary">
        {(row) => {
          const { routes, unreported } = fleetRoutes(
            fleetOf(row?.ok ? row.data : null) ?? [],
            okRows(breakers.data ?? []).map((r) => r.data),
            now,
          );
          return (
            <div className="space-y-4 text-sm">
              {routes.length === 0 && <Empty>No live server reports its route yet.</Empty>}
              {routes.map((route) => (
                <div key={`${route.routing.model}-${route.servers.join()}`} data-testid={`route-model-${route.routing.model}`} data-route={route.plan.state} className="space-y-2">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-mono font-medium">{route.routing.model}</span>
                    <Badge tone={STATE_TONE[route.plan.state]} testId="route-state">
                      {STATE_LABEL[route.plan.state]}
                    </Badge>
                    <span className="text-xs text-slate-500">
                      {route.servers.length} live server{route.servers.length === 1 ? '' : 's'}: {route.servers.join(', ')}
                    </span>
                  </div>
                  <p data-testid="route-summary">{summary(route)}</p>
                  <ul className="space-y-1" aria-label={`Where each priority goes (${route.routing.model})`}>
                    {PRIORITIES.map((p) => (
                      <PriorityRoute key={p} priority={p} to={route.plan.to[p]} fallbackModel={route.routing.fallbackModel} />
                    ))}
                  </ul>
                </div>
              ))}
              {unreported.length > 0 && (
                <p className="text-xs text-slate-500" data-testid="route-unreported">
                  Not counted: {unreported.join(', ')} (workers too old to report their route).
                </p>
              )}
            </div>
          );
        }}
      </LiveView>
    </Card>
  );
}
