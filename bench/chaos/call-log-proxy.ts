import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { embeddedTranscript } from '@fq/fake-gemini';
import { jobIdFromMarker } from '../lib/job-set.js';

/**
 * A pass-through HTTP proxy in front of the fake Gemini that logs every generateContent
 * call per job: the bench's audio names its job inside the WAV (see job-set.ts), the proxy
 * reads it from the request. A worker killed mid-call shows up as a call whose client went
 * away; the proxy then cancels the upstream request, as a dead process's socket would.
 */
export type CallOutcome = 'ok' | 'error' | 'client-gone' | 'upstream-failed';

export interface CallRecord {
  jobId: string | null;
  start: number;
  end: number | null;
  /** HTTP status from the fake (null when none arrived). */
  status: number | null;
  outcome: CallOutcome | 'pending';
}

export interface CallLogProxy {
  url: string;
  calls: CallRecord[];
  close(): Promise<void>;
}

export function jobIdOfRequest(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { contents?: { parts?: { inlineData?: { data?: string } }[] }[] };
    for (const content of parsed.contents ?? []) {
      for (const part of content.parts ?? []) {
        if (part.inlineData?.data) return jobIdFromMarker(embeddedTranscript(Buffer.from(part.inlineData.data, 'base64')));
      }
    }
  } catch {
    // Not JSON: the fake answers it with a 400; the call is logged without a job.
  }
  return null;
}

export async function startCallLogProxy(upstreamUrl: string): Promise<CallLogProxy> {
  const upstream = new URL(upstreamUrl);
  const calls: CallRecord[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isCall = (req.url ?? '').includes(':generateContent');
      const record: CallRecord | null = isCall ? { jobId: jobIdOfRequest(body), start: Date.now(), end: null, status: null, outcome: 'pending' } : null;
      if (record) calls.push(record);
      const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
      const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
        if (record) record.status = answer.statusCode ?? null;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => {
        if (record && record.outcome === 'pending') record.outcome = 'upstream-failed';
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
      res.on('close', () => {
        if (!record) return;
        record.end = Date.now();
        if (record.outcome !== 'pending') return;
        if (!res.writableFinished) {
          record.outcome = 'client-gone';
          forward.destroy();
        } else record.outcome = record.status === 200 ? 'ok' : 'error';
      });
      forward.end(body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
