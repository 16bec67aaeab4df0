import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Messages } from '@dialogflow-functions/core/messages';
import { messagesFor } from '../src/messages';
import { DEMO_PRODUCTS, seedDemoData } from '../src/seed-data';
import {
  cxRequest,
  esRequest,
  REQUEST_SOURCES,
  type RequestSource,
} from '@dialogflow-functions/testing/requests';
import { startWeatherStandIn, type WeatherStandIn } from '../local/weather-stand-in';
import { resetTestFirestore, testFirestore } from '@dialogflow-functions/testing/firestore';
import { assertValidLineMessage } from './helpers/line-check';
import { assertValidResponse } from '@dialogflow-functions/testing/proto-check';
import {
  lineMessagesOf,
  richContentOf,
  suggestionsOf,
  textOf,
} from '@dialogflow-functions/testing/replies';
import { post, startWebhook, type TestWebhook } from './helpers/servers';

/*
 * The demo agent as a user meets it: every demo intent in every language (negotiated from the
 * request's tag), the handoff to a human, one LINE message with a card and quick replies.
 */

type Json = Record<string, unknown>;
const en = messagesFor('en');
const zh = messagesFor('zh-TW');
const ja = messagesFor('ja');
const TAGS: [string, Messages, 'en' | 'zh-TW' | 'ja'][] = [
  ['en-US', en, 'en'],
  ['zh-HK', zh, 'zh-TW'],
  ['ja', ja, 'ja'],
];

let standIn: WeatherStandIn;
let webhook: TestWebhook;
beforeAll(async () => {
  standIn = await startWeatherStandIn(0);
  webhook = await startWebhook({
    env: { WEATHER_API_BASE_URL: standIn.url, WEATHER_API_KEY: 'k' },
  });
});
afterAll(async () => {
  await webhook.close();
  await standIn.close();
});
beforeEach(async () => {
  await resetTestFirestore();
  await seedDemoData(testFirestore());
});

describe.each(['es', 'cx'] as const)('every demo intent in every language (%s)', (edition) => {
  const build = edition === 'es' ? esRequest : cxRequest;
  const cases: [
    string,
    Record<string, unknown>,
    (t: Messages, l: 'en' | 'zh-TW' | 'ja') => string,
  ][] = [
    [edition === 'es' ? 'Default Welcome Intent' : 'welcome', {}, (t) => t.welcome],
    [edition === 'es' ? 'Default Fallback Intent' : 'fallback', {}, (t) => t.fallback],
    [
      'check_order',
      { order_id: 1002 },
      (t) =>
        t.orderStatus({
          id: '1002',
          status: t.orderStatusNames.processing!,
          deliveryDate: '2026-12-05',
        }),
    ],
    ['check_order', { order_id: '12/34' }, (t) => t.orderIdInvalid],
    [
      'check_inventory',
      { product: 'oolong-tea' },
      (t, l) => t.productInStock({ name: DEMO_PRODUCTS['oolong-tea']!.names![l]!, stock: 15 }),
    ],
    [
      'get_weather',
      { 'geo-city': 'Tokyo' },
      (t, l) =>
        t.weatherNow({
          city: { en: 'Tokyo', 'zh-TW': '東京', ja: '東京' }[l],
          description: { en: 'few clouds', 'zh-TW': '少雲', ja: '薄い雲' }[l],
          temperature: '12',
          humidity: 55,
        }),
    ],
    ['talk_to_agent', {}, (t) => t.handoff],
    ...(edition === 'cx'
      ? [
          [
            'validate_order_id',
            { order_id: 'not/an/id' },
            (t: Messages) => t.orderIdInvalid,
          ] as (typeof cases)[number],
        ]
      : []),
  ];
  it.each(TAGS)('%s', async (languageCode, t, language) => {
    for (const [name, parameters, expected] of cases) {
      const res = await post(webhook.url, build({ name, parameters, languageCode }));
      expect(res.status).toBe(200);
      expect(textOf(edition, res.body), `${name} ${JSON.stringify(parameters)}`).toBe(
        expected(t, language),
      );
    }
  });
});

describe('talk_to_agent', () => {
  it.each(TAGS)(
    'CX: a liveAgentHandoff with metadata and the text (%s)',
    async (languageCode, t, language) => {
      const res = await post(
        webhook.url,
        cxRequest({ name: 'talk_to_agent', languageCode, source: 'line' }),
      );
      assertValidResponse('cx', res.body);
      const messages = ((res.body as Json).fulfillmentResponse as { messages: Json[] }).messages;
      expect(messages).toEqual([
        { text: { text: [t.handoff] } },
        {
          liveAgentHandoff: {
            metadata: { reason: 'user-request', language, edition: 'cx', platform: 'LINE' },
          },
        },
      ]);
    },
  );

  it.each(REQUEST_SOURCES)('ES from %s: the text plus a handoff payload', async (source) => {
    for (const [languageCode, t, language] of TAGS) {
      const res = await post(
        webhook.url,
        esRequest({ name: 'talk_to_agent', languageCode, source: source as RequestSource }),
      );
      expect(textOf('es', res.body)).toBe(t.handoff);
      const messages = (res.body as { fulfillmentMessages: Json[] }).fulfillmentMessages;
      const handoff = messages.find((m) => (m.payload as Json | undefined)?.liveAgentHandoff);
      expect(handoff).toMatchObject({
        payload: {
          liveAgentHandoff: {
            metadata: {
              reason: 'user-request',
              language,
              edition: 'es',
              sentiment: { score: 0.1 },
            },
          },
        },
      });
      expect(handoff).not.toHaveProperty('platform');
    }
  });
});

describe('check_order from LINE', () => {
  it.each(TAGS)(
    'one LINE message: a Flex card with native quick replies (%s)',
    async (languageCode, t) => {
      const res = await post(
        webhook.url,
        esRequest({
          name: 'check_order',
          parameters: { order_id: 1001 },
          languageCode,
          source: 'line',
        }),
      );
      assertValidResponse('es', res.body);
      const line = lineMessagesOf(res.body);
      expect(line).toHaveLength(1);
      const message = line[0]!;
      assertValidLineMessage(message);
      expect(message.type).toBe('flex');
      const sentence = t.orderStatus({
        id: '1001',
        status: t.orderStatusNames.shipped!,
        deliveryDate: '2026-12-01',
      });
      expect(message.altText).toBe(sentence);
      const bubble = JSON.stringify(message.contents);
      expect(bubble).toContain(t.orderCardTitle({ id: '1001' }));
      expect(bubble).toContain(t.orderCardDeliveryDate({ deliveryDate: '2026-12-01' }));
      const items = (message.quickReply as { items: { action: Json }[] }).items;
      expect(items.map((i) => i.action.text)).toEqual(t.orderSuggestions);
      expect(suggestionsOf('es', res.body)).toEqual(t.orderSuggestions);
    },
  );

  it("get_weather from LINE: the icon is the bubble's hero image", async () => {
    const res = await post(
      webhook.url,
      esRequest({
        name: 'get_weather',
        parameters: { 'geo-city': '台北' },
        languageCode: 'zh-TW',
        source: 'line',
      }),
    );
    const message = lineMessagesOf(res.body)[0]!;
    assertValidLineMessage(message);
    expect((message.contents as Json).hero).toMatchObject({
      type: 'image',
      url: 'https://openweathermap.org/img/wn/10d@2x.png',
    });
    expect(JSON.stringify(message.contents)).toContain('台北');
  });

  it('CX from the console: richContent for the card', async () => {
    const res = await post(
      webhook.url,
      cxRequest({ name: 'check_order', parameters: { order_id: 1001 } }),
    );
    expect(
      richContentOf(res.body)
        .flat()
        .map((e) => e.type),
    ).toEqual(['info', 'description', 'chips']);
  });
});
