/**
 * Declared versus measured audio duration: the oracle the fuzz holds every admitted job to.
 * The worker must not trust a declared `audio.durationSec`; it measures the bytes at
 * admission, and a declared value that disagrees beyond max(1 s, 5 %) is corrected and the
 * correction recorded in `durationCheck`. The truth here comes from how the case built its
 * audio (a WAV of a known length), not from the worker's parser.
 */
import { DURATION_TOLERANCE } from '../../worker/src/core/audio-duration.js';

const agree = (a: number, truth: number) => Math.abs(a - truth) <= Math.max(DURATION_TOLERANCE.absSec, DURATION_TOLERANCE.rel * truth);

/** Declared durations a submitter might send for audio of `truth` seconds: honest, rounded, or lies both ways. */
export function declaredFor(truth: number, pick: number): number | null {
  const options = [null, truth, Math.round(truth * 10) / 10, truth * 0.01, truth * 50 + 30, 0, 3_600, 86_400];
  return options[Math.floor(pick * options.length) % options.length]!;
}

/**
 * What is wrong with an admitted job's duration: it must hold a durationCheck, use a value
 * that agrees with the truth (when the case knows it), and say it corrected exactly when the
 * declared value disagreed.
 */
export function durationProblems(job: Record<string, unknown>, truth: number | null, declared: number | null | undefined): string[] {
  const audio = job.audio as { durationSec?: unknown } | undefined;
  const check = job.durationCheck as { declaredSec: number | null; measuredSec: number; method: string; corrected: boolean } | null | undefined;
  if (!check) return ['admitted without a durationCheck: the declared duration was not checked against the bytes'];
  const used = audio?.durationSec;
  if (typeof used !== 'number') return [`admitted with audio.durationSec ${String(used)}`];
  if (truth === null) return [];
  const problems: string[] = [];
  if (check.method !== 'parsed') problems.push(`a ${truth} s WAV was not parsed (${check.method})`);
  if (!agree(used, truth)) problems.push(`queued as ${used} s, the audio is ${truth} s (declared ${String(declared)})`);
  const shouldCorrect = declared !== null && declared !== undefined && !agree(declared, truth);
  if (check.corrected !== shouldCorrect) problems.push(`durationCheck.corrected is ${check.corrected} for ${String(declared)} s declared on ${truth} s of audio`);
  return problems;
}
