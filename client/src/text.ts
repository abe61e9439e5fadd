import type { RequestStatus, TranscriptionRequest } from './requests.js';

/** Plain-English words for a request, for apps that render their own markup (and the status component). */
export interface RequestText {
  /** "Queued", "Transcribing", "Done"... */
  label: string;
  /** "3 ahead", "next in line"; null when not waiting in the queue or not known yet. */
  position: string | null;
  /**
   * "starts in about 9 s" (queued), "retry in about 2 s" (waiting), "starts in about 40 s
   * (rate limit)" (scheduled); null when unknown.
   */
  eta: string | null;
}

const LABELS: Record<RequestStatus, string> = {
  uploading: 'Uploading',
  upload_failed: 'Upload failed',
  submitted: 'Checking',
  queued: 'Queued',
  waiting: 'Retrying soon',
  scheduled: 'Scheduled',
  running: 'Transcribing',
  succeeded: 'Done',
  failed: 'Failed',
  dead_lettered: 'Failed',
  cancelled: 'Cancelled',
  rejected: 'Rejected',
};

/** "about 9 s", "about 4 min", "about 1 h 5 min"; under a second: "a moment". */
export function formatWait(ms: number): string {
  if (ms < 1_000) return 'a moment';
  const s = Math.round(ms / 1_000);
  if (s < 60) return `about ${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `about ${min} min`;
  return `about ${Math.floor(min / 60)} h${min % 60 ? ` ${min % 60} min` : ''}`;
}

export function describeRequest(r: TranscriptionRequest): RequestText {
  const label = r.cancelRequested ? 'Cancelling' : LABELS[r.status];
  if (r.status === 'waiting') return { label, position: null, eta: r.etaMs === null ? null : `retry in ${formatWait(r.etaMs)}` };
  // Deferred by the user's rate limit: it starts by itself when the window allows.
  if (r.status === 'scheduled') return { label, position: null, eta: r.etaMs === null ? null : `starts in ${formatWait(r.etaMs)} (rate limit)` };
  if (r.status !== 'queued') return { label, position: null, eta: null };
  return {
    label,
    position: r.position === null ? null : r.position === 0 ? 'next in line' : `${r.position.toLocaleString('en')} ahead`,
    eta: r.etaMs === null ? null : `starts in ${formatWait(r.etaMs)}`,
  };
}
