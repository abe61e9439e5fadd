/**
 * Resume tokens are opaque bytes to clients. Ours encode the read time and the database
 * generation (bumped by "clear data"), so a token from before a clear is not honoured.
 */
export interface ResumePoint {
  readTime: bigint;
  generation: number;
}

const PREFIX = 'fqe1:';

export function encodeResumeToken(point: ResumePoint): string {
  return Buffer.from(`${PREFIX}${point.readTime}:${point.generation}`).toString('base64');
}

export function decodeResumeToken(token: string): ResumePoint | undefined {
  let text: string;
  try {
    text = Buffer.from(token, 'base64').toString('utf8');
  } catch {
    return undefined;
  }
  if (!text.startsWith(PREFIX)) return undefined;
  const m = /^(\d+):(\d+)$/.exec(text.slice(PREFIX.length));
  if (!m) return undefined;
  return { readTime: BigInt(m[1]!), generation: Number(m[2]) };
}
