import { formatAlertDuration, formatAlertTime } from './format.js';
import type { PlannedAlertEvent } from './plan.js';

/** What is POSTed to a webhook: Slack's incoming-webhook body (`text` is the fallback and the notification). */
export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

function headline(e: PlannedAlertEvent): string {
  if (e.status === 'resolved') return `RESOLVED after ${formatAlertDuration(e.at - e.firingSince)}`;
  return e.reminder ? `STILL FIRING for ${formatAlertDuration(e.at - e.firingSince)}` : 'FIRING';
}

/** The one-line message (Slack's `text`; also what the feed stores). */
export function alertText(e: PlannedAlertEvent): string {
  const icon = e.status === 'resolved' ? ':white_check_mark:' : ':red_circle:';
  return `${icon} ${headline(e)}: ${e.title} - ${e.detail}`;
}

/**
 * Slack-compatible JSON: `text` for notifications and receivers that ignore blocks
 * (Mattermost, Google Chat's Slack-style hooks), a section and a context block for Slack.
 * `source` says which deployment sent it (its collection prefix).
 */
export function slackMessage(e: PlannedAlertEvent, source: { prefix: string; serverId: string }): SlackMessage {
  const where = source.prefix ? `Firequeue (prefix ${source.prefix})` : 'Firequeue';
  return {
    text: alertText(e),
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `${e.status === 'resolved' ? ':white_check_mark:' : ':red_circle:'} *${headline(e)}: ${e.title}*\n${e.detail}` },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `${where} · since ${formatAlertTime(e.firingSince)} · sent ${formatAlertTime(e.at)} by ${source.serverId} · key \`${e.key}\``,
          },
        ],
      },
    ],
  };
}
