import { describe, expect, it } from 'vitest';
import { embeddedTranscript } from '@fq/fake-gemini';
import { jobIdFromMarker, makeJobSet, transcriptMarker } from './job-set.js';

describe('job set', () => {
  it('is the same for the same seed and names each job inside its audio', () => {
    const a = makeJobSet({ count: 5, seed: 3, tag: 'ov', durations: [1, 2] });
    const b = makeJobSet({ count: 5, seed: 3, tag: 'ov', durations: [1, 2] });
    expect(a.map((j) => [j.id, j.userId, j.priority, j.durationSec])).toEqual(b.map((j) => [j.id, j.userId, j.priority, j.durationSec]));
    for (const job of a) expect(jobIdFromMarker(embeddedTranscript(job.audio))).toBe(job.id);
  });

  it('reads back only well-formed markers', () => {
    expect(jobIdFromMarker(transcriptMarker('abc-1'))).toBe('abc-1');
    expect(jobIdFromMarker('job:../x')).toBeNull();
    expect(jobIdFromMarker(null)).toBeNull();
  });
});
