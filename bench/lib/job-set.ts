import { PRIORITIES, seededRandom, type Priority } from '@fq/worker';
import { makeTestWav } from '@fq/fake-gemini';

/**
 * The jobs of a run, generated from a seed so the fleet and the naive baseline get exactly
 * the same work. Each audio file carries `job:<id>` as its transcript (a private WAV chunk
 * the fake Gemini answers with): the upstream call log and the stored transcript can then
 * name the job they belong to.
 */
export interface BenchJob {
  id: string;
  userId: string;
  priority: Priority;
  durationSec: number;
  audio: Uint8Array;
}

export interface JobSetOptions {
  count: number;
  seed: number;
  /** Prefix of job ids (letters, digits, `_`, `-`). */
  tag: string;
  users?: number;
  /** Audio lengths to draw from, in seconds. */
  durations?: readonly number[];
  priorities?: readonly Priority[];
}

export function transcriptMarker(jobId: string): string {
  return `job:${jobId}`;
}

/** The job id in a transcript or embedded text written by `transcriptMarker`, else null. */
export function jobIdFromMarker(text: string | null | undefined): string | null {
  const m = /^job:([A-Za-z0-9_-]{1,128})$/.exec(text ?? '');
  return m ? m[1]! : null;
}

export function makeJobSet(options: JobSetOptions): BenchJob[] {
  const random = seededRandom(options.seed);
  const durations = options.durations ?? [1];
  const priorities = options.priorities ?? PRIORITIES;
  const users = options.users ?? 8;
  return Array.from({ length: options.count }, (_, i) => {
    const id = `${options.tag}-${String(i).padStart(6, '0')}`;
    const durationSec = durations[Math.floor(random() * durations.length)]!;
    return {
      id,
      userId: `user-${Math.floor(random() * users)}`,
      priority: priorities[Math.floor(random() * priorities.length)]!,
      durationSec,
      // A different tone per job: no two payloads share bytes (or a hash).
      audio: makeTestWav({ durationSec, text: transcriptMarker(id), toneHz: 200 + (i % 1500) }),
    };
  });
}
