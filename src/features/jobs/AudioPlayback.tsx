import type { Job } from '@fq/worker/schema';
import { useEffect, useRef, useState } from 'react';
import { Button } from '../../components/ui/Button';
import { useData } from '../../data/context';
import { describeError } from '../../data/errors';
import { formatBytes, formatTime } from '../../lib/format';
import { loadJobAudio } from './jobAudio';

type State = { kind: 'idle' } | { kind: 'loading' } | { kind: 'ready'; url: string } | { kind: 'error'; message: string };

/**
 * Plays a job's audio while it is stored. Nothing is read until the operator presses the
 * button (chunks can be megabytes; a job page is opened far more often than it is listened
 * to); then the bytes become a Blob URL for an <audio> element, revoked when the page leaves
 * or the audio is deleted. Once the job released its audio the page says so instead.
 */
export function AudioPlayback({ job, now }: { job: Job; now: number }) {
  const { port } = useData();
  const [state, setState] = useState<State>({ kind: 'idle' });
  const audioRef = useRef<HTMLAudioElement>(null);
  const gone = job.payloadDeletedAt !== null;
  const url = state.kind === 'ready' ? state.url : null;

  useEffect(() => {
    if (!url || gone) return;
    // Pressing the button is the user's gesture: start playing as soon as the bytes are in.
    void audioRef.current?.play?.()?.catch(() => undefined);
    // Revoked when the page leaves, or when the job's audio is deleted (the store let go of it too).
    return () => URL.revokeObjectURL(url);
  }, [url, gone]);

  if (gone) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="audio-gone">
        The audio was deleted {formatTime(job.payloadDeletedAt, now)}, so it can no longer be played.
      </p>
    );
  }

  const load = async () => {
    setState({ kind: 'loading' });
    try {
      const bytes = await loadJobAudio(port, job.id, job.audio);
      setState({ kind: 'ready', url: URL.createObjectURL(new Blob([bytes as BlobPart], { type: job.audio.mimeType })) });
    } catch (error) {
      setState({ kind: 'error', message: describeError(error) });
    }
  };

  const where = job.audio.chunkCount === 0 ? 'one read' : `${job.audio.chunkCount} chunk read${job.audio.chunkCount === 1 ? '' : 's'}`;
  return (
    <div className="space-y-2" data-testid="audio-playback">
      {state.kind !== 'ready' && (
        <div className="flex flex-wrap items-center gap-2">
          <Button size="sm" onClick={() => void load()} disabled={state.kind === 'loading'} aria-busy={state.kind === 'loading'}>
            {state.kind === 'loading' ? 'Loading audio…' : 'Play audio'}
          </Button>
          <span className="text-xs text-slate-500">
            {job.audio.mimeType}, {formatBytes(job.audio.bytes)} ({where})
          </span>
        </div>
      )}
      {state.kind === 'ready' && (
        <audio
          ref={audioRef}
          controls
          src={state.url}
          data-testid="job-audio"
          className="w-full max-w-xl"
          onError={() => setState({ kind: 'error', message: `This browser cannot play ${job.audio.mimeType} audio.` })}
        />
      )}
      {state.kind === 'error' && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {state.message}
        </p>
      )}
    </div>
  );
}
