import { CANCELLABLE_STATUSES, REDRIVABLE_STATUSES, RETRYABLE_STATUSES } from '@fq/worker/core';
import type { Job, JobDoc } from '@fq/worker/schema';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { Card } from '../../components/ui/Card';
import { LiveView } from '../../components/ui/LiveView';
import { Empty, InvalidRow } from '../../components/ui/States';
import { Table, Td } from '../../components/ui/Table';
import { describeError } from '../../data/errors';
import { useLiveDoc, useLiveQuery, useServerNow } from '../../data/hooks';
import { specs } from '../../data/queries';
import { okRows } from '../../data/rows';
import { useNow } from '../../lib/clock';
import { formatBytes, formatDuration, formatPercent, formatTime } from '../../lib/format';
import { ControlButton } from '../controls/ControlButton';
import { audioGoneNote } from './audioNote';
import { AudioPlayback } from './AudioPlayback';
import { JobTimeline } from './JobTimeline';
import { RawDocument } from './RawDocument';
import { jobToJson } from './rawJson';
import { buildJobTimeline, submitterOf, type AuditEntry } from './timeline';
import { JobStatusBadge } from './JobStatusBadge';
import { describeDurationCheck } from './durationCheck';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="text-sm">{children}</dd>
    </div>
  );
}

/**
 * The actions the job's state machine accepts in its status (`core/jobs/transitions`); the
 * planner stays the authority and explains any refusal (a cancel already requested).
 */
function Actions({ job }: { job: Job }) {
  const gone = job.payloadDeletedAt !== null;
  const note = audioGoneNote(job);
  return (
    <div className="flex flex-wrap gap-2" data-testid="job-actions">
      {CANCELLABLE_STATUSES.includes(job.status) && (
        <ControlButton
          label="Cancel job"
          variant="danger"
          testId="cancel-job"
          title={`Cancel job ${job.id}?`}
          command={{ type: 'job.cancel', jobIds: [job.id] }}
          description={
            job.status === 'running' ? (
              <p>The job is running: its worker gets a cancel request, aborts the upstream call and marks the job cancelled.</p>
            ) : (
              <p>The job is {job.status}: it is cancelled now and its audio deleted. It will not run.</p>
            )
          }
        />
      )}
      {RETRYABLE_STATUSES.includes(job.status) && (
        <ControlButton
          label="Retry job"
          testId="retry-job"
          disabled={gone}
          title={`Retry job ${job.id}?`}
          command={{ type: 'job.retry', jobIds: [job.id] }}
          description={
            <p>
              {job.status === 'waiting'
                ? 'The job skips the rest of its backoff and goes back to the queue now.'
                : 'The failed job goes back to the queue with a fresh attempt budget.'}
            </p>
          }
        />
      )}
      {REDRIVABLE_STATUSES.includes(job.status) && (
        <ControlButton
          label="Redrive job"
          testId="redrive-job"
          disabled={gone}
          title={`Redrive job ${job.id}?`}
          command={{ type: 'job.redrive', jobIds: [job.id] }}
          description={<p>The job leaves the dead letters and is queued again with a fresh attempt budget (redrive count {job.redriveCount + 1}).</p>}
        />
      )}
      {note && (
        <p className="text-xs text-slate-500" data-testid="audio-gone-note">
          {note}
        </p>
      )}
    </div>
  );
}

/** Where the audio is kept: inline in the job (small server submissions) or in chunk documents. */
function describeAudioStorage(chunkCount: number): string {
  return chunkCount === 0 ? 'inline in the job' : `${chunkCount} chunk${chunkCount === 1 ? '' : 's'}`;
}

/**
 * `cancelledBy`: the e-mail of whoever asked for the cancel (a request records a uid; the
 * audit entry or the job's own e-mail names the person).
 */
function Summary({ job, now, cancelledBy }: { job: JobDoc; now: number; cancelledBy: string | null }) {
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
      <Field label="Status">
        <JobStatusBadge status={job.status} />
      </Field>
      <Field label="Priority">{job.priority}</Field>
      <Field label="User">
        <span data-testid="job-user">{submitterOf(job)}</span>
        {submitterOf(job) !== job.userId && <span className="block font-mono text-xs text-slate-500">{job.userId}</span>}
      </Field>
      <Field label="Tier">{job.tier}</Field>
      <Field label="Created">{formatTime(job.createdAt, now)}</Field>
      <Field label="Admitted">{formatTime(job.admittedAt, now)}</Field>
      <Field label="Last started">{formatTime(job.lastStartedAt, now)}</Field>
      <Field label="Completed">{formatTime(job.completedAt, now)}</Field>
      <Field label="Attempts">
        {job.attempts} / {job.maxAttempts}
      </Field>
      <Field label="Redrives">{job.redriveCount}</Field>
      <Field label="Jobs ahead">
        {job.position ?? '—'}
        {job.positionAt !== null ? ` (as of ${formatTime(job.positionAt)})` : ''}
      </Field>
      <Field label="Estimated wait">{formatDuration(job.estimatedWaitMs)}</Field>
      <Field label="Audio">
        {job.audio.mimeType}, {formatBytes(job.audio.bytes)}, {describeAudioStorage(job.audio.chunkCount)}
        {job.audio.durationSec !== null ? `, ${job.audio.durationSec.toFixed(1)} s` : ''}
      </Field>
      <Field label="Duration check">
        <span title={job.durationCheck?.note ?? undefined}>{describeDurationCheck(job.durationCheck)}</span>
      </Field>
      <Field label="Model">{job.servedBy ?? job.model ?? 'default'}</Field>
      <Field label="Progress">{job.progress === null ? '—' : formatPercent(job.progress, 0)}</Field>
      <Field label="Lease">
        {job.lease ? (
          <span className="font-mono text-xs">
            {job.lease.owner} #{job.lease.token}, expires in {formatDuration(job.lease.expiresAt - now)}
          </span>
        ) : (
          '—'
        )}
      </Field>
      {job.availableAt !== null && job.status === 'waiting' && (
        <Field label="Retry at">
          {formatTime(job.availableAt, now)} (in {formatDuration(Math.max(0, job.availableAt - now))})
        </Field>
      )}
      {job.cancelRequest && (
        <Field label="Cancel requested">
          {formatTime(job.cancelRequest.at, now)} by {cancelledBy ?? job.cancelRequest.by}
          {job.cancelRequest.reason ? ` — ${job.cancelRequest.reason}` : ''}
        </Field>
      )}
    </dl>
  );
}

/** Reads the person behind a uid from the job and its audit entries (null when unknown). */
function emailOf(uid: string, job: Job, audit: readonly AuditEntry[]): string | null {
  if (uid === job.userId && job.userEmail) return job.userEmail;
  return audit.find((a) => a.actor.id === uid && a.actor.email)?.actor.email ?? null;
}

/** Most audit entries the timeline reads for one job (redrives and retries are few). */
const AUDIT_LIMIT = 50;

function JobView({ job, now }: { job: Job; now: number }) {
  const auditResult = useLiveQuery(specs.auditForJob(job.id, AUDIT_LIMIT));
  const audit: AuditEntry[] = okRows(auditResult.data ?? []).map((r) => ({ ...r.data, id: r.id }));
  const timeline = buildJobTimeline(job.id, job, audit);
  const cancelledBy = job.cancelRequest ? emailOf(job.cancelRequest.by, job, audit) : null;
  return (
    <>
      <Card title="Summary" actions={<Actions job={job} />}>
        <Summary job={job} now={now} cancelledBy={cancelledBy} />
      </Card>
      {job.result && (
        <Card title="Transcript">
          <p className="whitespace-pre-wrap text-sm" data-testid="job-transcript">
            {job.result.transcript}
          </p>
          <p className="mt-2 text-xs text-slate-500">
            {job.result.model} · total {formatDuration(job.result.latencyMs)} · upstream {formatDuration(job.result.upstreamMs)}
            {job.result.tokens !== null ? ` · ${job.result.tokens} tokens` : ''}
          </p>
        </Card>
      )}
      {job.rejection && (
        <Card title="Rejected">
          <p className="text-sm">
            <strong>{job.rejection.code}</strong>: {job.rejection.message}
          </p>
        </Card>
      )}
      <Card title="Audio" testId="job-audio-card">
        <AudioPlayback job={job} now={now} />
      </Card>
      <Card title="Timeline" testId="job-timeline-card">
        {auditResult.error && (
          <p role="alert" className="mb-2 text-sm text-amber-700 dark:text-amber-400">
            Operator actions could not be read: {describeError(auditResult.error)}
          </p>
        )}
        <JobTimeline rows={timeline} now={now} />
      </Card>
      <Card title={`Error history (${job.errors.length})`}>
        {job.errors.length === 0 ? (
          <Empty>No errors recorded.</Empty>
        ) : (
          <Table caption="Error history" head={['Attempt', 'At', 'Class', 'Code', 'Message', 'Retry after', 'Server', 'Model']} testId="job-errors">
            {job.errors.map((e, i) => (
              <tr key={`${e.at}-${i}`}>
                <Td>{e.attempt}</Td>
                <Td>{formatTime(e.at, now)}</Td>
                <Td>{e.errorClass}</Td>
                <Td mono>{e.code ?? '—'}</Td>
                <Td className="max-w-md break-words">{e.message}</Td>
                <Td>{formatDuration(e.retryAfterMs)}</Td>
                <Td mono>{e.serverId ?? '—'}</Td>
                <Td mono>{e.model ?? '—'}</Td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
      <Card title="Document">
        <RawDocument json={jobToJson(job)} label="Raw document (JSON)" />
      </Card>
    </>
  );
}

export function JobDetailPage() {
  const { jobId = '' } = useParams();
  const now = useServerNow(useNow());
  const job = useLiveDoc(jobId ? specs.job(jobId) : null);
  return (
    <div className="space-y-4" data-testid="job-detail-page">
      <p>
        <Link to="/queues" className="text-sm text-indigo-700 underline dark:text-indigo-300">
          ← Jobs
        </Link>
      </p>
      <h2 className="text-lg font-semibold">
        Job <span className="font-mono">{jobId}</span>
      </h2>
      <LiveView result={job} what="the job">
        {(row) => {
          if (!row) return <Empty>No job with this id (it may have expired and been deleted).</Empty>;
          if (!row.ok) return <InvalidRow id={row.id} error={row.error} />;
          return <JobView job={{ ...row.data, id: row.id }} now={now} />;
        }}
      </LiveView>
    </div>
  );
}
