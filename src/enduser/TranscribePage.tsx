import type { TranscriptionRequest } from '@fq/client';
import { useTranscriptionQueue } from '@fq/client/react';
import { PRIORITIES, PAYLOAD_LIMITS, type Priority } from '@fq/worker/schema';
import { useId, useState } from 'react';
import { useUser } from '../auth/session';
import { Button, focusRing } from '../components/ui/Button';
import { Badge, Card, Stat, type Tone } from '../components/ui/Card';
import { Empty, ErrorState, Loading } from '../components/ui/States';
import { formatBytes, formatDuration, formatNumber, formatTime } from '../lib/format';
import { useRecorder, type RecorderEnv } from './useRecorder';

const TONE: Record<TranscriptionRequest['status'], Tone> = {
  uploading: 'neutral',
  upload_failed: 'bad',
  submitted: 'neutral',
  queued: 'info',
  waiting: 'warn',
  scheduled: 'info',
  running: 'info',
  succeeded: 'good',
  failed: 'bad',
  dead_lettered: 'bad',
  cancelled: 'neutral',
  rejected: 'bad',
};

/** Statuses of a job that has not started yet (a pause holds them). */
const WAITING: readonly TranscriptionRequest['status'][] = ['submitted', 'queued', 'waiting', 'scheduled'];

const LABEL: Partial<Record<TranscriptionRequest['status'], string>> = {
  uploading: 'uploading',
  upload_failed: 'upload failed',
  submitted: 'checking',
  waiting: 'retrying soon',
  scheduled: 'scheduled',
  running: 'transcribing',
  dead_lettered: 'failed',
};

/** "3 ahead · starts in about 9.0 s", "next in line", "retry in about 2.0 s", "Scheduled for 14:03:07 (rate limit)". */
function queueLine(r: TranscriptionRequest): string {
  // Over the user's rate limit: the queue booked the job for when the window allows.
  if (r.status === 'scheduled' && r.scheduledFor !== null) return `Scheduled for ${formatTime(r.scheduledFor, r.scheduledFor)} (rate limit)`;
  if (r.status === 'waiting') return r.etaMs !== null ? `retry in about ${formatDuration(r.etaMs)}` : 'retrying soon';
  const place = r.position === null ? 'position pending' : r.position === 0 ? 'next in line' : `${formatNumber(r.position)} ahead`;
  return r.etaMs !== null ? `${place} · starts in about ${formatDuration(r.etaMs)}` : place;
}

function RequestItem({ r, held, onCancel }: { r: TranscriptionRequest; held: boolean; onCancel: (id: string) => Promise<void> }) {
  const [cancelError, setCancelError] = useState<string | null>(null);
  return (
    <li className="space-y-1 rounded-md border border-slate-200 p-3 dark:border-slate-700" data-testid={`request-${r.requestId}`} data-status={r.status}>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <Badge tone={TONE[r.status]}>{LABEL[r.status] ?? r.status}</Badge>
        <span className="font-mono text-xs text-slate-500">{r.requestId}</span>
        <span className="text-xs text-slate-500">{formatTime(r.createdAt)}</span>
        {r.status === 'queued' || r.status === 'submitted' || r.status === 'waiting' || r.status === 'scheduled' ? (
          <span className="text-xs" data-testid="position-eta">
            {queueLine(r)}
          </span>
        ) : null}
        {held && <Badge tone="warn">on hold (paused)</Badge>}
        {r.cancelRequested && <Badge tone="warn">cancelling</Badge>}
        {r.canCancel && (
          <Button
            size="sm"
            onClick={() => {
              setCancelError(null);
              onCancel(r.requestId).catch((e: unknown) => setCancelError(e instanceof Error ? e.message : String(e)));
            }}
          >
            Cancel
          </Button>
        )}
      </div>
      {r.transcript !== null && (
        <p className="whitespace-pre-wrap text-sm" data-testid="transcript">
          {r.transcript}
        </p>
      )}
      {r.error && r.status !== 'cancelled' && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {r.error.message}
        </p>
      )}
      {cancelError && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          Could not cancel: {cancelError}
        </p>
      )}
    </li>
  );
}

export function TranscribePage({ recorderEnv }: { recorderEnv?: RecorderEnv }) {
  const user = useUser();
  const [notice, setNotice] = useState<string | null>(null);
  const offered = user.priorities ?? PRIORITIES;
  // The client (user, allowed priorities) comes from QueueClientGate's provider.
  const queue = useTranscriptionQueue({
    onComplete: (r) => setNotice(`Transcript ready for ${r.requestId}.`),
    onError: (r) => setNotice(`Request ${r.requestId} did not finish: ${r.error?.message ?? r.status}.`),
  });
  const [file, setFile] = useState<File | null>(null);
  const [priority, setPriority] = useState<Priority>('normal');
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const fileId = useId();
  const priorityId = useId();

  const submit = async (audio: Blob, durationSec?: number) => {
    setSubmitting(true);
    setSubmitError(null);
    try {
      await queue.queueTranscription(audio, { priority, ...(durationSec !== undefined ? { durationSec } : {}) });
      setFile(null);
    } catch (error) {
      setSubmitError(error instanceof Error ? error.message : String(error));
    } finally {
      setSubmitting(false);
    }
  };
  const recorder = useRecorder((clip, seconds) => void submit(clip, seconds), recorderEnv);

  return (
    <div className="mx-auto max-w-3xl space-y-4 p-6" data-testid="transcribe-page">
      <Card title="New transcription">
        <div className="space-y-4">
          <div className="flex flex-wrap items-end gap-3">
            <div className="flex flex-col">
              <label htmlFor={priorityId} className="text-xs text-slate-500">
                Priority
              </label>
              <select id={priorityId} value={priority} onChange={(e) => setPriority(e.target.value as Priority)} className={`rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-800 ${focusRing}`}>
                {offered.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </div>
            {recorder.state.status === 'recording' ? (
              <Button variant="danger" onClick={recorder.stop}>
                Stop and transcribe
              </Button>
            ) : (
              <Button variant="primary" onClick={() => void recorder.start()} disabled={recorder.state.status === 'unsupported' || recorder.state.status === 'requesting' || submitting}>
                {recorder.state.status === 'requesting' ? 'Waiting for microphone…' : 'Record'}
              </Button>
            )}
            {recorder.state.status === 'recording' && <Badge tone="bad">● recording</Badge>}
          </div>
          {recorder.state.status === 'unsupported' && <p className="text-xs text-slate-500">Recording is not available in this browser; upload a file instead.</p>}
          {recorder.state.status === 'error' && <p role="alert" className="text-sm text-red-700 dark:text-red-400">{recorder.state.message}</p>}
          <form
            className="flex flex-wrap items-end gap-3"
            onSubmit={(e) => {
              e.preventDefault();
              if (file) void submit(file);
            }}
          >
            <div className="flex flex-col">
              <label htmlFor={fileId} className="text-xs text-slate-500">
                Audio file (up to {formatBytes(PAYLOAD_LIMITS.maxAudioBytes)})
              </label>
              <input id={fileId} type="file" accept="audio/*" onChange={(e) => setFile(e.target.files?.[0] ?? null)} className={`text-sm ${focusRing}`} />
            </div>
            <Button type="submit" variant="primary" disabled={!file || submitting}>
              {submitting ? 'Uploading…' : 'Transcribe'}
            </Button>
          </form>
          {submitError && (
            <p role="alert" className="text-sm text-red-700 dark:text-red-400" data-testid="submit-error">
              {submitError}
            </p>
          )}
        </div>
      </Card>

      <Card title="Queue">
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="enduser-stats">
          <Stat label="Waiting jobs" value={queue.stats ? formatNumber(queue.stats.queued) : '—'} />
          <Stat label="Transcribing now" value={queue.stats ? formatNumber(queue.stats.inFlight) : '—'} />
          <Stat label="Typical job" value={formatDuration(queue.stats?.avgServiceMs ?? null)} />
          <Stat
            label="Submissions left"
            testId="rate-remaining"
            value={queue.rateLimit ? `${queue.rateLimit.remaining} / ${queue.rateLimit.capacity}` : '—'}
            hint={queue.rateLimit && !queue.rateLimit.windowEnded ? `resets in ${formatDuration(queue.rateLimit.resetInMs)}` : undefined}
          />
        </dl>
        {queue.stats?.paused ? (
          <p className="mt-2 text-sm text-amber-700 dark:text-amber-400" data-testid="paused-notice">
            The queue is paused by an operator; your jobs will wait.
          </p>
        ) : queue.stats && queue.stats.pausedPriorities.length > 0 ? (
          <p className="mt-2 text-sm text-amber-700 dark:text-amber-400" data-testid="paused-notice">
            An operator paused {queue.stats.pausedPriorities.join(', ')} priority jobs; those wait until they are resumed.
          </p>
        ) : null}
      </Card>

      {notice && (
        <p role="status" className="text-sm" data-testid="notice">
          {notice}
        </p>
      )}

      <Card title="Your transcriptions">
        {queue.error && <ErrorState what="your jobs" error={queue.error} />}
        {queue.isLoading ? (
          <Loading label="Loading your jobs…" />
        ) : queue.requests.length === 0 ? (
          <Empty>Nothing yet: record or upload audio above.</Empty>
        ) : (
          <ul className="space-y-2">
            {queue.requests.map((r) => (
              <RequestItem
                key={r.requestId}
                r={r}
                held={WAITING.includes(r.status) && !!queue.stats?.pausedPriorities.includes(r.priority)}
                onCancel={(id) => queue.cancel(id)}
              />
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
