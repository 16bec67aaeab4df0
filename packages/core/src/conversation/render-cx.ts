import type { CxResponseMessage, CxWebhookResponse, JsonObject, JsonValue } from '../dialogflow';
import type { Image, Reply, RichElement } from './reply';
import { allTexts, cleanSuggestions, leadTexts, type RenderTarget, richOf } from './render-text';

/*
 * CX (v3) rendering: text messages, then the rich elements and suggestions as one Dialogflow
 * CX Messenger `richContent` custom payload (one card per inner array), then the voice,
 * handoff and telephony messages. A request from a platform that does not render richContent
 * (LINE, Slack, Telegram, Facebook, Actions on Google through their CX integrations) also gets
 * every element's text fallback.
 */

/** Renders a reply as a google.cloud.dialogflow.cx.v3.WebhookResponse. */
export function renderCx(
  reply: Reply,
  target: Pick<RenderTarget, 'platform'> = { platform: undefined },
): CxWebhookResponse {
  const texts = target.platform ? allTexts(reply) : leadTexts(reply);
  const messages: CxResponseMessage[] = texts.map((text) => ({ text: { text: [text] } }));

  if (reply.speech) {
    messages.push({
      outputAudioText:
        'ssml' in reply.speech ? { ssml: reply.speech.ssml } : { text: reply.speech.text },
    });
  }
  if (reply.playAudio) messages.push({ playAudio: { audioUri: reply.playAudio.audioUri } });

  const cards: JsonValue[][] = richOf(reply).flatMap(richContentOf);
  const suggestions = cleanSuggestions(reply);
  if (suggestions.length > 0) cards.push([chips(suggestions)]);
  if (cards.length > 0) messages.push({ payload: { richContent: cards } });

  if (reply.handoff) {
    messages.push({ liveAgentHandoff: { metadata: reply.handoff.metadata ?? {} } });
  }
  if (reply.conversationSuccess) {
    messages.push({ conversationSuccess: { metadata: reply.conversationSuccess.metadata ?? {} } });
  }
  if (reply.transferCall) {
    messages.push({ telephonyTransferCall: { phoneNumber: reply.transferCall.phoneNumber } });
  }
  for (const p of reply.payloads ?? []) {
    if (!p.platform || p.platform === target.platform) messages.push({ payload: p.payload });
  }

  const response: CxWebhookResponse = {
    fulfillmentResponse: {
      messages,
      ...(reply.mergeBehavior ? { mergeBehavior: reply.mergeBehavior } : {}),
    },
  };

  const parameters: { [key: string]: JsonValue } = {};
  for (const c of reply.contexts ?? []) {
    // An ended context (lifespan 0) takes its parameters out of the session.
    for (const [k, v] of Object.entries(c.parameters ?? {})) {
      parameters[k] = c.lifespanCount > 0 ? v : null;
    }
  }
  Object.assign(parameters, reply.sessionParameters ?? {});
  if (reply.form && reply.form.length > 0) {
    response.pageInfo = {
      formInfo: {
        parameterInfo: reply.form.map((f) => ({
          displayName: f.parameter,
          state: f.state,
          ...(f.value !== undefined && f.value !== null ? { value: f.value } : {}),
        })),
      },
    };
    for (const f of reply.form) {
      // An invalid value must also leave the session, or CX keeps the parameter filled.
      if (f.state === 'INVALID') parameters[f.parameter] = null;
      else if (f.value !== undefined) parameters[f.parameter] = f.value;
    }
  }
  if (Object.keys(parameters).length > 0) response.sessionInfo = { parameters };

  if (reply.target && 'page' in reply.target) response.targetPage = reply.target.page;
  else if (reply.target && 'flow' in reply.target) response.targetFlow = reply.target.flow;
  return response;
}

/** Dialogflow CX Messenger cards (inner arrays) for one element. */
function richContentOf(element: RichElement): JsonValue[][] {
  switch (element.kind) {
    case 'card': {
      const card: JsonObject[] = [
        info(element.title, element.subtitle, element.image),
        ...(element.text ? [{ type: 'description', text: [element.text] }] : []),
      ];
      const postbacks: string[] = [];
      for (const b of element.buttons ?? []) {
        if ('url' in b) {
          card.push({
            type: 'button',
            icon: { type: 'launch' },
            text: b.text,
            anchor: { href: b.url },
          });
        } else {
          postbacks.push(b.postback);
        }
      }
      if (postbacks.length > 0) card.push(chips(postbacks));
      return [card];
    }
    case 'image':
      return [[image(element.image)]];
    case 'accordion':
      return [
        [
          {
            type: 'accordion',
            title: element.title,
            ...(element.subtitle ? { subtitle: element.subtitle } : {}),
            ...(element.image ? { image: { rawUrl: element.image.url } } : {}),
            text: element.text,
          },
        ],
      ];
    case 'list': {
      if (element.style === 'carousel') {
        return element.items.map((item) => [
          info(item.title, item.description, item.image),
          chips([item.postback]),
        ]);
      }
      const card: JsonObject[] = element.title
        ? [{ type: 'description', title: element.title, text: [] }]
        : [];
      element.items.forEach((item, i) => {
        if (i > 0) card.push({ type: 'divider' });
        card.push({
          type: 'list',
          title: item.title,
          ...(item.description ? { subtitle: item.description } : {}),
        });
      });
      // Messenger list rows fire events only; the postbacks are offered as chips.
      card.push(chips(element.items.map((item) => item.postback)));
      return [card];
    }
  }
}

function info(title: string, subtitle: string | undefined, img: Image | undefined): JsonObject {
  return {
    type: 'info',
    title,
    ...(subtitle ? { subtitle } : {}),
    ...(img ? { image: { rawUrl: img.url } } : {}),
  };
}

const image = (img: Image): JsonObject => ({
  type: 'image',
  rawUrl: img.url,
  accessibilityText: img.alt,
});

const chips = (texts: string[]): JsonObject => ({
  type: 'chips',
  options: [...new Set(texts)].map((text) => ({ text })),
});
