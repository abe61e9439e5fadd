// The design document's `@/components/admin/enterprise-queue-monitor`: the monitor is @fq/client/react's.
export { EnterpriseQueueMonitor } from '@fq/client/react';
