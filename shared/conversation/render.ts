import type {
  CxResponseMessage,
  CxWebhookResponse,
  EsContextOut,
  EsMessage,
  EsPlatform,
  EsWebhookResponse,
  JsonObject,
  JsonValue,
} from '../dialogflow';
import type { Messages } from '../messages';
import type { Platform, Reply } from './reply';

/** What the renderers need to know about the turn. */
export interface RenderTarget {
  session: string | undefined;
  platform: Platform | undefined;
  languageCode: string | undefined;
  t: Messages;
}

const MAX_SUGGESTIONS = 10;
const LINE_LABEL_MAX = 20;
const AOG_SUGGESTION_MAX = 25;

const CONTEXT_NAME = /^[A-Za-z0-9_\-%]{1,250}$/;

/** Renders a reply as a google.cloud.dialogflow.v2.WebhookResponse. */
export function renderEs(reply: Reply, target: RenderTarget): EsWebhookResponse {
  const texts = reply.texts.filter((t) => t !== '');
  const suggestions = (reply.suggestions ?? []).filter((s) => s !== '').slice(0, MAX_SUGGESTIONS);
  const messages: EsMessage[] = texts.map((t) => ({ text: { text: [t] } }));
  if (suggestions.length > 0) {
    messages.push({
      platform: 'PLATFORM_UNSPECIFIED',
      quickReplies: { title: target.t.suggestionsTitle, quickReplies: suggestions },
    });
  }
  const platform = target.platform;
  if (platform === 'ACTIONS_ON_GOOGLE') {
    // Actions on Google needs a simple response first; it takes at most two.
    const spoken = texts.slice(0, 2);
    if (spoken.length > 0) {
      messages.push({
        platform,
        simpleResponses: {
          simpleResponses: spoken.map((t) => ({ textToSpeech: t, displayText: t })),
        },
      });
    }
    if (suggestions.length > 0) {
      messages.push({
        platform,
        suggestions: {
          suggestions: suggestions.map((s) => ({ title: s.slice(0, AOG_SUGGESTION_MAX) })),
        },
      });
    }
  } else if (platform) {
    const esPlatform: EsPlatform = platform;
    for (const t of texts) messages.push({ platform: esPlatform, text: { text: [t] } });
    if (suggestions.length > 0) {
      messages.push({
        platform: esPlatform,
        quickReplies: { title: target.t.suggestionsTitle, quickReplies: suggestions },
      });
    }
    if (suggestions.length > 0 && platform === 'LINE') {
      // The integration turns quickReplies into a buttons template (four at most); LINE's own
      // quick-reply chips need a message in its Messaging API format, as a custom payload.
      messages.push({
        platform,
        payload: {
          line: {
            type: 'text',
            text: target.t.suggestionsTitle,
            quickReply: {
              items: suggestions.map((s) => ({
                type: 'action',
                action: { type: 'message', label: s.slice(0, LINE_LABEL_MAX), text: s },
              })),
            },
          },
        },
      });
    }
  }
  for (const p of reply.payloads ?? []) {
    messages.push(
      p.platform ? { platform: p.platform, payload: p.payload } : { payload: p.payload },
    );
  }

  const response: EsWebhookResponse = { fulfillmentMessages: messages };
  if (texts.length > 0) response.fulfillmentText = texts.join('\n');

  const contexts: EsContextOut[] = [];
  if (target.session) {
    for (const c of reply.contexts ?? []) {
      if (!CONTEXT_NAME.test(c.name)) continue;
      const out: EsContextOut = {
        name: `${target.session}/contexts/${c.name}`,
        lifespanCount: Math.max(0, Math.floor(c.lifespanCount)),
      };
      if (c.parameters) out.parameters = c.parameters;
      contexts.push(out);
    }
  }
  if (contexts.length > 0) response.outputContexts = contexts;

  if (reply.followupEvent) {
    response.followupEventInput = {
      name: reply.followupEvent.name,
      languageCode: target.languageCode || 'en',
      ...(reply.followupEvent.parameters ? { parameters: reply.followupEvent.parameters } : {}),
    };
  }
  return response;
}

/** Renders a reply as a google.cloud.dialogflow.cx.v3.WebhookResponse. */
export function renderCx(reply: Reply): CxWebhookResponse {
  const messages: CxResponseMessage[] = reply.texts
    .filter((t) => t !== '')
    .map((t) => ({ text: { text: [t] } }));
  const suggestions = (reply.suggestions ?? []).filter((s) => s !== '').slice(0, MAX_SUGGESTIONS);
  if (suggestions.length > 0) {
    messages.push({
      payload: {
        richContent: [[{ type: 'chips', options: suggestions.map((s) => ({ text: s })) }]],
      },
    });
  }
  for (const p of reply.payloads ?? []) messages.push({ payload: p.payload });

  const response: CxWebhookResponse = { fulfillmentResponse: { messages } };

  const parameters: { [key: string]: JsonValue } = {};
  for (const c of reply.contexts ?? []) Object.assign(parameters, c.parameters ?? {});
  Object.assign(parameters, reply.sessionParameters ?? {});
  if (reply.form && reply.form.length > 0) {
    response.pageInfo = {
      formInfo: {
        parameterInfo: reply.form.map((f) => ({ displayName: f.parameter, state: f.state })),
      },
    };
    // An invalid value must also leave the session, or CX keeps the parameter filled.
    for (const f of reply.form) if (f.state === 'INVALID') parameters[f.parameter] = null;
  }
  if (Object.keys(parameters).length > 0) response.sessionInfo = { parameters };

  if (reply.target && 'page' in reply.target) response.targetPage = reply.target.page;
  else if (reply.target && 'flow' in reply.target) response.targetFlow = reply.target.flow;
  return response;
}

/** Size of a response as sent. */
export function jsonBytes(value: JsonObject | EsWebhookResponse | CxWebhookResponse): number {
  return Buffer.byteLength(JSON.stringify(value));
}
