import { Badge, Card } from '../../components/ui/Card';
import { LiveView } from '../../components/ui/LiveView';
import { Empty, InvalidRow } from '../../components/ui/States';
import { Table, Td } from '../../components/ui/Table';
import { useLiveQuery, useServerNow } from '../../data/hooks';
import { specs } from '../../data/queries';
import { useNow } from '../../lib/clock';
import { formatDuration, formatTime } from '../../lib/format';
import { ControlButton } from '../controls/ControlButton';

const HEAD = ['Lock', 'Holder', 'Fencing token', 'Expires', 'Purpose', ''];

export function LocksPage() {
  const now = useServerNow(useNow());
  const locks = useLiveQuery(specs.locks());
  return (
    <div className="space-y-4" data-testid="locks-page">
      <h2 className="text-lg font-semibold">Distributed locks</h2>
      <Card>
        <LiveView result={locks} what="locks">
          {(rows) =>
            rows.length === 0 ? (
              <Empty>No locks have been taken yet.</Empty>
            ) : (
              <Table caption="Locks" head={HEAD} testId="locks-table">
                {rows.map((r) => {
                  if (!r.ok) return <InvalidRow key={r.id} id={r.id} error={r.error} colSpan={HEAD.length} />;
                  const l = r.data;
                  const remaining = l.expiresAt === null ? null : l.expiresAt - now;
                  const held = l.holder !== null;
                  const expired = held && remaining !== null && remaining <= 0;
                  return (
                    <tr key={r.id} data-testid={`lock-row-${l.name}`}>
                      <Td mono>{l.name}</Td>
                      <Td mono>
                        {held ? l.holder : <span className="text-slate-500">free{l.releasedBy ? ` (released by ${l.releasedBy})` : ''}</span>}
                      </Td>
                      <Td mono>{l.token}</Td>
                      <Td>
                        {!held || remaining === null ? (
                          '—'
                        ) : expired ? (
                          <Badge tone="warn">expired {formatDuration(-remaining)} ago</Badge>
                        ) : (
                          <span data-testid="lock-countdown" title={formatTime(l.expiresAt, now)}>
                            in {formatDuration(remaining)}
                          </span>
                        )}
                      </Td>
                      <Td>{l.purpose ?? '—'}</Td>
                      <Td>
                        {held && (
                          <ControlButton
                            label="Force release"
                            variant="danger"
                            testId={`force-release-${l.name}`}
                            title={`Force-release lock ${l.name}?`}
                            command={{ type: 'lock.force_release', name: l.name }}
                            description={
                              <p>
                                Frees <strong>{l.name}</strong>, now held by <strong className="font-mono">{l.holder}</strong> with fencing
                                token {l.token}. The next holder gets token {l.token + 1}, so any write the old holder still attempts with
                                token {l.token} is rejected. Use it only when the holder is stuck or gone. An audit entry records this.
                              </p>
                            }
                          />
                        )}
                      </Td>
                    </tr>
                  );
                })}
              </Table>
            )
          }
        </LiveView>
      </Card>
    </div>
  );
}
