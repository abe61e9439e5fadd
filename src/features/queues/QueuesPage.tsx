import { JobTable } from '../jobs/JobTable';
import { QueueControls } from './QueueControls';

export function QueuesPage() {
  return (
    <div className="space-y-4" data-testid="queues-page">
      <h2 className="text-lg font-semibold">Queues and jobs</h2>
      <QueueControls />
      <JobTable />
    </div>
  );
}
