import { describe, expect, it } from 'vitest';
import {
  fallbackText,
  lineMessage,
  renderCx,
  renderEs,
  show,
  type Platform,
  type Reply,
  type RichElement,
} from '@dialogflow-functions/core/conversation';
import { messagesFor } from '../src/messages';
import { assertValidResponse, protoErrors } from '@dialogflow-functions/testing/proto-check';
import { assertValidLineMessage, lineErrors } from './helpers/line-check';
import {
  lineMessagesOf,
  richContentOf,
  suggestionsOf,
} from '@dialogflow-functions/testing/replies';

const t = messagesFor('en');
const SESSION = 'projects/demo-local/agent/sessions/s-1';
type Json = Record<string, unknown>;

const IMAGE = { url: 'https://example.com/latte.png', alt: 'A cup of latte' };
const card: RichElement = {
  kind: 'card',
  title: 'Order 1001',
  subtitle: 'On its way',
  text: 'Delivery date: 2026-12-01',
  image: IMAGE,
  buttons: [
    { text: 'Track parcel', url: 'https://example.com/track/1001' },
    { text: 'Order help', url: 'https://example.com/help' },
    { text: 'Check another order', postback: 'Check another order' },
  ],
};
const image: RichElement = { kind: 'image', image: IMAGE };
const items = [
  { title: 'Latte', description: 'Espresso and milk', image: IMAGE, postback: 'latte' },
  { title: 'Matcha', description: 'Green tea latte', postback: 'matcha' },
  { title: 'Croissant', postback: 'croissant' },
];
const list: RichElement = { kind: 'list', style: 'list', title: 'Our menu', items };
const carousel: RichElement = { kind: 'list', style: 'carousel', items };
const accordion: RichElement = {
  kind: 'accordion',
  title: 'Opening hours',
  subtitle: 'Every day',
  text: 'We open at 8:00 and close at 20:00.',
};
const suggestions = ['Check an order', 'Weather'];

/** Every reply kind, alone and together, with and without texts. */
const KINDS: [string, Reply][] = [
  ['a card (no texts)', show(card, { suggestions })],
  ['a card with a text', show(card, { texts: ['Here it is.'], suggestions })],
  ['a card with its own fallback', show({ ...card, fallback: 'Order 1001 is on its way.' })],
  ['an image', show(image)],
  ['a list', show(list, { texts: ['Pick one:'] })],
  ['a carousel', show(carousel, { suggestions })],
  ['a one-item list', show({ ...list, items: items.slice(0, 1) })],
  ['a list with duplicate titles', show({ ...carousel, items: [items[0]!, items[0]!] })],
  ['an accordion', show(accordion)],
  ['every kind at once', show([card, image, list, carousel, accordion], { suggestions })],
  [
    'a card with a plain-HTTP image',
    show({ ...card, image: { url: 'http://x.test/a.png', alt: 'a' } }),
  ],
  ['a card with only a title', show({ kind: 'card', title: 'Just a title' })],
  ['plain texts', { texts: ['One.', 'Two.', 'Three.'], suggestions }],
];

const PLATFORMS: (Platform | undefined)[] = [
  undefined,
  'LINE',
  'SLACK',
  'TELEGRAM',
  'FACEBOOK',
  'ACTIONS_ON_GOOGLE',
];

const allFallbacks = (reply: Reply) => (reply.rich ?? []).map(fallbackText);

describe.each(PLATFORMS)('ES for %s', (platform) => {
  it.each(KINDS)('%s: a valid response with every element readable', (_name, reply) => {
    const body = renderEs(reply, { session: SESSION, platform, languageCode: 'en', t }) as Json;
    assertValidResponse('es', body);
    const messages = body.fulfillmentMessages as Json[];
    // fulfillmentText: the whole reply as text.
    for (const f of [...reply.texts, ...allFallbacks(reply)]) {
      expect(body.fulfillmentText).toContain(f);
    }
    // Default platform: the texts (or, without texts, the fallbacks), never nothing.
    const defaults = messages.filter((m) => m.platform === undefined && m.text);
    expect(defaults.length).toBeGreaterThan(0);
    if (reply.texts.length === 0) {
      expect(defaults.map((m) => (m.text as { text: string[] }).text[0])).toEqual(
        allFallbacks(reply),
      );
    }
    if (reply.suggestions) expect(suggestionsOf('es', body)).toEqual(reply.suggestions);

    const own = messages.filter((m) => m.platform === platform);
    if (platform) expect(own.length).toBeGreaterThan(0);
    switch (platform) {
      case 'LINE': {
        // Exactly one LINE message, and a valid one.
        expect(own).toHaveLength(1);
        const line = lineMessagesOf(body)[0]!;
        assertValidLineMessage(line);
        expect(line.type).toBe(reply.rich ? 'flex' : 'text');
        const quick = (line.quickReply as Json | undefined)?.items as Json[] | undefined;
        expect(quick?.map((i) => (i.action as Json).text)).toEqual(reply.suggestions);
        if (reply.rich) {
          for (const f of allFallbacks(reply)) expect(line.altText).toContain(f.slice(0, 20));
        }
        break;
      }
      case 'ACTIONS_ON_GOOGLE': {
        // A simple response first, one SimpleResponse per message, at most two; one visual.
        expect(own[0]).toHaveProperty('simpleResponses');
        const simple = own.filter((m) => m.simpleResponses);
        expect(simple.length).toBeLessThanOrEqual(2);
        for (const m of simple) {
          expect(
            (m.simpleResponses as { simpleResponses: unknown[] }).simpleResponses,
          ).toHaveLength(1);
        }
        const visuals = own.filter((m) => m.basicCard || m.listSelect || m.carouselSelect);
        expect(visuals.length).toBeLessThanOrEqual(1);
        const chips = own.find((m) => m.suggestions)?.suggestions as
          | { suggestions: { title: string }[] }
          | undefined;
        expect(chips?.suggestions.length ?? 0).toBeLessThanOrEqual(8);
        for (const c of chips?.suggestions ?? []) expect(c.title.length).toBeLessThanOrEqual(25);
        // Everything not on screen is spoken.
        const spoken = simple
          .map((m) => (m.simpleResponses as { simpleResponses: Json[] }).simpleResponses[0]!)
          .map((s) => String(s.displayText))
          .join('\n');
        const visualIndex = (reply.rich ?? []).findIndex(() => visuals.length > 0);
        (reply.rich ?? []).forEach((e, i) => {
          if (i !== visualIndex || reply.texts.length === 0) {
            expect(spoken).toContain(fallbackText(e));
          }
        });
        break;
      }
      case 'SLACK':
      case 'TELEGRAM':
      case 'FACEBOOK': {
        const ownTexts = own.map((m) => (m.text as { text: string[] } | undefined)?.text[0]);
        for (const text of reply.texts) expect(ownTexts).toContain(text);
        for (const m of own.filter((x) => x.card)) {
          expect(
            ((m.card as Json).buttons as unknown[] | undefined)?.length ?? 0,
          ).toBeLessThanOrEqual(3);
        }
        const cards = own.filter((m) => m.card || m.image).length;
        const expected = (reply.rich ?? []).reduce(
          (n, e) => n + (e.kind === 'list' ? e.items.length : 1),
          0,
        );
        expect(cards).toBe(expected);
        break;
      }
    }
  });
});

describe.each(PLATFORMS)('CX for %s', (platform) => {
  it.each(KINDS)('%s: a valid response with every element readable', (_name, reply) => {
    const body = renderCx(reply, { platform }) as Json;
    assertValidResponse('cx', body);
    const messages = (body.fulfillmentResponse as { messages: Json[] }).messages;
    const texts = messages.flatMap((m) => (m.text as { text: string[] } | undefined)?.text ?? []);
    expect(texts.length).toBeGreaterThan(0);
    if (reply.texts.length === 0 || platform) {
      // Text-only channels (and voice) get every element's fallback.
      for (const f of allFallbacks(reply)) expect(texts).toContain(f);
    }
    if (reply.rich) {
      const types = richContentOf(body)
        .flat()
        .map((e) => e.type);
      for (const e of reply.rich) {
        const expected = {
          card: 'info',
          image: 'image',
          list: e.kind === 'list' && e.style === 'list' ? 'list' : 'info',
          accordion: 'accordion',
        }[e.kind];
        expect(types).toContain(expected);
      }
    }
    if (reply.suggestions) expect(suggestionsOf('cx', body)).toEqual(reply.suggestions);
  });
});

describe('text fallbacks', () => {
  it.each([
    [
      'a card: title, subtitle, text, URL buttons',
      card,
      'Order 1001\nOn its way\nDelivery date: 2026-12-01\nTrack parcel: https://example.com/track/1001\nOrder help: https://example.com/help',
    ],
    ['an image: its alt text', image, 'A cup of latte'],
    [
      'a list: title and numbered items',
      list,
      'Our menu\n1. Latte – Espresso and milk\n2. Matcha – Green tea latte\n3. Croissant',
    ],
    [
      'an accordion: all of it',
      accordion,
      'Opening hours\nEvery day\nWe open at 8:00 and close at 20:00.',
    ],
    ['a given fallback wins', { ...card, fallback: 'Said instead.' }, 'Said instead.'],
  ] as [string, RichElement, string][])('%s', (_n, element, expected) => {
    expect(fallbackText(element)).toBe(expected);
  });

  it('a platform that cannot show a kind gets its fallback, never an empty reply', () => {
    // Actions on Google shows one visual: the second card is spoken.
    const second: RichElement = { ...card, title: 'Order 1002', fallback: 'And order 1002.' };
    const body = renderEs(show([card, second]), {
      session: SESSION,
      platform: 'ACTIONS_ON_GOOGLE',
      languageCode: 'en',
      t,
    });
    const aog = body.fulfillmentMessages!.filter((m) => m.platform === 'ACTIONS_ON_GOOGLE');
    expect(aog.filter((m) => 'basicCard' in m)).toHaveLength(1);
    expect(JSON.stringify(aog.filter((m) => 'simpleResponses' in m))).toContain('And order 1002.');
    // CX from LINE (no Messenger there): the card as text.
    const cx = renderCx(show(card), { platform: 'LINE' });
    expect(cx.fulfillmentResponse!.messages[0]).toEqual({ text: { text: [fallbackText(card)] } });
  });

  it('an empty list or image shows nothing rather than something broken', () => {
    const empty = show([
      { kind: 'list', style: 'carousel', items: [] },
      { kind: 'image', image: { url: '', alt: '' } },
    ]);
    const es = renderEs(empty, { session: SESSION, platform: 'LINE', languageCode: 'en', t });
    assertValidResponse('es', es);
    expect(es.fulfillmentMessages).toEqual([]);
    expect(lineMessage(empty, t)).toBeUndefined();
  });
});

describe('LINE: one message per reply', () => {
  it('text and suggestions: one text message with native quick reply', () => {
    const m = lineMessage({ texts: ['Hi!', 'How can I help?'], suggestions }, t)!;
    assertValidLineMessage(m);
    expect(m).toEqual({
      type: 'text',
      text: 'Hi!\nHow can I help?',
      quickReply: {
        items: suggestions.map((s) => ({
          type: 'action',
          action: { type: 'message', label: s, text: s },
        })),
      },
    });
  });

  it('suggestions only: the suggestions title carries the quick reply', () => {
    expect(lineMessage({ texts: [], suggestions }, t)).toMatchObject({
      type: 'text',
      text: t.suggestionsTitle,
    });
  });

  it('a card: one Flex bubble with hero image, texts, card fields, buttons', () => {
    const m = lineMessage(show(card, { texts: ['Here it is.'], suggestions }), t)!;
    assertValidLineMessage(m);
    const bubble = m.contents as Json;
    expect(bubble.type).toBe('bubble');
    expect(bubble.hero).toMatchObject({ type: 'image', url: IMAGE.url });
    const body = JSON.stringify(bubble.body);
    for (const s of ['Here it is.', 'Order 1001', 'On its way', 'Delivery date: 2026-12-01']) {
      expect(body).toContain(s);
    }
    const actions = ((bubble.footer as Json).contents as Json[]).map((b) => b.action);
    expect(actions).toEqual([
      { type: 'uri', label: 'Track parcel', uri: 'https://example.com/track/1001' },
      { type: 'uri', label: 'Order help', uri: 'https://example.com/help' },
      { type: 'message', label: 'Check another order', text: 'Check another order' },
    ]);
  });

  it('limits: 13 quick replies, 20-character labels, 12 bubbles, HTTPS images only', () => {
    const many = Array.from({ length: 20 }, (_, i) => `Suggestion number ${i} that is long`);
    const bubbles = Array.from({ length: 15 }, (_, i) => ({ ...card, title: `Card ${i}` }));
    const plain = { ...card, image: { url: 'http://x.test/a.png', alt: 'a' } };
    const m = lineMessage(show([plain, ...bubbles], { suggestions: many }), t)!;
    expect(lineErrors(m)).toEqual([]);
    expect((m.quickReply as { items: unknown[] }).items).toHaveLength(13);
    const first = (m.quickReply as { items: { action: { label: string; text: string } }[] })
      .items[0]!.action;
    expect(Array.from(first.label)).toHaveLength(20);
    expect(first.text).toBe(many[0]);
    const carouselBubbles = (m.contents as { contents: Json[] }).contents;
    expect(carouselBubbles).toHaveLength(12);
    expect(carouselBubbles[0]).not.toHaveProperty('hero');
  });

  it('a list: one bubble whose rows send the postbacks; a carousel: a bubble per item', () => {
    const l = lineMessage(show(list), t)!;
    assertValidLineMessage(l);
    const rows = JSON.stringify(l.contents);
    for (const item of items) expect(rows).toContain(`"text":"${item.postback}"`);
    const c = lineMessage(show(carousel), t)!;
    assertValidLineMessage(c);
    expect((c.contents as { contents: unknown[] }).contents).toHaveLength(3);
  });

  it('the ES response carries no other LINE message (no quickReplies, no LINE text)', () => {
    const es = renderEs(show(card, { texts: ['x'], suggestions }), {
      session: SESSION,
      platform: 'LINE',
      languageCode: 'en',
      t,
    });
    expect(es.fulfillmentMessages!.filter((m) => m.platform === 'LINE')).toEqual([
      {
        platform: 'LINE',
        payload: { line: lineMessage(show(card, { texts: ['x'], suggestions }), t)! },
      },
    ]);
  });
});

describe('Actions on Google', () => {
  const target = {
    session: SESSION,
    platform: 'ACTIONS_ON_GOOGLE' as const,
    languageCode: 'en',
    t,
  };
  const aog = (reply: Reply) =>
    renderEs(reply, target).fulfillmentMessages!.filter(
      (m) => m.platform === 'ACTIONS_ON_GOOGLE',
    ) as Json[];

  it('a card: simple response, basic card with one link, link-out, postbacks as chips', () => {
    const out = aog(show(card, { suggestions }));
    expect(out[0]).toEqual({
      platform: 'ACTIONS_ON_GOOGLE',
      simpleResponses: {
        simpleResponses: [{ textToSpeech: fallbackText(card), displayText: fallbackText(card) }],
      },
    });
    expect(out.find((m) => m.basicCard)?.basicCard).toEqual({
      title: 'Order 1001',
      subtitle: 'On its way',
      formattedText: 'Delivery date: 2026-12-01',
      image: { imageUri: IMAGE.url, accessibilityText: IMAGE.alt },
      buttons: [
        { title: 'Track parcel', openUriAction: { uri: 'https://example.com/track/1001' } },
      ],
    });
    expect(out.find((m) => m.linkOutSuggestion)?.linkOutSuggestion).toEqual({
      destinationName: 'Order help',
      uri: 'https://example.com/help',
    });
    expect(out.find((m) => m.suggestions)?.suggestions).toEqual({
      suggestions: [{ title: 'Check another order' }, ...suggestions.map((title) => ({ title }))],
    });
  });

  it('lists: listSelect or carouselSelect with keys and synonyms; SSML speech', () => {
    const l = aog({
      ...show(list, { texts: ['Pick one'] }),
      speech: { ssml: '<speak>Pick one</speak>' },
    });
    expect(l[0]).toEqual({
      platform: 'ACTIONS_ON_GOOGLE',
      simpleResponses: {
        simpleResponses: [{ ssml: '<speak>Pick one</speak>', displayText: 'Pick one' }],
      },
    });
    expect((l.find((m) => m.listSelect)!.listSelect as Json).items).toContainEqual({
      info: { key: 'matcha', synonyms: ['Matcha'] },
      title: 'Matcha',
      description: 'Green tea latte',
    });
    const c = aog(show(carousel));
    expect((c.find((m) => m.carouselSelect)!.carouselSelect as Json).items).toHaveLength(3);
  });

  it('more than two texts: two simple responses, the rest joined into the second', () => {
    const out = aog({ texts: ['a', 'b', 'c'] });
    expect(out).toHaveLength(2);
    expect(JSON.stringify(out[1])).toContain('b\\nc');
  });
});

describe('CX response features', () => {
  it('renders every feature as the v3 proto has it', () => {
    const reply: Reply = {
      texts: ['Connecting you.'],
      speech: { ssml: '<speak>Connecting you.</speak>' },
      playAudio: { audioUri: 'gs://bucket/hold-music.wav' },
      handoff: { metadata: { reason: 'user-request', priority: 2 } },
      conversationSuccess: { metadata: { resolved: false } },
      transferCall: { phoneNumber: '+886212345678' },
      mergeBehavior: 'REPLACE',
      sessionParameters: { job_id: 'r-1', order_id: null },
      contexts: [
        { name: 'pending_job', lifespanCount: 5, parameters: { job_id: 'r-2' } },
        { name: 'old', lifespanCount: 0, parameters: { old_value: 'x' } },
      ],
      target: { flow: 'projects/p/locations/l/agents/a/flows/f' },
    };
    const body = renderCx(reply);
    assertValidResponse('cx', body);
    expect(body).toEqual({
      fulfillmentResponse: {
        messages: [
          { text: { text: ['Connecting you.'] } },
          { outputAudioText: { ssml: '<speak>Connecting you.</speak>' } },
          { playAudio: { audioUri: 'gs://bucket/hold-music.wav' } },
          { liveAgentHandoff: { metadata: { reason: 'user-request', priority: 2 } } },
          { conversationSuccess: { metadata: { resolved: false } } },
          { telephonyTransferCall: { phoneNumber: '+886212345678' } },
        ],
        mergeBehavior: 'REPLACE',
      },
      // The session parameter wins over the context's; null removes; an ended context's
      // parameters are removed.
      sessionInfo: { parameters: { job_id: 'r-1', order_id: null, old_value: null } },
      targetFlow: 'projects/p/locations/l/agents/a/flows/f',
    });
  });

  it('plain-text speech, APPEND, a target page, a form update with a value', () => {
    const body = renderCx({
      texts: [],
      speech: { text: 'Hello' },
      mergeBehavior: 'APPEND',
      target: { page: 'projects/p/locations/l/agents/a/flows/f/pages/p' },
      form: [{ parameter: 'order_id', state: 'FILLED', value: '1001' }],
    });
    assertValidResponse('cx', body);
    expect(body.fulfillmentResponse).toEqual({
      messages: [{ outputAudioText: { text: 'Hello' } }],
      mergeBehavior: 'APPEND',
    });
    expect(body.pageInfo!.formInfo.parameterInfo).toEqual([
      { displayName: 'order_id', state: 'FILLED', value: '1001' },
    ]);
    expect(body.sessionInfo).toEqual({ parameters: { order_id: '1001' } });
    expect(body.targetPage).toBe('projects/p/locations/l/agents/a/flows/f/pages/p');
  });

  it('the strict checker refuses a response that sets two transitions or a bad merge behavior', () => {
    expect(protoErrors('cx', { targetPage: 'a', targetFlow: 'b' }).join()).toMatch(
      /oneof transition/,
    );
    expect(
      protoErrors('cx', { fulfillmentResponse: { messages: [], mergeBehavior: 'MERGE' } }).join(),
    ).toMatch(/not a value of enum/);
  });
});

describe('ES response features', () => {
  const target = { session: SESSION, platform: undefined, languageCode: 'zh-TW', t };

  it('follow-up event with parameters, in the turn language unless given', () => {
    const a = renderEs(
      { texts: ['ignored'], followupEvent: { name: 'ORDER', parameters: { id: 1 } } },
      target,
    );
    assertValidResponse('es', a);
    expect(a.followupEventInput).toEqual({
      name: 'ORDER',
      languageCode: 'zh-TW',
      parameters: { id: 1 },
    });
    const b = renderEs({ texts: [], followupEvent: { name: 'ORDER', languageCode: 'ja' } }, target);
    expect(b.followupEventInput).toEqual({ name: 'ORDER', languageCode: 'ja' });
  });

  it('session entity types: override and supplement, values among their synonyms', () => {
    const body = renderEs(
      {
        texts: ['Which one?'],
        sessionEntityTypes: [
          { name: 'product', mode: 'override', entities: [{ value: 'latte', synonyms: ['拿鐵'] }] },
          { name: 'city', mode: 'supplement', entities: [{ value: 'Hualien' }, { value: '' }] },
          { name: 'bad/name', mode: 'override', entities: [] },
        ],
      },
      target,
    );
    assertValidResponse('es', body);
    expect(body.sessionEntityTypes).toEqual([
      {
        name: `${SESSION}/entityTypes/product`,
        entityOverrideMode: 'ENTITY_OVERRIDE_MODE_OVERRIDE',
        entities: [{ value: 'latte', synonyms: ['latte', '拿鐵'] }],
      },
      {
        name: `${SESSION}/entityTypes/city`,
        entityOverrideMode: 'ENTITY_OVERRIDE_MODE_SUPPLEMENT',
        entities: [{ value: 'Hualien', synonyms: ['Hualien'] }],
      },
    ]);
  });

  it('output context lifespans: kept, floored, 0 to end one; none without a session', () => {
    const reply: Reply = {
      texts: ['ok'],
      contexts: [
        { name: 'a', lifespanCount: 5 },
        { name: 'b', lifespanCount: 2.7, parameters: { x: 1 } },
        { name: 'c', lifespanCount: 0 },
        { name: 'd', lifespanCount: -3 },
        { name: 'bad name', lifespanCount: 1 },
      ],
    };
    const body = renderEs(reply, target);
    assertValidResponse('es', body);
    expect(body.outputContexts).toEqual([
      { name: `${SESSION}/contexts/a`, lifespanCount: 5 },
      { name: `${SESSION}/contexts/b`, lifespanCount: 2, parameters: { x: 1 } },
      { name: `${SESSION}/contexts/c`, lifespanCount: 0 },
      { name: `${SESSION}/contexts/d`, lifespanCount: 0 },
    ]);
    expect(renderEs(reply, { ...target, session: undefined })).not.toHaveProperty('outputContexts');
  });

  it('a handoff: the text plus a liveAgentHandoff payload', () => {
    const body = renderEs({ texts: ['Connecting you.'], handoff: { metadata: { a: 1 } } }, target);
    assertValidResponse('es', body);
    expect(body.fulfillmentMessages).toEqual([
      { text: { text: ['Connecting you.'] } },
      { payload: { liveAgentHandoff: { metadata: { a: 1 } } } },
    ]);
  });

  it('CX-only features are left out of ES, CX-only ones out of CX', () => {
    const reply: Reply = {
      texts: ['x'],
      mergeBehavior: 'REPLACE',
      playAudio: { audioUri: 'gs://a/b.wav' },
      transferCall: { phoneNumber: '+1' },
      conversationSuccess: {},
      form: [{ parameter: 'p', state: 'INVALID' }],
      target: { page: 'p' },
      sessionEntityTypes: [{ name: 'e', mode: 'override', entities: [{ value: 'v' }] }],
      followupEvent: { name: 'E' },
    };
    assertValidResponse('es', renderEs(reply, target));
    const cx = renderCx(reply);
    assertValidResponse('cx', cx);
    expect(JSON.stringify(cx)).not.toMatch(/entityTypes|followup/);
  });
});
