import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../testing/fake-clock.js';
import { waitFor } from '../../testing/wait.js';
import { startWebhookReceiver, type Answer, type WebhookReceiver } from '../../testing/webhook-receiver.js';
import type { Logger } from '../../ports/logger.js';
import { WebhookAlertSink, webhookLabel } from './webhook-sink.js';

const MESSAGE = { text: ':red_circle: FIRING: test - detail', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }] };

let receiver: WebhookReceiver | null = null;
afterEach(async () => {
  await receiver?.close();
  receiver = null;
});

function recordingLog() {
  const warnings: Record<string, unknown>[] = [];
  const log: Logger = { debug: () => {}, info: () => {}, error: () => {}, warn: (o) => void warnings.push(o as Record<string, unknown>), child: () => log };
  return { log, warnings };
}

async function setup(answer: (n: number) => Answer, options: { attempts?: number; webhooks?: number } = {}) {
  receiver = await startWebhookReceiver(answer);
  const clock = new FakeClock();
  const { log, warnings } = recordingLog();
  const r = receiver;
  const sink = new WebhookAlertSink({
    webhooks: Array.from({ length: options.webhooks ?? 1 }, (_, i) => r.url(`/services/T000/B000/secret${i}`)),
    timeoutMs: 5_000,
    attempts: options.attempts ?? 3,
    backoffMs: 1_000,
    clock,
    log,
  });
  return { receiver: r, clock, sink, warnings };
}

describe('webhook alert sink', () => {
  it('POSTs the Slack JSON to every webhook and reports them delivered, naming each by host only', async () => {
    const f = await setup(() => ({ status: 200, body: 'ok' }), { webhooks: 2 });
    const delivery = await f.sink.send(MESSAGE);
    expect(f.receiver.received.map((r) => r.body)).toEqual([MESSAGE, MESSAGE]);
    expect(delivery.state).toBe('delivered');
    expect(delivery.webhooks).toEqual([
      { target: expect.stringMatching(/^127\.0\.0\.1:\d+ #1$/), ok: true, status: 200, attempts: 1, error: null },
      { target: expect.stringMatching(/ #2$/), ok: true, status: 200, attempts: 1, error: null },
    ]);
    expect(JSON.stringify(delivery)).not.toContain('secret');
  });

  it('retries a 5xx after the backoff and succeeds', async () => {
    const f = await setup((n) => (n === 0 ? { status: 503, body: 'busy' } : { status: 200 }));
    const sending = f.sink.send(MESSAGE);
    // The failure is logged just before the backoff timer is set.
    await waitFor(() => f.warnings.length === 1, { what: 'the first failure' });
    expect(f.receiver.received).toHaveLength(1);
    await f.clock.advance(999);
    expect(f.receiver.received).toHaveLength(1);
    await f.clock.advance(1);
    const delivery = await sending;
    expect(f.receiver.received).toHaveLength(2);
    expect(delivery).toEqual({ state: 'delivered', webhooks: [expect.objectContaining({ ok: true, status: 200, attempts: 2 })] });
  });

  it('gives up after the configured attempts, recording the last status', async () => {
    const f = await setup(() => ({ status: 500, body: 'down' }), { attempts: 2 });
    const sending = f.sink.send(MESSAGE);
    await waitFor(() => f.warnings.length === 1);
    await f.clock.advance(1_000);
    const delivery = await sending;
    expect(f.receiver.received).toHaveLength(2);
    expect(delivery).toEqual({ state: 'failed', webhooks: [expect.objectContaining({ ok: false, status: 500, attempts: 2, error: 'HTTP 500: down' })] });
  });

  it('does not retry a 4xx other than 429 (a revoked webhook does not heal)', async () => {
    const f = await setup(() => ({ status: 404, body: 'no_service' }));
    const delivery = await f.sink.send(MESSAGE);
    expect(f.receiver.received).toHaveLength(1);
    expect(delivery.webhooks[0]).toMatchObject({ ok: false, status: 404, attempts: 1, error: 'HTTP 404: no_service' });
  });

  it('times a hanging webhook out, retries, and reports partial when another one answered', async () => {
    const f = await setup((n) => (n % 2 === 0 ? 'hang' : { status: 200 }), { webhooks: 2, attempts: 2 });
    // Webhooks #1 and #2 are POSTed in parallel: whichever arrives first hangs (n = 0).
    const sending = f.sink.send(MESSAGE);
    await waitFor(() => f.receiver.received.length === 2, { what: 'both POSTs' });
    await f.clock.advance(5_000);
    await waitFor(() => f.warnings.length === 1, { what: 'the timeout' });
    expect(f.warnings[0]).toMatchObject({ error: 'timed out after 5000 ms', status: null });
    await f.clock.advance(1_000);
    // The retry is the third POST (n = 2): it hangs too.
    await waitFor(() => f.receiver.received.length === 3, { what: 'the retry' });
    await f.clock.advance(5_000);
    const delivery = await sending;
    expect(delivery.state).toBe('partial');
    expect(delivery.webhooks.filter((w) => !w.ok)).toEqual([expect.objectContaining({ status: null, attempts: 2, error: 'timed out after 5000 ms' })]);
  });

  it('reports a network error without the URL, and stops retrying at the deadline', async () => {
    const f = await setup(() => ({ status: 200 }));
    await f.receiver.close();
    receiver = null;
    const delivery = await f.sink.send(MESSAGE, { deadlineMs: 500 });
    expect(delivery.state).toBe('failed');
    expect(delivery.webhooks[0]).toMatchObject({ ok: false, status: null, attempts: 1 });
    expect(delivery.webhooks[0]!.error).toMatch(/^network error.*no time left to retry/);
    expect(JSON.stringify(delivery)).not.toContain('secret');
  });

  it('sends nothing without webhooks', async () => {
    const sink = new WebhookAlertSink({ webhooks: [], timeoutMs: 1, attempts: 1, backoffMs: 1, clock: new FakeClock() });
    expect(await sink.send(MESSAGE)).toEqual({ state: 'none', webhooks: [] });
    expect(webhookLabel('not a url', 0)).toBe('invalid-url #1');
  });
});
