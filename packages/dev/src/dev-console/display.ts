/*
 * What the user would see: a webhook response (or a DetectIntent result) turned into a short
 * list of display items the page renders as chat bubbles, chips and cards. ES picks the
 * messages of the user's platform when there are any, else the default ones, as the
 * integrations do; CX skips messages addressed to another channel.
 */

export type DisplayItem =
  | { kind: 'text'; text: string }
  | { kind: 'chips'; title?: string; options: string[] }
  | {
      kind: 'card';
      title?: string;
      subtitle?: string;
      text?: string;
      imageUri?: string;
      buttons: { text: string; uri?: string }[];
    }
  | { kind: 'image'; uri: string; alt?: string }
  | { kind: 'list'; title?: string; items: { title: string; description?: string }[] }
  | { kind: 'handoff'; metadata?: unknown }
  | { kind: 'end' }
  /** A custom payload the console cannot draw: shown as JSON, as a platform would pass it on. */
  | { kind: 'payload'; json: unknown };

/** Dialogflow's platform names for the request sources. */
export type DisplayPlatform = 'LINE' | 'SLACK' | 'TELEGRAM' | 'FACEBOOK' | 'ACTIONS_ON_GOOGLE';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * The ES messages a user on `platform` sees: that platform's messages when the response has
 * any, else the default ones (no platform or PLATFORM_UNSPECIFIED); `fulfillmentText` when
 * there are no messages at all.
 */
export function displayEs(
  messages: unknown,
  fulfillmentText: unknown,
  platform: DisplayPlatform | undefined,
): DisplayItem[] {
  const all = list(messages).filter(isObj);
  const own = platform ? all.filter((m) => m.platform === platform) : [];
  const chosen =
    own.length > 0
      ? own
      : all.filter((m) => m.platform === undefined || m.platform === 'PLATFORM_UNSPECIFIED');
  if (all.length === 0) {
    const text = str(fulfillmentText);
    return text ? [{ kind: 'text', text }] : [];
  }
  return chosen.flatMap((m) =>
    platform === 'LINE' && m.platform === 'LINE' && isObj(m.quickReplies)
      ? lineButtons(m.quickReplies)
      : esMessage(m),
  );
}

/** LINE's integration turns quick replies into a buttons template: a title and four buttons. */
function lineButtons(q: Json): DisplayItem[] {
  const options = list(q.quickReplies)
    .map((o) => str(o))
    .filter((o): o is string => o !== undefined)
    .slice(0, 4);
  return options.length > 0
    ? [card({ title: str(q.title), buttons: options.map((text) => ({ text })) })]
    : [];
}

function esMessage(m: Json): DisplayItem[] {
  if (isObj(m.text)) return texts(m.text.text);
  if (isObj(m.quickReplies)) {
    return chips(
      list(m.quickReplies.quickReplies).map((q) => str(q)),
      str(m.quickReplies.title),
    );
  }
  if (isObj(m.card)) {
    return [
      card({
        title: str(m.card.title),
        subtitle: str(m.card.subtitle),
        imageUri: str(m.card.imageUri),
        buttons: list(m.card.buttons)
          .filter(isObj)
          .map((b) => ({ text: str(b.text) ?? '', uri: str(b.postback) })),
      }),
    ];
  }
  if (isObj(m.image)) {
    const uri = str(m.image.imageUri);
    return uri ? [{ kind: 'image', uri, alt: str(m.image.accessibilityText) }] : [];
  }
  if (isObj(m.simpleResponses)) {
    return list(m.simpleResponses.simpleResponses)
      .filter(isObj)
      .flatMap((r) => texts([r.displayText ?? r.textToSpeech]));
  }
  if (isObj(m.basicCard)) {
    const c = m.basicCard;
    return [
      card({
        title: str(c.title),
        subtitle: str(c.subtitle),
        text: str(c.formattedText),
        imageUri: isObj(c.image) ? str(c.image.imageUri) : undefined,
        buttons: list(c.buttons)
          .filter(isObj)
          .map((b) => ({
            text: str(b.title) ?? '',
            uri: isObj(b.openUriAction) ? str(b.openUriAction.uri) : undefined,
          })),
      }),
    ];
  }
  if (isObj(m.suggestions)) {
    return chips(list(m.suggestions.suggestions).map((s) => (isObj(s) ? str(s.title) : undefined)));
  }
  if (isObj(m.linkOutSuggestion)) {
    const l = m.linkOutSuggestion;
    return [card({ buttons: [{ text: str(l.destinationName) ?? '', uri: str(l.uri) }] })];
  }
  for (const key of ['listSelect', 'carouselSelect'] as const) {
    const sel = m[key];
    if (isObj(sel)) {
      return [
        {
          kind: 'list',
          title: str(sel.title),
          items: list(sel.items)
            .filter(isObj)
            .map((i) => ({ title: str(i.title) ?? '', description: str(i.description) })),
        },
      ];
    }
  }
  if (isObj(m.payload)) return esPayload(m.payload);
  const { platform: _platform, ...rest } = m;
  return [{ kind: 'payload', json: rest }];
}

/** An ES custom payload: a LINE message, a handoff, or something shown as JSON. */
function esPayload(payload: Json): DisplayItem[] {
  if (isObj(payload.line)) return lineMessage(payload.line);
  if (isObj(payload.liveAgentHandoff)) {
    return [{ kind: 'handoff', metadata: payload.liveAgentHandoff.metadata }];
  }
  return [{ kind: 'payload', json: payload }];
}

/**
 * A LINE Messaging API message (the `line` key of an ES custom payload) as LINE shows it: a
 * text or a Flex message (bubbles become cards), with its quick-reply chips below.
 */
function lineMessage(line: Json): DisplayItem[] {
  const items: DisplayItem[] = [];
  if (line.type === 'text') items.push(...texts([line.text]));
  else if (line.type === 'flex' && isObj(line.contents)) {
    const contents = line.contents;
    const bubbles = contents.type === 'carousel' ? list(contents.contents) : [contents];
    items.push(...bubbles.filter(isObj).map(flexBubble));
  } else items.push({ kind: 'payload', json: { line } });
  const quick = isObj(line.quickReply) ? list(line.quickReply.items) : [];
  items.push(
    ...chips(quick.map((q) => (isObj(q) && isObj(q.action) ? str(q.action.label) : undefined))),
  );
  return items;
}

/** A Flex bubble as a card: its first text the title, the other texts, hero image, buttons. */
function flexBubble(bubble: Json): DisplayItem {
  const textsIn: string[] = [];
  const buttons: { text: string; uri?: string }[] = [];
  const walk = (node: unknown) => {
    if (!isObj(node)) return;
    if (node.type === 'text' && str(node.text)) textsIn.push(str(node.text)!);
    if (node.type === 'button' && isObj(node.action)) {
      buttons.push({ text: str(node.action.label) ?? '', uri: str(node.action.uri) });
    }
    for (const child of list(node.contents)) walk(child);
  };
  walk(bubble.body);
  walk(bubble.footer);
  const hero = isObj(bubble.hero) ? str(bubble.hero.url) : undefined;
  return card({
    title: textsIn[0],
    text: textsIn.slice(1).join('\n'),
    imageUri: hero,
    buttons,
  });
}

/** The CX messages a user on `channel` sees (messages for another channel are skipped). */
export function displayCx(messages: unknown, channel?: string): DisplayItem[] {
  return list(messages)
    .filter(isObj)
    .filter((m) => !str(m.channel) || m.channel === channel)
    .flatMap(cxMessage);
}

function cxMessage(m: Json): DisplayItem[] {
  if (isObj(m.text)) return texts(m.text.text);
  if (isObj(m.outputAudioText)) return texts([m.outputAudioText.text ?? m.outputAudioText.ssml]);
  if (isObj(m.liveAgentHandoff))
    return [{ kind: 'handoff', metadata: m.liveAgentHandoff.metadata }];
  if (isObj(m.endInteraction)) return [{ kind: 'end' }];
  if (isObj(m.payload)) {
    const rich = m.payload.richContent;
    if (Array.isArray(rich))
      return list(rich).flatMap((row) => list(row).filter(isObj).flatMap(richItem));
    return [{ kind: 'payload', json: m.payload }];
  }
  // conversationSuccess, playAudio, telephony...: nothing to draw, so show it as JSON.
  const { channel: _channel, ...rest } = m;
  return [{ kind: 'payload', json: rest }];
}

/** One element of a Dialogflow Messenger `richContent` row. */
function richItem(r: Json): DisplayItem[] {
  switch (r.type) {
    case 'chips':
      return chips(list(r.options).map((o) => (isObj(o) ? str(o.text) : undefined)));
    case 'info':
      return [
        card({
          title: str(r.title),
          subtitle: str(r.subtitle),
          imageUri: isObj(r.image) && isObj(r.image.src) ? str(r.image.src.rawUrl) : undefined,
          buttons: str(r.actionLink) ? [{ text: str(r.actionLink)!, uri: str(r.actionLink) }] : [],
        }),
      ];
    case 'description':
      return [
        card({ title: str(r.title), text: list(r.text).map(String).join('\n'), buttons: [] }),
      ];
    case 'button':
      return [card({ buttons: [{ text: str(r.text) ?? '', uri: str(r.link) }] })];
    case 'image': {
      const uri = str(r.rawUrl);
      return uri ? [{ kind: 'image', uri, alt: str(r.accessibilityText) }] : [];
    }
    case 'list':
      return [
        { kind: 'list', items: [{ title: str(r.title) ?? '', description: str(r.subtitle) }] },
      ];
    default:
      return [{ kind: 'payload', json: r }];
  }
}

function texts(values: unknown): DisplayItem[] {
  return list(values)
    .map((t) => str(t))
    .filter((t): t is string => t !== undefined)
    .map((text) => ({ kind: 'text', text }));
}

function chips(options: (string | undefined)[], title?: string): DisplayItem[] {
  const kept = options.filter((o): o is string => o !== undefined);
  return kept.length > 0 ? [{ kind: 'chips', ...(title ? { title } : {}), options: kept }] : [];
}

function card(c: Omit<Extract<DisplayItem, { kind: 'card' }>, 'kind'>): DisplayItem {
  const out: Extract<DisplayItem, { kind: 'card' }> = { kind: 'card', buttons: c.buttons };
  if (c.title) out.title = c.title;
  if (c.subtitle) out.subtitle = c.subtitle;
  if (c.text) out.text = c.text;
  if (c.imageUri) out.imageUri = c.imageUri;
  return out;
}
