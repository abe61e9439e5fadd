import type { JobStatus } from '@fq/worker/schema';
import { Badge, type Tone } from '../../components/ui/Card';

const TONE: Record<JobStatus, Tone> = {
  submitted: 'neutral',
  queued: 'info',
  waiting: 'warn',
  running: 'info',
  succeeded: 'good',
  failed: 'bad',
  dead_lettered: 'bad',
  cancelled: 'neutral',
  rejected: 'bad',
};

export function JobStatusBadge({ status }: { status: JobStatus }) {
  return (
    <span data-testid="job-status" data-status={status}>
      <Badge tone={TONE[status]}>{status.replace('_', ' ')}</Badge>
    </span>
  );
}
