import type { Config } from '@dialogflow-functions/core/config';

/**
 * The headers the agent sends to the webhook for the webhook auth configured here:
 * `WEBHOOK_TOKEN` in `WEBHOOK_TOKEN_HEADER`, `WEBHOOK_BASIC_AUTH` as `Authorization: Basic`.
 * (A Google ID token, WEBHOOK_OIDC_AUDIENCE, is not a header: CX sends one when its webhook
 * has `serviceAgentAuth: ID_TOKEN`; ES cannot.)
 */
export function webhookAuthHeaders(config: Pick<Config, 'webhook'>): Record<string, string> {
  const headers: Record<string, string> = {};
  const { token, basic } = config.webhook.auth;
  if (token) headers[token.header] = token.value;
  if (basic) {
    headers.authorization = `Basic ${Buffer.from(`${basic.user}:${basic.password}`).toString('base64')}`;
  }
  return headers;
}
