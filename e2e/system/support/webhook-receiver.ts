import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where the receiver of the run listens; set by global-setup.ts for the specs (Playwright's workers inherit it). */
export const WEBHOOK_RECEIVER_ENV = 'FQ_E2E_WEBHOOK_RECEIVER';

export interface ReceivedWebhook {
  path: string;
  /** The POSTed JSON (Slack's `{ text, blocks }` from the workers). */
  body: { text?: string; blocks?: unknown[] } | string;
  at: number;
}

/**
 * The e2e system's alert webhook: a local HTTP server standing in for Slack. Workers POST to
 * `hookUrl` (answered 200 "ok", as Slack does); specs, in other processes, read what arrived
 * with GET `/received`.
 */
export async function startWebhookReceiver(): Promise<{ url: string; hookUrl: string; close(): Promise<void> }> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/received') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(received));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: ReceivedWebhook['body'];
      try {
        body = JSON.parse(text) as ReceivedWebhook['body'];
      } catch {
        body = text;
      }
      received.push({ path: req.url ?? '/', body, at: Date.now() });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hookUrl: `${url}/services/E2E/ALERTS/secret`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The `text` of every message the run's receiver got so far, oldest first. */
export async function receivedAlertTexts(): Promise<string[]> {
  const base = process.env[WEBHOOK_RECEIVER_ENV];
  if (!base) throw new Error(`${WEBHOOK_RECEIVER_ENV} is not set: run the specs through the e2e global set-up`);
  const res = await fetch(`${base}/received`);
  const all = (await res.json()) as ReceivedWebhook[];
  return all.map((r) => (typeof r.body === 'string' ? r.body : (r.body.text ?? '')));
}
