import type { WebhookOutcome } from '../../schema/alerts.js';
import type { SlackMessage } from '../../core/alerts/message.js';
import type { AlertDelivery, AlertSink } from '../../ports/alerts.js';
import type { Clock } from '../../ports/clock.js';
import { silentLogger, type Logger } from '../../ports/logger.js';

export interface WebhookSinkOptions {
  /** Incoming-webhook URLs (secrets: never logged nor recorded, only their host). */
  webhooks: readonly string[];
  /** Deadline of one POST. */
  timeoutMs: number;
  /** POSTs per webhook and message, retries included. */
  attempts: number;
  /** Wait before the first retry; doubles after each (a 429's Retry-After wins when longer, up to 30 s). */
  backoffMs: number;
  clock: Clock;
  log?: Logger;
  /** The HTTP client (tests may pass their own). */
  fetch?: typeof fetch;
}

const MAX_RETRY_AFTER_MS = 30_000;

/** `hooks.slack.com #1`: which webhook, without the secret in its path. */
export function webhookLabel(url: string, index: number): string {
  let host = 'invalid-url';
  try {
    host = new URL(url).host;
  } catch {
    // Config validation refuses such a URL; the label must still not throw.
  }
  return `${host} #${index + 1}`;
}

type Attempt = { ok: true; status: number } | { ok: false; status: number | null; error: string; retryable: boolean; retryAfterMs: number | null };

/**
 * POSTs Slack-compatible JSON to every configured webhook, in parallel, each with a timeout
 * and retries with exponential backoff on answers that say "try again" (5xx, 429) and on
 * network errors or timeouts. Other 4xx answers are final (a revoked or mistyped webhook
 * will not heal by retrying).
 */
export class WebhookAlertSink implements AlertSink {
  private readonly log: Logger;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: WebhookSinkOptions) {
    this.log = options.log ?? silentLogger;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  get targets(): number {
    return this.options.webhooks.length;
  }

  async send(message: SlackMessage, options: { deadlineMs?: number } = {}): Promise<AlertDelivery> {
    const webhooks = this.options.webhooks;
    if (webhooks.length === 0) return { state: 'none', webhooks: [] };
    const body = JSON.stringify(message);
    const deadline = options.deadlineMs === undefined ? null : this.options.clock.now() + options.deadlineMs;
    const outcomes = await Promise.all(webhooks.map((url, i) => this.post(url, webhookLabel(url, i), body, deadline)));
    const ok = outcomes.filter((o) => o.ok).length;
    return { state: ok === outcomes.length ? 'delivered' : ok === 0 ? 'failed' : 'partial', webhooks: outcomes };
  }

  private async post(url: string, target: string, body: string, deadline: number | null): Promise<WebhookOutcome> {
    const { clock, attempts, backoffMs } = this.options;
    const failed = (n: number, status: number | null, error: string): WebhookOutcome => ({ target, ok: false, status, attempts: n, error });
    for (let n = 1; ; n++) {
      const timeoutMs = deadline === null ? this.options.timeoutMs : Math.min(this.options.timeoutMs, deadline - clock.now());
      if (timeoutMs <= 0) return failed(n - 1, null, 'no time left to send');
      const result = await this.attempt(url, body, timeoutMs);
      if (result.ok) return { target, ok: true, status: result.status, attempts: n, error: null };
      this.log.warn({ target, attempt: n, status: result.status, error: result.error }, 'alert webhook failed');
      if (!result.retryable || n >= attempts) return failed(n, result.status, result.error);
      const waitMs = Math.max(backoffMs * 2 ** (n - 1), Math.min(result.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
      if (deadline !== null && clock.now() + waitMs >= deadline) return failed(n, result.status, `${result.error} (no time left to retry)`);
      await clock.sleep(waitMs);
    }
  }

  private async attempt(url: string, body: string, timeoutMs: number): Promise<Attempt> {
    const controller = new AbortController();
    const timer = this.options.clock.setTimer(() => controller.abort(), timeoutMs);
    try {
      const res = await this.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: controller.signal });
      // Read the answer so the connection is released (Slack answers "ok" or an error word).
      const answer = (await res.text().catch(() => '')).slice(0, 200);
      if (res.ok) return { ok: true, status: res.status };
      const retryable = res.status === 429 || res.status >= 500;
      const retryAfter = Number(res.headers.get('retry-after'));
      return {
        ok: false,
        status: res.status,
        error: `HTTP ${res.status}${answer ? `: ${answer}` : ''}`,
        retryable,
        retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1_000 : null,
      };
    } catch (error) {
      // Never the error's message as such: undici's can quote the URL, which is the secret.
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      const what = controller.signal.aborted ? `timed out after ${timeoutMs} ms` : `network error${typeof code === 'string' ? ` (${code})` : ''}`;
      return { ok: false, status: null, error: what, retryable: true, retryAfterMs: null };
    } finally {
      timer.cancel();
    }
  }
}
