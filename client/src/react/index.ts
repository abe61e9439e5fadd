/**
 * @fq/client/react: the hook and a status component over the framework-free client, and the
 * admin monitor (whole, or its parts for a page of your own).
 *
 *   <TranscriptionQueueProvider client={client}>
 *     <Page />   // useTranscriptionQueue(), <TranscriptionQueueStatus requestId={id} />
 *   </TranscriptionQueueProvider>
 */
export { TranscriptionQueueProvider, useQueueClient } from './context.js';
export { useTranscriptionQueue, type TranscriptionQueue, type UseTranscriptionQueueOptions } from './useTranscriptionQueue.js';
export { useQueueRequest } from './useQueueRequest.js';
export { TranscriptionQueueStatus, type TranscriptionQueueStatusProps } from './TranscriptionQueueStatus.js';
export {
  useEnterpriseTranscriptionQueue,
  TranscriptionRequestError,
  EnterpriseHookUserError,
  type EnterpriseTranscriptionResult,
  type EnterpriseQueueStatsView,
  type EnterpriseTranscriptionQueueHook,
  type EnterpriseAudioInput,
  type UseEnterpriseTranscriptionQueueOptions,
} from './useEnterpriseTranscriptionQueue.js';
export {
  EnterpriseQueueMonitor,
  MonitorSourceError,
  useQueueMonitor,
  type EnterpriseQueueMonitorProps,
  type QueueMonitorSourceProps,
} from './monitor.js';
export {
  MonitorBreakers,
  MonitorDeadLetters,
  MonitorPerformance,
  MonitorPriorities,
  MonitorQueue,
  MonitorRateLimits,
  MonitorServerList,
  MonitorServers,
  MonitorStatuses,
  type MonitorClassNames,
  type MonitorFiguresProps,
  type MonitorFormat,
  type MonitorLink,
  type MonitorLinkTarget,
  type MonitorPartOptions,
  type MonitorPartProps,
} from './monitorParts.js';
