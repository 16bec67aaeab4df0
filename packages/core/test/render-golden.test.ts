import { describe, expect, it } from 'vitest';
import {
  renderCx,
  renderEs,
  say,
  show,
  type Platform,
  type Reply,
  type RichElement,
} from '../src/conversation';
import { createMessages } from '../src/messages';
import { assertValidResponse } from '@dialogflow-functions/testing/proto-check';

/*
 * The renderers' whole output for replies that reach every branch: ES for the default
 * platform, a chat platform, LINE and Actions on Google; CX for Messenger and a text-only
 * channel. Each response is checked against Dialogflow's protos, then compared with the one
 * recorded (and read) in __snapshots__: a change to any field a platform receives shows here.
 * examples/restaurant/test/render.test.ts checks the rules every reply keeps; this file pins
 * the exact shapes.
 */

const t = createMessages()('en');
const SESSION = 'projects/demo/agent/sessions/s-1';
const IMG = { url: 'https://example.com/a.png', alt: 'A cup' };
const HTTP_IMG = { url: 'http://example.com/a.png', alt: 'A plain-HTTP cup' };

const card: RichElement = {
  kind: 'card',
  title: 'Order 1001',
  subtitle: 'On its way',
  text: 'Arrives on Monday',
  image: IMG,
  buttons: [
    { text: 'Track', url: 'https://example.com/track' },
    { text: 'Call us', url: 'tel:+886212345678' },
    { text: 'Another order', postback: 'check another order' },
    { text: 'FTP', url: 'ftp://example.com/x' },
    { text: 'A label longer than twenty characters', url: 'https://example.com/long' },
  ],
};
const items = [
  { title: 'Latte', description: 'Espresso and milk', image: IMG, postback: 'latte' },
  { title: 'Matcha', description: 'Green tea', postback: 'matcha' },
  { title: 'Croissant', postback: 'croissant' },
];
const many = (n: number) =>
  Array.from({ length: n }, (_v, i) => ({ title: `Item ${i + 1}`, postback: `item ${i + 1}` }));

const REPLIES: [string, Reply][] = [
  ['texts only', say(['One.', '', 'Two.'])],
  [
    'texts and suggestions, some blank or repeated, more than AoG and LINE take',
    say('Pick one.', [
      'A',
      ' ',
      'A',
      'A suggestion longer than twenty-five characters',
      ...Array.from({ length: 14 }, (_v, i) => `S${i}`),
    ]),
  ],
  ['suggestions without texts', { texts: [], suggestions: ['Yes', 'No'] }],
  ['nothing at all', { texts: [] }],
  ['a full card', show(card, { suggestions: ['More'] })],
  ['a full card after a text', show(card, { texts: ['Here it is.'] })],
  ['a card with its own fallback', show({ ...card, fallback: 'Order 1001 arrives on Monday.' })],
  ['a card with a title only', show({ kind: 'card', title: 'Just a title' })],
  ['a card with a subtitle only', show({ kind: 'card', title: 'T', subtitle: 'Only a subtitle' })],
  ['a card with an empty title and nothing else', show({ kind: 'card', title: '' })],
  [
    'a card with a plain-HTTP image and postback buttons only',
    show({
      kind: 'card',
      title: 'Pick',
      image: HTTP_IMG,
      buttons: [
        { text: 'Yes', postback: 'yes' },
        { text: 'No', postback: 'no' },
      ],
    }),
  ],
  ['an image', show({ kind: 'image', image: IMG })],
  [
    'a plain-HTTP image after a text',
    show({ kind: 'image', image: HTTP_IMG }, { texts: ['Look:'] }),
  ],
  ['an image without a URL', show({ kind: 'image', image: { url: '', alt: 'gone' } })],
  ['a list', show({ kind: 'list', style: 'list', title: 'Menu', items })],
  [
    'a list after a text',
    show({ kind: 'list', style: 'list', title: 'Menu', items }, { texts: ['Pick:'] }),
  ],
  ['an untitled list', show({ kind: 'list', style: 'list', items })],
  [
    'a one-item list',
    show({ kind: 'list', style: 'list', title: 'Menu', items: items.slice(0, 1) }),
  ],
  ['a carousel', show({ kind: 'list', style: 'carousel', items }, { suggestions: ['More'] })],
  ['a carousel of 11', show({ kind: 'list', style: 'carousel', items: many(11) })],
  ['a list of 31', show({ kind: 'list', style: 'list', items: many(31) })],
  [
    'a carousel of 13 (LINE shows 12)',
    show({ kind: 'list', style: 'carousel', items: many(13) }, { texts: ['All:'] }),
  ],
  [
    'a list with a repeated title',
    show({ kind: 'list', style: 'list', items: [items[0]!, { ...items[1]!, title: 'Latte' }] }),
  ],
  ['an empty list', show({ kind: 'list', style: 'list', title: 'Nothing', items: [] })],
  [
    'an accordion',
    show({ kind: 'accordion', title: 'Hours', subtitle: 'Every day', text: '8 to 20', image: IMG }),
  ],
  ['a bare accordion', show({ kind: 'accordion', title: 'Hours', text: '8 to 20' })],
  ['an empty accordion', show({ kind: 'accordion', title: '', text: '' })],
  [
    'every kind, with texts and speech',
    {
      ...show(
        [
          card,
          { kind: 'image', image: IMG },
          { kind: 'list', style: 'list', title: 'Menu', items },
          { kind: 'accordion', title: 'Hours', text: '8 to 20' },
        ],
        { texts: ['First.', 'Second.'], suggestions: ['Latte', 'Help'] },
      ),
      speech: { ssml: '<speak>First.</speak>' },
    },
  ],
  ['a text with spoken words', { texts: ['Shown.'], speech: { text: 'Spoken.' } }],
  [
    'contexts, entity types, a follow-up event, payloads and a handoff',
    {
      texts: ['Done.'],
      contexts: [
        { name: 'pending_job', lifespanCount: 5, parameters: { job_id: 'r-1' } },
        { name: 'ended', lifespanCount: 0, parameters: { gone: 'x' } },
        { name: 'half', lifespanCount: 2.7 },
        { name: 'negative', lifespanCount: -3 },
        { name: 'nan', lifespanCount: Number.NaN },
        { name: 'bad name!', lifespanCount: 1 },
      ],
      sessionEntityTypes: [
        {
          name: 'drink',
          mode: 'supplement',
          entities: [
            { value: 'latte', synonyms: ['latte', 'cafe latte', ''] },
            { value: '' },
            { value: 'tea' },
          ],
        },
        { name: 'size', mode: 'override', entities: [{ value: 'tall', synonyms: ['big'] }] },
        { name: 'bad name', mode: 'override', entities: [{ value: 'x' }] },
      ],
      followupEvent: { name: 'reminder', parameters: { at: '10:00' } },
      payloads: [
        { payload: { any: true } },
        { platform: 'LINE', payload: { line: { type: 'sticker' } } },
        { platform: 'SLACK', payload: { blocks: [] } },
      ],
      handoff: { metadata: { reason: 'asked' } },
    },
  ],
  [
    'a follow-up event in its own language, a handoff without metadata',
    {
      texts: [],
      followupEvent: { name: 'later', languageCode: 'ja' },
      handoff: {},
    },
  ],
];

describe('LINE limits', () => {
  const lineOf = (reply: Reply) => {
    const body = renderEs(reply, { session: SESSION, platform: 'LINE', languageCode: 'en', t });
    const line = (body.fulfillmentMessages ?? []).find((m) => m.platform === 'LINE');
    return (line as { payload: { line: Record<string, unknown> } }).payload.line;
  };

  it('cuts a text at 5000 characters, with an ellipsis', () => {
    expect(lineOf(say('x'.repeat(5000)))).toEqual({ type: 'text', text: 'x'.repeat(5000) });
    expect(lineOf(say('x'.repeat(5001)))).toEqual({ type: 'text', text: `${'x'.repeat(4999)}…` });
  });

  it('drops a link longer than 1000 characters, keeps one of 1000', () => {
    const url = (n: number) => `https://example.com/${'x'.repeat(n - 20)}`;
    const footer = (n: number) =>
      (
        lineOf(show({ kind: 'card', title: 'T', buttons: [{ text: 'Go', url: url(n) }] })) as {
          contents: { footer?: unknown };
        }
      ).contents.footer;
    expect(url(1000)).toHaveLength(1000);
    expect(footer(1000)).toEqual({
      type: 'box',
      layout: 'vertical',
      spacing: 'sm',
      contents: [
        {
          type: 'button',
          style: 'link',
          height: 'sm',
          action: { type: 'uri', label: 'Go', uri: url(1000) },
        },
      ],
    });
    expect(footer(1001)).toBeUndefined();
  });

  it('shows an image of a URL up to 2000 characters', () => {
    const url = (n: number) => `https://example.com/${'x'.repeat(n - 20)}`;
    const hero = (n: number) =>
      (
        lineOf(show({ kind: 'image', image: { url: url(n), alt: 'alt' } })) as {
          contents: { hero?: { url: string }; body?: unknown };
        }
      ).contents;
    expect(hero(2000).hero?.url).toBe(url(2000));
    expect(hero(2000).body).toBeUndefined();
    expect(hero(2001).hero).toBeUndefined();
    expect(hero(2001).body).toEqual({
      type: 'box',
      layout: 'vertical',
      spacing: 'sm',
      contents: [{ type: 'text', text: 'alt', size: 'sm', wrap: true }],
    });
  });
});

// A chat platform's response holds the default platform's messages too.
const ES_PLATFORMS: Platform[] = ['SLACK', 'LINE', 'ACTIONS_ON_GOOGLE'];

describe.each(ES_PLATFORMS)('renderEs for %s', (platform) => {
  it.each(REPLIES)('%s', (_name, reply) => {
    const body = renderEs(reply, { session: SESSION, platform, languageCode: 'zh-TW', t });
    assertValidResponse('es', body);
    expect(body).toMatchSnapshot();
  });
});

describe('renderEs without a session or a language', () => {
  it('drops contexts and entity types, and follow-up events default to en', () => {
    const reply = REPLIES.find(([name]) => name.startsWith('contexts'))![1];
    const body = renderEs(reply, {
      session: undefined,
      platform: undefined,
      languageCode: undefined,
      t,
    });
    expect(body.outputContexts).toBeUndefined();
    expect(body.sessionEntityTypes).toBeUndefined();
    expect(body.followupEventInput).toEqual({
      name: 'reminder',
      languageCode: 'en',
      parameters: { at: '10:00' },
    });
  });
});

describe('renderCx', () => {
  it.each(REPLIES)('%s', (_name, reply) => {
    const body = renderCx(reply);
    assertValidResponse('cx', body);
    expect(body).toMatchSnapshot();
  });

  it('gives a text-only channel every element as text, and its own payloads only', () => {
    const reply = REPLIES.find(([name]) => name.startsWith('every kind'))![1];
    const texts = (platform: Platform | undefined) =>
      renderCx(
        { ...reply, payloads: REPLIES.find(([n]) => n.startsWith('contexts'))![1].payloads },
        { platform },
      ).fulfillmentResponse!.messages.flatMap((m) => ('text' in m ? m.text.text : []));
    expect(texts(undefined)).toEqual(['First.', 'Second.']);
    expect(texts('LINE')).toEqual([
      'First.',
      'Second.',
      'Order 1001\nOn its way\nArrives on Monday\nTrack: https://example.com/track\nCall us: tel:+886212345678\nFTP: ftp://example.com/x\nA label longer than twenty characters: https://example.com/long',
      'A cup',
      'Menu\n1. Latte – Espresso and milk\n2. Matcha – Green tea\n3. Croissant',
      'Hours\n8 to 20',
    ]);
    const payloads = (platform: Platform | undefined) =>
      renderCx(
        { texts: ['x'], payloads: REPLIES.find(([n]) => n.startsWith('contexts'))![1].payloads },
        { platform },
      ).fulfillmentResponse!.messages.filter((m) => 'payload' in m);
    expect(payloads(undefined)).toEqual([{ payload: { any: true } }]);
    expect(payloads('LINE')).toEqual([
      { payload: { any: true } },
      { payload: { line: { type: 'sticker' } } },
    ]);
  });
});

describe('renderCx: what only CX has', () => {
  it('voice, telephony, success, merge, parameters, form and a target', () => {
    const body = renderCx({
      texts: ['Transferring.'],
      speech: { text: 'Transferring you now.' },
      playAudio: { audioUri: 'gs://bucket/hold.wav' },
      transferCall: { phoneNumber: '+886212345678' },
      conversationSuccess: { metadata: { outcome: 'transferred' } },
      mergeBehavior: 'REPLACE',
      contexts: [
        { name: 'pending_job', lifespanCount: 1, parameters: { job_id: 'r-1', kept: 'yes' } },
        { name: 'ended', lifespanCount: 0, parameters: { old: 'x' } },
      ],
      sessionParameters: { kept: 'overridden', cleared: null },
      form: [
        { parameter: 'date', state: 'FILLED', value: '2026-12-24' },
        { parameter: 'time', state: 'INVALID', value: '25:00' },
        { parameter: 'party', state: 'EMPTY', value: null },
        { parameter: 'name', state: 'FILLED' },
      ],
      target: { page: 'projects/p/locations/l/agents/a/flows/f/pages/done' },
    });
    assertValidResponse('cx', body);
    expect(body).toMatchSnapshot();
    const flow = renderCx({ texts: ['Bye.'], target: { flow: 'projects/p/flows/f2' }, form: [] });
    expect(flow.targetFlow).toBe('projects/p/flows/f2');
    expect(flow.targetPage).toBeUndefined();
    expect(flow.pageInfo).toBeUndefined();
    expect(flow.sessionInfo).toBeUndefined();
    expect(renderCx({ texts: ['Hi.'] })).toEqual({
      fulfillmentResponse: { messages: [{ text: { text: ['Hi.'] } }] },
    });
  });
});
