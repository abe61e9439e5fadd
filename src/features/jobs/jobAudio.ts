import { sha256Hex } from '@fq/worker/core';
import { payloadChunkId, type AudioDescriptor } from '@fq/worker/schema';
import type { DataPort } from '../../data/port';
import { docSpec } from '../../data/specs';

/** The job's audio is no longer stored (released when the job ended, or swept by retention). */
export class AudioGoneError extends Error {
  override readonly name = 'AudioGoneError';
  readonly code = 'AUDIO_GONE';
  constructor(readonly jobId: string) {
    super(`The audio of job ${jobId} is no longer stored: it was deleted once the job no longer needed it.`);
  }
}

/** The stored audio does not add up to what the job describes (a chunk malformed, sizes or hash differ). */
export class AudioCorruptError extends Error {
  override readonly name = 'AudioCorruptError';
  readonly code = 'AUDIO_CORRUPT';
  constructor(
    readonly jobId: string,
    detail: string,
  ) {
    super(`The stored audio of job ${jobId} is not what the job describes: ${detail}.`);
  }
}

/**
 * Reads a job's audio for playback, on demand only (the job page never reads it until asked):
 * inline audio through a transaction read, the one read that keeps a job document whole (every
 * view of a job drops the bytes, `viewRow`); chunked audio one chunk document at a time, by
 * their ids. Costs one read, or `chunkCount` reads. Checks the size and, when the job records
 * it, the sha256, as the worker does before sending audio upstream.
 */
export async function loadJobAudio(port: DataPort, jobId: string, audio: AudioDescriptor): Promise<Uint8Array> {
  const bytes = audio.chunkCount === 0 ? await inlineBytes(port, jobId) : await chunkBytes(port, jobId, audio.chunkCount);
  if (bytes.length !== audio.bytes) throw new AudioCorruptError(jobId, `${bytes.length} bytes stored, ${audio.bytes} described`);
  if (audio.sha256 !== null && (await sha256Hex(bytes)) !== audio.sha256) throw new AudioCorruptError(jobId, 'its sha256 differs');
  return bytes;
}

async function inlineBytes(port: DataPort, jobId: string): Promise<Uint8Array> {
  const row = await port.transact(async (tx) => ({ mutations: [], result: await tx.get(docSpec('jobs', jobId)) }));
  if (!row) throw new AudioGoneError(jobId);
  if (!row.ok) throw new AudioCorruptError(jobId, row.error);
  const inline = row.data.inlineAudio;
  if (inline == null) throw new AudioGoneError(jobId);
  return inline;
}

async function chunkBytes(port: DataPort, jobId: string, count: number): Promise<Uint8Array> {
  const rows = await Promise.all(Array.from({ length: count }, (_, i) => port.getDoc(docSpec('payloads', payloadChunkId(jobId, i)))));
  const parts: Uint8Array[] = [];
  for (const [i, row] of rows.entries()) {
    if (!row) throw new AudioGoneError(jobId);
    if (!row.ok) throw new AudioCorruptError(jobId, `chunk ${i}: ${row.error}`);
    if (row.data.jobId !== jobId || row.data.index !== i) throw new AudioCorruptError(jobId, `chunk ${i} names job ${row.data.jobId}, index ${row.data.index}`);
    parts.push(row.data.data);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
