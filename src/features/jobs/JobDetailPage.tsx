import { CANCELLABLE_STATUSES, REDRIVABLE_STATUSES, RETRYABLE_STATUSES } from '@fq/worker/core';
import type { Job, JobDoc } from '@fq/worker/schema';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { Card } from '../../components/ui/Card';
import { LiveView } from '../../components/ui/LiveView';
import { Empty, InvalidRow } from '../../components/ui/States';
import { Table, Td } from '../../components/ui/Table';
import { useLiveDoc, useServerNow } from '../../data/hooks';
import { specs } from '../../data/queries';
import { useNow } from '../../lib/clock';
import { formatBytes, formatDuration, formatPercent, formatTime } from '../../lib/format';
import { ControlButton } from '../controls/ControlButton';
import { audioGoneNote } from './audioNote';
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

function Summary({ job, now }: { job: JobDoc; now: number }) {
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
      <Field label="Status">
        <JobStatusBadge status={job.status} />
      </Field>
      <Field label="Priority">{job.priority}</Field>
      <Field label="User">
        <span className="font-mono">{job.userId}</span>
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
          {formatTime(job.cancelRequest.at, now)} by {job.cancelRequest.by}
          {job.cancelRequest.reason ? ` — ${job.cancelRequest.reason}` : ''}
        </Field>
      )}
    </dl>
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
          const j: Job = { ...row.data, id: row.id };
          return (
            <>
              <Card title="Summary" actions={<Actions job={j} />}>
                <Summary job={j} now={now} />
              </Card>
              {j.result && (
                <Card title="Transcript">
                  <p className="whitespace-pre-wrap text-sm" data-testid="job-transcript">
                    {j.result.transcript}
                  </p>
                  <p className="mt-2 text-xs text-slate-500">
                    {j.result.model} · total {formatDuration(j.result.latencyMs)} · upstream {formatDuration(j.result.upstreamMs)}
                    {j.result.tokens !== null ? ` · ${j.result.tokens} tokens` : ''}
                  </p>
                </Card>
              )}
              {j.rejection && (
                <Card title="Rejected">
                  <p className="text-sm">
                    <strong>{j.rejection.code}</strong>: {j.rejection.message}
                  </p>
                </Card>
              )}
              <Card title={`Attempts and errors (${j.errors.length})`}>
                {j.errors.length === 0 ? (
                  <Empty>No errors recorded.</Empty>
                ) : (
                  <Table caption="Error history" head={['Attempt', 'At', 'Class', 'Code', 'Message', 'Retry after', 'Server', 'Model']} testId="job-errors">
                    {j.errors.map((e, i) => (
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
            </>
          );
        }}
      </LiveView>
    </div>
  );
}
