import type { JsonObject } from '../dialogflow';
import type { CoreMessages as Messages } from '../messages';
import type { Button, Image, ListMessage, Reply, RichElement } from './reply';
import { allTexts, cleanSuggestions, cleanTexts, clip, isHttpsUrl, richOf } from './render-text';

/*
 * The reply as ONE message in LINE's Messaging API format (sent through the ES `payload.line`
 * custom payload): a text message, or a Flex message when the reply has rich elements, with
 * LINE's native quick reply for the suggestions. One message, so a LINE chat never shows the
 * same prompt twice. Limits from the Messaging API reference.
 */

const TEXT_MAX = 5000;
const ALT_TEXT_MAX = 400;
const QUICK_REPLY_MAX = 13;
const LABEL_MAX = 20;
const ACTION_TEXT_MAX = 300;
const CAROUSEL_MAX = 12;
const BUTTONS_MAX = 4;
const URL_MAX = 2000;
const URI_ACTION_MAX = 1000;
const MUTED = '#888888';

/** The LINE message for a reply, or `undefined` when it has nothing to show. */
export function lineMessage(reply: Reply, t: Messages): JsonObject | undefined {
  const texts = cleanTexts(reply);
  const suggestions = cleanSuggestions(reply, QUICK_REPLY_MAX);
  const quickReply: JsonObject | undefined =
    suggestions.length > 0
      ? { items: suggestions.map((s) => ({ type: 'action', action: messageAction(s, s) })) }
      : undefined;
  const withQuickReply = (m: JsonObject): JsonObject => (quickReply ? { ...m, quickReply } : m);

  const bubbles = richOf(reply).flatMap((e) => bubblesOf(e, t));
  if (bubbles.length === 0) {
    const text = texts.join('\n') || (quickReply ? t.suggestionsTitle : '');
    return text ? withQuickReply({ type: 'text', text: clip(text, TEXT_MAX) }) : undefined;
  }
  if (texts.length > 0) prependTexts(bubbles[0]!, texts);
  const shown = bubbles.slice(0, CAROUSEL_MAX);
  return withQuickReply({
    type: 'flex',
    altText: clip(allTexts(reply).join('\n') || t.suggestionsTitle, ALT_TEXT_MAX),
    contents: shown.length === 1 ? shown[0]! : { type: 'carousel', contents: shown },
  });
}

type Bubble = JsonObject & { body?: JsonObject & { contents: JsonObject[] } };

function bubblesOf(element: RichElement, t: Messages): Bubble[] {
  switch (element.kind) {
    case 'card':
      return [
        bubble({
          image: element.image,
          body: [title(element.title), muted(element.subtitle), body(element.text)],
          buttons: element.buttons ?? [],
        }),
      ];
    case 'image':
      return [
        bubble({
          image: element.image,
          body: usableImage(element.image) ? [] : [body(element.image.alt)],
          buttons: [],
        }),
      ];
    case 'accordion':
      return [
        bubble({
          image: element.image,
          body: [title(element.title), muted(element.subtitle), body(element.text)],
          buttons: [],
        }),
      ];
    case 'list':
      return element.style === 'carousel'
        ? element.items.map((item) =>
            bubble({
              image: item.image,
              body: [title(item.title), muted(item.description)],
              buttons: [{ text: t.choose, postback: item.postback }],
            }),
          )
        : [listBubble(element)];
  }
}

function listBubble(list: ListMessage): Bubble {
  const rows: JsonObject[] = [];
  list.items.forEach((item, i) => {
    if (i > 0) rows.push({ type: 'separator', margin: 'md' });
    rows.push({
      type: 'box',
      layout: 'vertical',
      margin: 'md',
      action: messageAction(item.title, item.postback),
      contents: [
        { type: 'text', text: item.title, weight: 'bold', wrap: true },
        ...(item.description ? [muted(item.description)!] : []),
      ],
    });
  });
  return bubble({ body: [title(list.title), ...rows], buttons: [] });
}

function bubble(parts: {
  image?: Image;
  body: (JsonObject | undefined)[];
  buttons: Button[];
}): Bubble {
  const out: Bubble = { type: 'bubble' };
  if (parts.image && usableImage(parts.image)) {
    out.hero = {
      type: 'image',
      url: parts.image.url,
      size: 'full',
      aspectRatio: '20:13',
      aspectMode: 'fit',
    };
  }
  const contents = parts.body.filter((c): c is JsonObject => c !== undefined);
  if (contents.length > 0 || !out.hero) {
    out.body = { type: 'box', layout: 'vertical', spacing: 'sm', contents };
  }
  const buttons = parts.buttons.flatMap((b) => {
    const action = buttonAction(b);
    return action ? [{ type: 'button', style: 'link', height: 'sm', action }] : [];
  });
  if (buttons.length > 0) {
    out.footer = {
      type: 'box',
      layout: 'vertical',
      spacing: 'sm',
      contents: buttons.slice(0, BUTTONS_MAX),
    };
  }
  return out;
}

/** The reply's texts at the top of the first bubble, above a separator. */
function prependTexts(first: Bubble, texts: string[]): void {
  const lines: JsonObject[] = texts.map((text) => ({ type: 'text', text, wrap: true }));
  if (!first.body) {
    first.body = { type: 'box', layout: 'vertical', spacing: 'sm', contents: lines };
    return;
  }
  const rest = first.body.contents;
  first.body.contents = [
    ...lines,
    ...(rest.length > 0 ? [{ type: 'separator', margin: 'md' }, ...rest] : []),
  ];
}

const title = (text: string | undefined): JsonObject | undefined =>
  text ? { type: 'text', text, weight: 'bold', size: 'lg', wrap: true } : undefined;
const muted = (text: string | undefined): JsonObject | undefined =>
  text ? { type: 'text', text, size: 'sm', color: MUTED, wrap: true } : undefined;
const body = (text: string | undefined): JsonObject | undefined =>
  text ? { type: 'text', text, size: 'sm', wrap: true } : undefined;

/** LINE shows only HTTPS images (and rejects the whole message for any other). */
const usableImage = (image: Image): boolean => isHttpsUrl(image.url) && image.url.length <= URL_MAX;

function messageAction(label: string, text: string): JsonObject {
  return { type: 'message', label: clip(label, LABEL_MAX), text: clip(text, ACTION_TEXT_MAX) };
}

/** A URI action for http(s), tel and line URLs; a message action for a postback. */
function buttonAction(button: Button): JsonObject | undefined {
  if ('postback' in button) return messageAction(button.text, button.postback);
  if (!/^(https?:\/\/|tel:|line:\/\/)\S+$/i.test(button.url)) return undefined;
  if (button.url.length > URI_ACTION_MAX) return undefined;
  return { type: 'uri', label: clip(button.text, LABEL_MAX), uri: button.url };
}
