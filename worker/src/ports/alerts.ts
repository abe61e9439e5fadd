import type { DeliveryState, WebhookOutcome } from '../schema/alerts.js';
import type { SlackMessage } from '../core/alerts/message.js';

/** What became of one message: per webhook, and overall (`none`: no webhook configured). */
export interface AlertDelivery {
  state: Exclude<DeliveryState, 'pending'>;
  webhooks: WebhookOutcome[];
}

/**
 * Where alert messages go (the webhook adapter in production, a recorder in tests). `send`
 * never throws: a failure is an outcome, recorded on the feed event, and never stops the
 * leader's duty.
 */
export interface AlertSink {
  /** How many destinations a message goes to (0: the feed only). */
  readonly targets: number;
  /**
   * `deadlineMs`: give up (no further retry) once this much time has passed, e.g. during a
   * shutdown that has a few seconds left.
   */
  send(message: SlackMessage, options?: { deadlineMs?: number }): Promise<AlertDelivery>;
}
