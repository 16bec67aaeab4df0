import type {
  EsContextOut,
  EsImage,
  EsMessage,
  EsPlatform,
  EsSessionEntityType,
  EsSimpleResponse,
  EsWebhookResponse,
} from '../dialogflow';
import type { CoreMessages as Messages } from '../messages';
import type { Button, Card, Image, Reply, RichElement } from './reply';
import { lineMessage } from './render-line';
import {
  allTexts,
  cleanSuggestions,
  cleanTexts,
  clip,
  fallbackText,
  isHttpsUrl,
  leadTexts,
  type RenderTarget,
  richOf,
} from './render-text';

const CONTEXT_NAME = /^[A-Za-z0-9_\-%]{1,250}$/;
const ENTITY_TYPE_NAME = /^[A-Za-z0-9_-]{1,250}$/;

/*
 * ES (v2) rendering. Every response carries the default-platform messages (text, card, image,
 * quick replies: what the console and integrations without their own messages show) and, for
 * the platform the request came from, that platform's own messages:
 *   FACEBOOK, SLACK, TELEGRAM  text, card, image, quickReplies (lists become one card per item)
 *   LINE                       one `payload.line` message (text or Flex) with a native quick reply
 *   ACTIONS_ON_GOOGLE          simple responses, one basic card / list / carousel, suggestions
 * Whatever a platform cannot show arrives as the element's text fallback. fulfillmentText is
 * the whole reply as plain text.
 */

/** Renders a reply as a google.cloud.dialogflow.v2.WebhookResponse. */
export function renderEs(reply: Reply, target: RenderTarget): EsWebhookResponse {
  const rich = richOf(reply);
  const suggestions = cleanSuggestions(reply);
  const { t } = target;

  const messages: EsMessage[] = leadTexts(reply).map((text) => ({ text: { text: [text] } }));
  // Without texts, the lead texts are the elements' fallbacks: a list's title is in there.
  const titled = cleanTexts(reply).length > 0;
  for (const element of rich) messages.push(...cardMessages(element, t, undefined, titled));
  if (suggestions.length > 0) {
    messages.push({
      platform: 'PLATFORM_UNSPECIFIED',
      quickReplies: { title: t.suggestionsTitle, quickReplies: suggestions },
    });
  }

  switch (target.platform) {
    case 'ACTIONS_ON_GOOGLE':
      messages.push(...actionsOnGoogle(reply, t));
      break;
    case 'LINE': {
      const line = lineMessage(reply, t);
      if (line) messages.push({ platform: 'LINE', payload: { line } });
      break;
    }
    case 'FACEBOOK':
    case 'SLACK':
    case 'TELEGRAM': {
      const platform: EsPlatform = target.platform;
      for (const text of cleanTexts(reply)) messages.push({ platform, text: { text: [text] } });
      for (const element of rich) messages.push(...cardMessages(element, t, platform, true));
      if (suggestions.length > 0) {
        messages.push({
          platform,
          quickReplies: { title: t.suggestionsTitle, quickReplies: suggestions },
        });
      }
      break;
    }
    case undefined:
      break;
  }

  if (reply.handoff) {
    messages.push({ payload: { liveAgentHandoff: { metadata: reply.handoff.metadata ?? {} } } });
  }
  for (const p of reply.payloads ?? []) {
    messages.push(
      p.platform ? { platform: p.platform, payload: p.payload } : { payload: p.payload },
    );
  }

  const response: EsWebhookResponse = { fulfillmentMessages: messages };
  const text = allTexts(reply).join('\n');
  if (text) response.fulfillmentText = text;

  const contexts = renderContexts(reply, target.session);
  if (contexts.length > 0) response.outputContexts = contexts;

  const entityTypes = renderSessionEntityTypes(reply, target.session);
  if (entityTypes.length > 0) response.sessionEntityTypes = entityTypes;

  if (reply.followupEvent) {
    response.followupEventInput = {
      name: reply.followupEvent.name,
      languageCode: reply.followupEvent.languageCode || target.languageCode || 'en',
      ...(reply.followupEvent.parameters ? { parameters: reply.followupEvent.parameters } : {}),
    };
  }
  return response;
}

/** ES `card` (and `image`) messages for one element, for the default platform or a chat platform. */
function cardMessages(
  element: RichElement,
  t: Messages,
  platform: EsPlatform | undefined,
  withListTitle: boolean,
): EsMessage[] {
  const on = (m: EsMessage): EsMessage => (platform ? { ...m, platform } : m);
  switch (element.kind) {
    case 'card':
      return [on({ card: esCard(element) })];
    case 'image':
      return [on({ image: esImage(element.image) })];
    case 'accordion':
      return [
        on({
          card: esCard({
            kind: 'card',
            title: element.title,
            subtitle: element.subtitle,
            text: element.text,
            image: element.image,
          }),
        }),
      ];
    case 'list': {
      // Chat platforms show consecutive cards as a carousel; the list's title leads as text.
      const out: EsMessage[] =
        element.title && withListTitle ? [on({ text: { text: [element.title] } })] : [];
      for (const item of element.items) {
        out.push(
          on({
            card: esCard({
              kind: 'card',
              title: item.title,
              subtitle: item.description,
              image: item.image,
              buttons: [{ text: t.choose, postback: item.postback }],
            }),
          }),
        );
      }
      return out;
    }
  }
}

/** Facebook allows three buttons on a card; the others keep to that. */
const CARD_BUTTONS_MAX = 3;

function esCard(card: Card): Extract<EsMessage, { card: unknown }>['card'] {
  // The v2 card has no body: the text goes under the subtitle.
  const subtitle = [card.subtitle, card.text].filter(Boolean).join('\n');
  const buttons = (card.buttons ?? []).slice(0, CARD_BUTTONS_MAX).map((b) => ({
    text: b.text,
    // "The text to send back to the Dialogflow API or a URI to open."
    postback: 'url' in b ? b.url : b.postback,
  }));
  return {
    title: card.title,
    ...(subtitle ? { subtitle } : {}),
    ...(card.image ? { imageUri: card.image.url } : {}),
    ...(buttons.length > 0 ? { buttons } : {}),
  };
}

const esImage = (image: Image): EsImage => ({
  imageUri: image.url,
  accessibilityText: image.alt,
});

/* Actions on Google: at most two simple responses (the first message), at most one visual
 * (basic card, list or carousel), at most eight suggestion chips of 25 characters. */
const AOG_SUGGESTIONS_MAX = 8;
const AOG_SUGGESTION_TITLE_MAX = 25;

function actionsOnGoogle(reply: Reply, t: Messages): EsMessage[] {
  const platform = 'ACTIONS_ON_GOOGLE' as const;
  const texts = cleanTexts(reply);
  const rich = richOf(reply);
  const visualIndex = rich.findIndex((e) => aogVisual(e, t) !== undefined);
  const visual = visualIndex >= 0 ? aogVisual(rich[visualIndex]!, t) : undefined;
  // Spoken: the texts and the fallbacks of the elements with no place on screen; without
  // texts, every element's fallback (the visual one included: it is the spoken answer).
  const unshown = rich.filter((_e, i) => i !== visualIndex).map(fallbackText);
  const spoken = (texts.length > 0 ? [...texts, ...unshown] : rich.map(fallbackText)).filter(
    (s) => s !== '',
  );
  const out: EsMessage[] = [];
  if (spoken.length > 0) {
    const first = spoken[0]!;
    const simple: EsSimpleResponse =
      reply.speech && 'ssml' in reply.speech
        ? { ssml: reply.speech.ssml, displayText: first }
        : { textToSpeech: reply.speech?.text ?? first, displayText: first };
    out.push({ platform, simpleResponses: { simpleResponses: [simple] } });
    if (spoken.length > 1) {
      const rest = spoken.slice(1).join('\n');
      out.push({
        platform,
        simpleResponses: { simpleResponses: [{ textToSpeech: rest, displayText: rest }] },
      });
    }
  }
  if (visual) out.push({ platform, ...visual.message });

  const chips = [...(visual?.postbacks ?? []), ...cleanSuggestions(reply)];
  const unique = [...new Set(chips)].slice(0, AOG_SUGGESTIONS_MAX);
  if (unique.length > 0) {
    out.push({
      platform,
      suggestions: {
        suggestions: unique.map((s) => ({ title: clip(s, AOG_SUGGESTION_TITLE_MAX) })),
      },
    });
  }
  if (visual?.link) out.push({ platform, linkOutSuggestion: visual.link });
  return out;
}

type AogVisual = {
  message: EsMessage;
  /** Postback buttons, offered as suggestion chips. */
  postbacks: string[];
  /** A second URL button, as a link-out chip. */
  link?: { destinationName: string; uri: string };
};

function aogVisual(element: RichElement, t: Messages): AogVisual | undefined {
  switch (element.kind) {
    case 'card':
    case 'accordion': {
      const buttons: Button[] = element.kind === 'card' ? (element.buttons ?? []) : [];
      return aogBasicCard(element.title, element.subtitle, element.text, element.image, buttons);
    }
    case 'image':
      return aogBasicCard(undefined, undefined, undefined, element.image, []);
    case 'list': {
      const items = element.items;
      if (items.length === 1) {
        const only = items[0]!;
        return aogBasicCard(only.title, undefined, only.description, only.image, [
          { text: t.choose, postback: only.postback },
        ]);
      }
      const keys = new Set(items.map((i) => i.postback));
      const titles = new Set(items.map((i) => i.title));
      // AoG needs 2–10 (carousel) or 2–30 (list) items with distinct keys and titles.
      if (keys.size !== items.length || titles.size !== items.length) return undefined;
      const select = items.map((item) => ({
        info: { key: item.postback, synonyms: [item.title] },
        title: item.title,
        ...(item.description ? { description: item.description } : {}),
        ...(item.image ? { image: esImage(item.image) } : {}),
      }));
      if (element.style === 'carousel' && items.length <= 10) {
        return { message: { carouselSelect: { items: select } }, postbacks: [] };
      }
      if (items.length > 30) return undefined;
      return {
        message: {
          listSelect: { ...(element.title ? { title: element.title } : {}), items: select },
        },
        postbacks: [],
      };
    }
  }
}

function aogBasicCard(
  title: string | undefined,
  subtitle: string | undefined,
  text: string | undefined,
  image: Image | undefined,
  buttons: Button[],
): AogVisual | undefined {
  const shownImage = image && isHttpsUrl(image.url) ? image : undefined;
  // A basic card needs a body text or an image.
  if (!text && !shownImage) {
    if (!subtitle) return undefined;
    text = subtitle;
    subtitle = undefined;
  }
  const urls = buttons.filter((b): b is { text: string; url: string } => 'url' in b);
  const first = urls[0];
  const second = urls[1];
  return {
    message: {
      basicCard: {
        ...(title ? { title } : {}),
        ...(subtitle ? { subtitle } : {}),
        ...(text ? { formattedText: text } : {}),
        ...(shownImage ? { image: esImage(shownImage) } : {}),
        ...(first ? { buttons: [{ title: first.text, openUriAction: { uri: first.url } }] } : {}),
      },
    },
    postbacks: buttons.flatMap((b) => ('postback' in b ? [b.postback] : [])),
    ...(second ? { link: { destinationName: second.text, uri: second.url } } : {}),
  };
}

function renderContexts(reply: Reply, session: string | undefined): EsContextOut[] {
  if (!session) return [];
  const out: EsContextOut[] = [];
  for (const c of reply.contexts ?? []) {
    if (!CONTEXT_NAME.test(c.name)) continue;
    const lifespan = Number.isFinite(c.lifespanCount) ? Math.floor(c.lifespanCount) : 0;
    const context: EsContextOut = {
      name: `${session}/contexts/${c.name}`,
      lifespanCount: Math.max(0, lifespan),
    };
    if (c.parameters) context.parameters = c.parameters;
    out.push(context);
  }
  return out;
}

function renderSessionEntityTypes(
  reply: Reply,
  session: string | undefined,
): EsSessionEntityType[] {
  if (!session) return [];
  return (reply.sessionEntityTypes ?? [])
    .filter((e) => ENTITY_TYPE_NAME.test(e.name))
    .map((e) => ({
      name: `${session}/entityTypes/${e.name}`,
      entityOverrideMode:
        e.mode === 'supplement'
          ? 'ENTITY_OVERRIDE_MODE_SUPPLEMENT'
          : 'ENTITY_OVERRIDE_MODE_OVERRIDE',
      entities: e.entities
        .filter((x) => x.value !== '')
        .map((x) => ({
          value: x.value,
          // Dialogflow matches synonyms only: the value itself is always one.
          synonyms: [...new Set([x.value, ...(x.synonyms ?? [])].filter((s) => s !== ''))],
        })),
    }));
}
