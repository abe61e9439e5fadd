import type { AuditDoc } from '@fq/worker/schema';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '../../components/ui/Button';
import { Card } from '../../components/ui/Card';
import { LiveView } from '../../components/ui/LiveView';
import { Empty, ErrorState, InvalidRow, Loading } from '../../components/ui/States';
import { Table, Td } from '../../components/ui/Table';
import { useData } from '../../data/context';
import { describeError } from '../../data/errors';
import { useLiveQuery } from '../../data/hooks';
import type { PageCursor } from '../../data/port';
import { specs } from '../../data/queries';
import type { Row } from '../../data/rows';
import { queryKeys } from '../../live/keys';
import { formatTime } from '../../lib/format';

const PAGE = 25;
const HEAD = ['When', 'Who', 'Action', 'Target', 'Reason', 'Details'];

function AuditRows({ rows }: { rows: Row<AuditDoc>[] }) {
  return (
    <>
      {rows.map((r) => {
        if (!r.ok) return <InvalidRow key={r.id} id={r.id} error={r.error} colSpan={HEAD.length} />;
        const a = r.data;
        return (
          <tr key={r.id} data-testid="audit-row">
            <Td>{formatTime(a.at)}</Td>
            <Td>
              {a.actor.email ?? a.actor.id} <span className="text-xs text-slate-500">({a.actor.kind})</span>
            </Td>
            <Td mono>{a.action}</Td>
            <Td mono>
              {a.target.kind}:{a.target.id}
              {a.targetIds.length > 1 ? ` (${a.targetIds.length})` : ''}
            </Td>
            <Td>{a.reason ?? '—'}</Td>
            <Td mono>
              {Object.entries(a.details)
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(' ')}
            </Td>
          </tr>
        );
      })}
    </>
  );
}

/** Older pages: fetched on demand below the newest entry the live page shows. */
function OlderPages({ beforeMs, exclude }: { beforeMs: number; exclude: Set<string> }) {
  const { port, prefix } = useData();
  const [cursors, setCursors] = useState<(PageCursor | null)[]>([null]);
  const [index, setIndex] = useState(0);
  const spec = specs.audit(PAGE, beforeMs);
  const cursor = cursors[index] ?? null;
  const page = useQuery({
    queryKey: queryKeys.page(prefix, spec, cursor?.token ?? null),
    queryFn: () => port.getPage(spec, cursor),
  });
  if (page.isPending) return <Loading label="Loading older entries…" />;
  if (page.error) return <ErrorState what="older audit entries" error={describeError(page.error)} onRetry={() => void page.refetch()} />;
  const rows = page.data.rows.filter((r) => !exclude.has(r.id));
  const next = page.data.next;
  return (
    <div className="space-y-2">
      {rows.length === 0 ? <Empty>No older entries.</Empty> : <Table caption="Older audit entries" head={HEAD}><AuditRows rows={rows} /></Table>}
      <nav aria-label="Older audit pages" className="flex items-center gap-2">
        <Button size="sm" disabled={index === 0} onClick={() => setIndex(index - 1)}>
          Newer page
        </Button>
        <span className="text-xs text-slate-500">Older page {index + 1}</span>
        <Button
          size="sm"
          disabled={!next}
          onClick={() => {
            setCursors([...cursors.slice(0, index + 1), next]);
            setIndex(index + 1);
          }}
        >
          Older page
        </Button>
      </nav>
    </div>
  );
}

/**
 * Newest entries live (audit entries are written only by controls, so the listener is
 * cheap); older ones are paged with cursors.
 */
export function AuditPage() {
  const latest = useLiveQuery(specs.audit(PAGE));
  const [showOlder, setShowOlder] = useState(false);
  return (
    <div className="space-y-4" data-testid="audit-page">
      <h2 className="text-lg font-semibold">Audit log</h2>
      <Card title="Latest control actions">
        <LiveView result={latest} what="the audit log">
          {(rows) => {
            if (rows.length === 0) return <Empty>No control action has been taken yet.</Empty>;
            const oldest = rows.filter((r) => r.ok).at(-1);
            return (
              <div className="space-y-3">
                <Table caption="Audit log" head={HEAD} testId="audit-table">
                  <AuditRows rows={rows} />
                </Table>
                {rows.length === PAGE && oldest?.ok && (
                  showOlder ? (
                    <OlderPages beforeMs={oldest.data.at} exclude={new Set(rows.map((r) => r.id))} />
                  ) : (
                    <Button size="sm" onClick={() => setShowOlder(true)}>
                      Show older entries
                    </Button>
                  )
                )}
              </div>
            );
          }}
        </LiveView>
      </Card>
    </div>
  );
}
