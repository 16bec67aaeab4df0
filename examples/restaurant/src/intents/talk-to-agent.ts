import type { IntentHandler } from '@dialogflow-functions/core/conversation';
import type { JsonObject } from '@dialogflow-functions/core/dialogflow';

/**
 * talk_to_agent: hands the conversation to a human. CX gets a `liveAgentHandoff` message, ES a
 * `{liveAgentHandoff: {metadata}}` payload, both with the text that says so and metadata a
 * contact centre can route on (never the user's words).
 */
export const talkToAgent: IntentHandler = (ctx) => {
  const metadata: JsonObject = {
    reason: 'user-request',
    language: ctx.language,
    edition: ctx.edition,
  };
  if (ctx.platform) metadata.platform = ctx.platform;
  if (ctx.sentiment) metadata.sentiment = { ...ctx.sentiment };
  return { texts: [ctx.t.handoff], handoff: { metadata } };
};
