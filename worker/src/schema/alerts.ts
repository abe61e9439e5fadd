import { z } from 'zod';
import { timestampMs } from './time.js';

const ms = z.number().int().positive();

/**
 * What the leader alerts on (see `core/alerts`):
 * - `breaker_open`: a model's circuit breaker is open or half-open (one alert per model);
 * - `dead_letters_growing`: the dead-letter count rose by `deadLetters.rise` or more within
 *   `deadLetters.windowMs`;
 * - `queue_stalled`: the oldest queued job has waited longer than `oldestQueued.maxAgeMs`;
 * - `no_live_server`: no server runs the queue (sent by the last server to stop, or, after a
 *   crash of every server, by the next leader, as one message for the whole gap);
 * - `bulk_control_failed`: the fleet gave up on an operator's "apply to all matching" (one
 *   alert per control), until it is resumed.
 */
export const ALERT_KINDS = ['breaker_open', 'dead_letters_growing', 'queue_stalled', 'no_live_server', 'bulk_control_failed'] as const;
export const alertKindSchema = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof alertKindSchema>;

/** Stable dedupe keys: one per condition (and per model for breakers). */
export const ALERT_KEY_PATTERN = /^[a-z_]+(:[A-Za-z0-9._-]{1,100})?$/;
export const alertKeySchema = z.string().regex(ALERT_KEY_PATTERN);

/** Worker config `alerts`. Every threshold has a default; `webhooks` is empty by default (feed only). */
export const alertsConfigSchema = z.object({
  /** Evaluate alerts and keep the feed (the console's Alerts page); false turns the duty off. */
  enabled: z.boolean().default(true),
  /**
   * Slack-compatible incoming webhooks (`{ text, blocks }` is POSTed to each). They are
   * secrets: the feed records only their host. CLI: FQ_ALERT_WEBHOOKS (comma-separated).
   */
  webhooks: z.array(z.url({ protocol: /^https?$/ })).max(10).default([]),
  deadLetters: z
    .object({
      /** Dead letters added within the window that fire the alert (0: never). */
      rise: z.number().int().nonnegative().default(10),
      windowMs: ms.default(10 * 60_000),
    })
    .prefault({}),
  oldestQueued: z
    .object({
      /** The oldest queued job waiting longer than this fires the alert (null: never). */
      maxAgeMs: ms.nullable().default(15 * 60_000),
    })
    .prefault({}),
  noLiveServer: z
    .object({
      enabled: z.boolean().default(true),
      /**
       * A leader that takes over a lease that expired longer ago than this reports the gap:
       * with any server alive, a follower takes a lapsed lease within a second.
       */
      gapMs: ms.default(60_000),
    })
    .prefault({}),
  /** Re-send a firing alert this often while it stays firing (null: never, the default). */
  reminderMs: ms.nullable().default(null),
  delivery: z
    .object({
      /** Deadline of one POST. */
      timeoutMs: ms.default(5_000),
      /** POSTs per webhook and message: the first and the retries after a 5xx, 429 or network error. */
      attempts: z.number().int().min(1).max(10).default(3),
      /** Wait before the first retry; doubles after each. */
      backoffMs: ms.default(1_000),
    })
    .prefault({}),
  /** Feed events are deleted this long after they were recorded. */
  retentionMs: ms.default(30 * 24 * 3_600_000),
});
export type AlertsConfig = z.infer<typeof alertsConfigSchema>;

export const ALERT_STATUSES = ['firing', 'resolved'] as const;
export const alertStatusSchema = z.enum(ALERT_STATUSES);
export type AlertStatus = z.infer<typeof alertStatusSchema>;

export const DELIVERY_STATES = ['pending', 'delivered', 'failed', 'partial', 'none'] as const;
export const deliveryStateSchema = z.enum(DELIVERY_STATES);
export type DeliveryState = z.infer<typeof deliveryStateSchema>;

/** One webhook's outcome; `target` is the webhook's host and position, never its secret path. */
export const webhookOutcomeSchema = z.object({
  target: z.string().max(300),
  ok: z.boolean(),
  /** HTTP status of the last attempt (null: no answer: timeout or network error). */
  status: z.number().int().nullable(),
  attempts: z.number().int().nonnegative(),
  error: z.string().max(500).nullable().default(null),
});
export type WebhookOutcome = z.infer<typeof webhookOutcomeSchema>;

/**
 * `transcription_alerts/{eventId}`: the alert feed, one document per message sent (firing,
 * reminder, resolved), written by the leader with the Admin SDK and read by admins. Deleted
 * after `alerts.retentionMs` (`expireAt`, the leader's sweep; a TTL policy may do it too).
 */
export const alertEventDocSchema = z.object({
  at: timestampMs,
  key: alertKeySchema,
  kind: alertKindSchema,
  status: alertStatusSchema,
  /** A re-send of a firing alert (`alerts.reminderMs`). */
  reminder: z.boolean().default(false),
  /** When the condition started (for a resolved event: how long it lasted). */
  firingSince: timestampMs,
  /** The model of a breaker alert. */
  subject: z.string().max(200).nullable().default(null),
  title: z.string().max(300),
  detail: z.string().max(2_000),
  /** The message as sent (Slack's `text`). */
  text: z.string().max(3_000),
  /** The server that recorded it, and its leader term (0: sent at shutdown, not as leader). */
  sentBy: z.string(),
  term: z.number().int().nonnegative(),
  delivery: z
    .object({
      state: deliveryStateSchema,
      at: timestampMs.nullable().default(null),
      webhooks: z.array(webhookOutcomeSchema).max(10).default([]),
    })
    .prefault({ state: 'pending' }),
  expireAt: timestampMs,
});
export type AlertEventDoc = z.infer<typeof alertEventDocSchema>;

export const activeAlertSchema = z.object({
  kind: alertKindSchema,
  title: z.string().max(300),
  subject: z.string().max(200).nullable().default(null),
  firingSince: timestampMs,
  /** The last firing message (first or reminder). */
  lastSentAt: timestampMs,
});
export type ActiveAlert = z.infer<typeof activeAlertSchema>;

/**
 * `transcription_alert_state/current`: the alerts firing now, by dedupe key. Every message is
 * written with this document under a version guard, so a new leader (or two overlapping
 * ones) never sends an alert again that is already firing, and a resolve goes out once.
 */
export const alertStateDocSchema = z.object({
  active: z.record(alertKeySchema, activeAlertSchema).default({}),
  updatedAt: timestampMs,
  updatedBy: z.string(),
});
export type AlertStateDoc = z.infer<typeof alertStateDocSchema>;
