import { describeRequest, type QueueClient, type TranscriptionRequest } from '@fq/client';
import { useQueueRequest } from './useQueueRequest.js';

export interface TranscriptionQueueStatusProps {
  /** The request to show: give either its id (watched here) or the request itself (e.g. from `useTranscriptionQueue`). */
  requestId?: string;
  request?: TranscriptionRequest;
  client?: QueueClient;
  /** Added to the root element's `fq-status` class. */
  className?: string;
  /** Show the transcript when done (default true). */
  showTranscript?: boolean;
}

/**
 * A request's status, position, ETA, transcript or error, as unstyled markup: style it with
 * the `fq-status*` classes or the data attributes (`data-status`, `data-position`,
 * `data-eta-ms`, `data-error-code`); no stylesheet comes with it.
 *
 *   <div class="fq-status" data-status="queued" data-request-id="...">
 *     <span class="fq-status__label">Queued</span>
 *     <span class="fq-status__position" data-position="2">2 ahead</span>
 *     <span class="fq-status__eta" data-eta-ms="9000">starts in about 9 s</span>
 *   </div>
 *
 * A job the user's rate limit deferred (`data-status="scheduled"`) also gets
 * `<time class="fq-status__scheduled" datetime="…" data-scheduled-for="ms">` with its start.
 */
export function TranscriptionQueueStatus(props: TranscriptionQueueStatusProps) {
  if (props.request) return <StatusView request={props.request} className={props.className} showTranscript={props.showTranscript} />;
  return <WatchedStatus {...props} requestId={props.requestId ?? null} />;
}

function WatchedStatus(props: Omit<TranscriptionQueueStatusProps, 'requestId'> & { requestId: string | null }) {
  const { request, isLoading, error } = useQueueRequest(props.requestId, { client: props.client });
  const className = props.className ? `fq-status ${props.className}` : 'fq-status';
  if (request) return <StatusView request={request} className={props.className} showTranscript={props.showTranscript} />;
  if (error) {
    return (
      <div className={className} data-status="unavailable" role="alert">
        <span className="fq-status__error">{error.message}</span>
      </div>
    );
  }
  return (
    <div className={className} data-status={isLoading ? 'loading' : 'unknown'} aria-busy={isLoading}>
      <span className="fq-status__label">{isLoading ? 'Loading…' : 'Unknown request'}</span>
    </div>
  );
}

function StatusView({ request: r, className, showTranscript = true }: { request: TranscriptionRequest; className?: string | undefined; showTranscript?: boolean | undefined }) {
  const text = describeRequest(r);
  return (
    <div
      className={className ? `fq-status ${className}` : 'fq-status'}
      data-status={r.status}
      data-request-id={r.requestId}
      data-cancel-requested={r.cancelRequested || undefined}
      aria-live="polite"
    >
      <span className="fq-status__label">{text.label}</span>
      {text.position !== null && (
        <span className="fq-status__position" data-position={r.position ?? undefined}>
          {text.position}
        </span>
      )}
      {text.eta !== null && (
        <span className="fq-status__eta" data-eta-ms={r.etaMs ?? undefined}>
          {text.eta}
        </span>
      )}
      {r.scheduledFor !== null && (
        // Deferred by the user's rate limit: the moment it starts, for the app to format (`dateTime` is ISO).
        <time className="fq-status__scheduled" dateTime={new Date(r.scheduledFor).toISOString()} data-scheduled-for={r.scheduledFor}>
          {new Date(r.scheduledFor).toLocaleTimeString()}
        </time>
      )}
      {r.status === 'running' && r.progress !== null && (
        <progress className="fq-status__progress" max={1} value={r.progress}>
          {Math.round(r.progress * 100)}%
        </progress>
      )}
      {showTranscript && r.transcript !== null && <p className="fq-status__transcript">{r.transcript}</p>}
      {r.error && r.status !== 'cancelled' && (
        <p className="fq-status__error" role="alert" data-error-code={r.error.code}>
          {r.error.message}
        </p>
      )}
    </div>
  );
}
