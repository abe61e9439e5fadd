// The design document's "4. Admin Monitoring Dashboard", as written (plus the export). With no
// props the monitor reads through the surrounding <TranscriptionQueueProvider>'s client; the
// account must be an admin of the queue's tenant (`admin: true` claim) to read the fleet.

// ---- snippet (verbatim) ----
import { EnterpriseQueueMonitor } from '@/components/admin/enterprise-queue-monitor';

function AdminPage() {
  return (
    <div>
      <h1>System Administration</h1>
      <EnterpriseQueueMonitor />
    </div>
  );
}
// ---- end of snippet ----

export { AdminPage };
