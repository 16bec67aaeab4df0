import { classifyHttpFailure, defineChannel } from './channel';

/** Slack's control characters in message text: escaped so a user's value cannot mention or link. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack incoming webhook (`POST {text}`). Slack has no idempotency key: at-least-once. */
export const slack = defineChannel({
  name: 'slack',
  needsRecipient: false,
  create(config, { http, timeoutMs }) {
    const url = config.slack.webhookUrl;
    if (!url) return undefined;
    return async (n) => {
      try {
        await http.request(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: { text: escapeSlack(n.text) },
          timeoutMs,
          retries: 0,
        });
      } catch (err) {
        classifyHttpFailure(err, 'slack');
      }
    };
  },
});
