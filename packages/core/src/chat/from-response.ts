import type { Card, ListMessage, Reply, RichElement } from '../conversation/reply';

/*
 * A DetectIntent response (as google-gax decodes it: proto-loader objects with `Struct`s as
 * `{fields}` and oneofs named in `kind`/`message`) read back into the typed `Reply` the webhook
 * renders from: what the agent said to a client without a platform of its own. ES: the
 * default platform's messages (text, card, image, quickReplies, a `liveAgentHandoff` payload);
 * CX: text, the Dialogflow Messenger `richContent` payload, liveAgentHandoff, endInteraction.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** google.protobuf.Value (proto-loader shape, or already plain JSON) → plain JSON. */
export function protoValueToJson(v: unknown): unknown {
  if (!isObj(v)) return v;
  const kind = typeof v.kind === 'string' ? v.kind : undefined;
  const pick =
    kind ??
    ['structValue', 'listValue', 'stringValue', 'numberValue', 'boolValue', 'nullValue'].find(
      (k) => v[k] !== undefined && v[k] !== null,
    );
  switch (pick) {
    case 'structValue':
      return structToJson(v.structValue);
    case 'listValue':
      return arr((v.listValue as Obj | undefined)?.values).map(protoValueToJson);
    case 'stringValue':
      return v.stringValue;
    case 'numberValue':
      return Number(v.numberValue);
    case 'boolValue':
      return v.boolValue;
    case 'nullValue':
      return null;
    default:
      return v;
  }
}

/** google.protobuf.Struct → a plain object. */
export function structToJson(s: unknown): Obj {
  if (!isObj(s)) return {};
  if (!isObj(s.fields)) return s; // already plain
  return Object.fromEntries(Object.entries(s.fields).map(([k, v]) => [k, protoValueToJson(v)]));
}

/** What one DetectIntent turn gave a web client. */
export interface ChatTurn {
  reply: Reply;
  intent: string | undefined;
  /** The agent ended the conversation. */
  end: boolean;
}

const isHttp = (s: string | undefined) => s !== undefined && /^https?:\/\//i.test(s);

/** An ES (v2) DetectIntentResponse. */
export function turnFromEs(response: unknown): ChatTurn {
  const q = isObj(response) && isObj(response.queryResult) ? response.queryResult : {};
  const reply: Reply = { texts: [] };
  const rich: RichElement[] = [];
  const suggestions: string[] = [];
  for (const m of arr(q.fulfillmentMessages)) {
    if (!isObj(m)) continue;
    // ES repeats a reply per platform; a web client is the default platform.
    const platform = m.platform;
    if (
      platform !== undefined &&
      platform !== '' &&
      platform !== 'PLATFORM_UNSPECIFIED' &&
      platform !== 0
    )
      continue;
    if (isObj(m.text)) {
      reply.texts.push(
        ...arr(m.text.text).filter((t): t is string => typeof t === 'string' && t !== ''),
      );
    } else if (isObj(m.card)) {
      const c = m.card;
      const title = str(c.title);
      if (!title) continue;
      const card: Card = { kind: 'card', title };
      if (str(c.subtitle)) card.subtitle = str(c.subtitle);
      if (str(c.imageUri)) card.image = { url: String(c.imageUri), alt: title };
      const buttons = arr(c.buttons)
        .filter(isObj)
        .flatMap((b) => {
          const text = str(b.text);
          const postback = str(b.postback) ?? text;
          if (!text || !postback) return [];
          return [isHttp(postback) ? { text, url: postback } : { text, postback }];
        });
      if (buttons.length > 0) card.buttons = buttons;
      rich.push(card);
    } else if (isObj(m.image) && str(m.image.imageUri)) {
      rich.push({
        kind: 'image',
        image: { url: String(m.image.imageUri), alt: str(m.image.accessibilityText) ?? '' },
      });
    } else if (isObj(m.quickReplies)) {
      suggestions.push(
        ...arr(m.quickReplies.quickReplies).filter(
          (t): t is string => typeof t === 'string' && t !== '',
        ),
      );
    } else if (isObj(m.payload)) {
      const payload = structToJson(m.payload);
      if (isObj(payload.liveAgentHandoff)) reply.handoff = {};
      if (Array.isArray(payload.richContent))
        readRichContent(payload.richContent, rich, suggestions);
    }
  }
  if (reply.texts.length === 0 && rich.length === 0 && str(q.fulfillmentText)) {
    reply.texts.push(String(q.fulfillmentText));
  }
  if (rich.length > 0) reply.rich = rich;
  if (suggestions.length > 0) reply.suggestions = suggestions;
  const intent = isObj(q.intent) ? q.intent : {};
  const diagnostic = structToJson(q.diagnosticInfo);
  return {
    reply,
    intent: str(intent.displayName),
    end: intent.endInteraction === true || diagnostic.end_conversation === true,
  };
}

/** A CX (v3) DetectIntentResponse. */
export function turnFromCx(response: unknown): ChatTurn {
  const q = isObj(response) && isObj(response.queryResult) ? response.queryResult : {};
  const reply: Reply = { texts: [] };
  const rich: RichElement[] = [];
  const suggestions: string[] = [];
  let end = false;
  for (const m of arr(q.responseMessages)) {
    if (!isObj(m)) continue;
    if (isObj(m.text)) {
      reply.texts.push(
        ...arr(m.text.text).filter((t): t is string => typeof t === 'string' && t !== ''),
      );
    } else if (isObj(m.payload)) {
      const payload = structToJson(m.payload);
      if (Array.isArray(payload.richContent))
        readRichContent(payload.richContent, rich, suggestions);
    } else if (isObj(m.liveAgentHandoff)) {
      reply.handoff = {};
    } else if (isObj(m.endInteraction)) {
      end = true;
    }
  }
  if (rich.length > 0) reply.rich = rich;
  if (suggestions.length > 0) reply.suggestions = suggestions;
  const match = isObj(q.match) ? q.match : {};
  const page = isObj(q.currentPage) ? str(q.currentPage.displayName) : undefined;
  return {
    reply,
    intent: isObj(match.intent) ? str(match.intent.displayName) : undefined,
    end: end || page === 'End Session',
  };
}

/**
 * Dialogflow Messenger rich content (an array of cards, each an array of elements) into
 * elements and suggestions: a card of only chips is suggestions; one with list rows a list
 * (its chips the rows' postbacks, in order); one with info/description/buttons a card.
 */
function readRichContent(cards: unknown[], rich: RichElement[], suggestions: string[]): void {
  for (const inner of cards) {
    const elements = arr(inner).filter(isObj);
    const of = (type: string) => elements.filter((e) => e.type === type);
    const chipTexts = of('chips').flatMap((c) =>
      arr(c.options)
        .filter(isObj)
        .flatMap((o) => (str(o.text) ? [String(o.text)] : [])),
    );
    const rows = of('list');
    const info = of('info')[0];
    const description = of('description')[0];
    if (rows.length > 0) {
      const list: ListMessage = {
        kind: 'list',
        style: 'list',
        items: rows.flatMap((r, i) => {
          const title = str(r.title);
          if (!title) return [];
          return [
            {
              title,
              ...(str(r.subtitle) ? { description: String(r.subtitle) } : {}),
              postback: chipTexts[i] ?? title,
            },
          ];
        }),
      };
      if (description && str(description.title)) list.title = String(description.title);
      if (list.items.length > 0) rich.push(list);
      continue;
    }
    if (info || description || of('button').length > 0) {
      const title = str(info?.title) ?? str(description?.title);
      if (!title) continue;
      const card: Card = { kind: 'card', title };
      if (str(info?.subtitle)) card.subtitle = String(info?.subtitle);
      const text = arr(description?.text)
        .filter((t): t is string => typeof t === 'string')
        .join('\n');
      if (text) card.text = text;
      const image = isObj(info?.image) ? str(info.image.rawUrl) : undefined;
      if (image) card.image = { url: image, alt: title };
      const buttons: Card['buttons'] = [];
      for (const b of of('button')) {
        const href = isObj(b.anchor) ? str(b.anchor.href) : undefined;
        if (str(b.text) && href) buttons.push({ text: String(b.text), url: href });
      }
      for (const c of chipTexts) buttons.push({ text: c, postback: c });
      if (buttons.length > 0) card.buttons = buttons;
      rich.push(card);
      continue;
    }
    for (const e of elements) {
      if (e.type === 'image' && str(e.rawUrl)) {
        rich.push({
          kind: 'image',
          image: { url: String(e.rawUrl), alt: str(e.accessibilityText) ?? '' },
        });
      } else if (e.type === 'accordion' && str(e.title)) {
        rich.push({
          kind: 'accordion',
          title: String(e.title),
          ...(str(e.subtitle) ? { subtitle: String(e.subtitle) } : {}),
          text: str(e.text) ?? '',
        });
      }
    }
    suggestions.push(...chipTexts);
  }
}
