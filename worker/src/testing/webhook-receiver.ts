import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  path: string;
  body: unknown;
  at: number;
}

/** What the receiver answers to the n-th POST (0-based); default 200 "ok", as Slack does. */
export type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

/**
 * A local webhook receiver (node:http) for tests: records every POSTed JSON body, answers
 * as `answer` says (a status, or never, to exercise timeouts). `url(path)` is a webhook URL.
 */
export async function startWebhookReceiver(answer: (n: number, path: string) => Answer = () => ({ status: 200, body: 'ok' })) {
  const received: ReceivedPost[] = [];
  const hanging = new Set<ServerResponse>();
  let n = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      received.push({ path: req.url ?? '/', body, at: Date.now() });
      const a = answer(n++, req.url ?? '/');
      if (a === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers });
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    received,
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    async close(): Promise<void> {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
