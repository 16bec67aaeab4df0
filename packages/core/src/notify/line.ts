import { classifyHttpFailure, defineChannel } from './channel';

/**
 * LINE push (`POST {LINE_API_BASE_URL}/v2/bot/message/push`) to the user the request came from,
 * with `X-Line-Retry-Key` so LINE drops a repeated push of the same notification.
 */
export const line = defineChannel({
  name: 'line',
  needsRecipient: true,
  create(config, { http, timeoutMs }) {
    const token = config.line.accessToken;
    if (!token) return undefined;
    const url = new URL('/v2/bot/message/push', config.line.baseUrl).toString();
    return async (n) => {
      if (!n.to) return;
      try {
        await http.request(url, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': 'application/json',
            'X-Line-Retry-Key': n.key,
          },
          body: { to: n.to, messages: [{ type: 'text', text: n.text.slice(0, 5000) }] },
          timeoutMs,
          // The retry key makes a repeated push safe.
          idempotent: true,
          retries: 1,
        });
      } catch (err) {
        // 409: LINE already accepted a request with this retry key.
        classifyHttpFailure(err, 'line', [409]);
      }
    };
  },
});
