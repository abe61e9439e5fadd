import type { JobDoc } from '@fq/worker/schema';

/**
 * A job document as JSON for the job page: the decoded document (times in epoch ms, as the
 * schema gives them), with audio bytes elided and their size said instead, so the page
 * neither holds nor prints up to 256 KiB of base64. The console's view of a job already
 * drops inline audio (`viewRow` sets it to null); a null `inlineAudio` on a job whose audio
 * was never released still means bytes are stored, and says so with `audio.bytes`.
 */
export function jobToJson(job: JobDoc & { id?: string }): string {
  const inline = job.inlineAudio;
  const { id, ...doc } = job;
  // The id first: it is what an operator pastes the JSON next to.
  const shown: Record<string, unknown> = id === undefined ? doc : { id, ...doc };
  if (inline instanceof Uint8Array) shown.inlineAudio = elided(inline.length);
  else if (inline === null && job.payloadDeletedAt === null && job.audio.chunkCount === 0) shown.inlineAudio = elided(job.audio.bytes);
  return JSON.stringify(shown, replacer, 2);
}

function elided(bytes: number): string {
  return `<${bytes.toLocaleString('en-US')} bytes of audio, elided>`;
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return elided(value.length);
  return value;
}
