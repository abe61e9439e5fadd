import { Badge, type Tone } from '../../components/ui/Card';
import { Empty } from '../../components/ui/States';
import { Table, Td } from '../../components/ui/Table';
import { formatDuration, formatTime } from '../../lib/format';
import type { TimelineAttempt, TimelineRow, TimelineTone } from './timeline';

const TONE: Record<TimelineTone, Tone> = { ok: 'good', error: 'bad', warn: 'warn', info: 'neutral' };

function When({ row, now }: { row: TimelineRow; now: number }) {
  const a = row.attempt;
  if (!a) return <>{formatTime(row.at, now)}</>;
  const start = a.startedAt === null ? 'start not recorded' : formatTime(a.startedAt, now);
  return (
    <>
      {start}
      {a.endedAt !== null && (
        <span className="block text-xs text-slate-500">
          → {formatTime(a.endedAt, now)}
          {a.startedAt !== null ? ` (${formatDuration(a.endedAt - a.startedAt)})` : ''}
        </span>
      )}
    </>
  );
}

function LeaseTimes({ attempt, now }: { attempt: TimelineAttempt; now: number }) {
  const lease = attempt.lease;
  if (!lease) return null;
  const parts: string[] = [];
  if (lease.claimedAt !== null) parts.push(`claimed ${formatTime(lease.claimedAt, now)}`);
  if (lease.renewedAt !== null && lease.claimedAt !== null && lease.renewedAt > lease.claimedAt) parts.push(`last renewed ${formatTime(lease.renewedAt, now)}`);
  if (lease.expiresAt !== null) parts.push(`expires ${formatTime(lease.expiresAt, now)}`);
  return parts.length ? <span className="block text-xs text-slate-500">Lease {parts.join(', ')}</span> : null;
}

/** The job's timeline (see `buildJobTimeline`): one row per event, oldest first. */
export function JobTimeline({ rows, now }: { rows: TimelineRow[]; now: number }) {
  if (rows.length === 0) return <Empty>Nothing recorded yet.</Empty>;
  return (
    <Table caption="Job timeline" head={['When', 'Event', 'Who / server', 'Outcome', 'Details']} testId="job-timeline">
      {rows.map((r) => (
        <tr key={r.key} data-kind={r.kind} data-testid="timeline-row">
          <Td className="whitespace-nowrap">
            <When row={r} now={now} />
          </Td>
          <Td>{r.title}</Td>
          <Td mono>
            {r.who ?? '—'}
            {r.attempt?.model && <span className="block text-slate-500">{r.attempt.model}</span>}
          </Td>
          <Td>{r.outcome ? <Badge tone={TONE[r.tone]}>{r.outcome}</Badge> : '—'}</Td>
          <Td className="max-w-md break-words">
            {r.details.map((d, i) => (
              <span key={i} className="block">
                {d}
              </span>
            ))}
            {r.attempt && <LeaseTimes attempt={r.attempt} now={now} />}
          </Td>
        </tr>
      ))}
    </Table>
  );
}
