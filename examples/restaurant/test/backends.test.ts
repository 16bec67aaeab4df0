import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { messagesFor } from '../src/messages';
import type { FirestoreFactory } from '@dialogflow-functions/core/firestore';
import { cxRequest, esRequest } from '@dialogflow-functions/testing/requests';
import { DEMO_PRODUCTS, seedDemoData } from '../src/seed-data';
import { startWeatherStandIn, type WeatherStandIn } from '../local/weather-stand-in';
import { resetTestFirestore, testFirestore } from '@dialogflow-functions/testing/firestore';
import { richContentOf, suggestionsOf, textOf } from '@dialogflow-functions/testing/replies';
import { assertValidResponse } from '@dialogflow-functions/testing/proto-check';
import { EDITIONS, post, startWebhook, type TestWebhook } from './helpers/servers';

const en = messagesFor('en');
const zh = messagesFor('zh-TW');
const ja = messagesFor('ja');
const LANGS = [
  ['en', en],
  ['zh-TW', zh],
  ['ja', ja],
] as const;
/** The demo products' names in a language, as the seed data gives them. */
const productIn = (id: string, t: typeof en): string => {
  const language = t === zh ? 'zh-TW' : t === ja ? 'ja' : 'en';
  return DEMO_PRODUCTS[id]!.names?.[language] ?? DEMO_PRODUCTS[id]!.name;
};

/** The demo data as `npm run seed` leaves it. */
async function restoreDemoData(): Promise<void> {
  await resetTestFirestore();
  await seedDemoData(testFirestore());
}
// The cases only read the demo data, but one: it is put in place once for the file, and the case
// that changes it puts it back when it ends.
beforeAll(restoreDemoData);

describe('check_order and check_inventory on the Firestore emulator', () => {
  let webhook: TestWebhook;
  let reads = 0;
  beforeAll(async () => {
    const counting: FirestoreFactory = async () => {
      reads++;
      return testFirestore();
    };
    webhook = await startWebhook({ backends: { db: counting } });
  });
  afterAll(() => webhook.close());

  const cases: [string, Record<string, unknown>, (t: typeof en) => string][] = [
    [
      'numeric id (sys.number)',
      { order_id: 1001 },
      (t) =>
        t.orderStatus({
          id: '1001',
          status: t.orderStatusNames.shipped!,
          deliveryDate: '2026-12-01',
        }),
    ],
    [
      'float-shaped number',
      { order_id: 1002.0 },
      (t) =>
        t.orderStatus({
          id: '1002',
          status: t.orderStatusNames.processing!,
          deliveryDate: '2026-12-05',
        }),
    ],
    [
      'string id of a cancelled order (no delivery date)',
      { order_id: 'A-1004' },
      (t) => t.orderCancelled({ id: 'A-1004' }),
    ],
    [
      'list of ids, a delivered order',
      { order_id: ['1003'] },
      (t) => t.orderDelivered({ id: '1003', deliveryDate: '2026-11-20' }),
    ],
    ['unknown id', { order_id: 9999 }, (t) => t.orderNotFound({ id: '9999' })],
    ['unfilled ("")', { order_id: '' }, (t) => t.askOrderId],
    ['not an order number (12/34)', { order_id: '12/34' }, (t) => t.orderIdInvalid],
    ['missing', {}, (t) => t.askOrderId],
  ];
  describe.each(EDITIONS)('%s', (edition, build) => {
    describe.each(LANGS)('%s', (languageCode, t) => {
      it.each(cases)('check_order with %s', async (_n, parameters, expected) => {
        const res = await post(
          webhook.url,
          build({ name: 'check_order', parameters, languageCode }),
        );
        expect(res.status).toBe(200);
        expect(textOf(edition, res.body)).toBe(expected(t));
      });

      it.each([
        [
          'in stock',
          { product: 'latte' },
          (m: typeof en) => m.productInStock({ name: productIn('latte', m), stock: 42 }),
        ],
        [
          'capitalised entity value',
          { product: 'Croissant' },
          (m: typeof en) => m.productInStock({ name: productIn('croissant', m), stock: 7 }),
        ],
        [
          'out of stock',
          { product: 'matcha' },
          (m: typeof en) => m.productOutOfStock({ name: productIn('matcha', m) }),
        ],
        [
          'unknown product',
          { product: 'durian' },
          (m: typeof en) => m.productUnknown({ product: 'durian' }),
        ],
        ['missing', { product: '' }, (m: typeof en) => m.askProduct],
      ] as const)('check_inventory %s', async (_n, parameters, expected) => {
        const res = await post(
          webhook.url,
          build({ name: 'check_inventory', parameters, languageCode }),
        );
        expect(res.status).toBe(200);
        expect(textOf(edition, res.body)).toBe(expected(t));
      });
    });
  });

  // [what, value, what check_order does: ask again or say it is not an order number,
  //  what check_inventory does: ask again, or look it up as a name and not find it]
  const hostile: [string, unknown, 'ask' | 'invalid', 'ask' | 'unknown'][] = [
    ['an object', { id: 1001 }, 'ask', 'ask'],
    ['a 10 KB id', '1'.repeat(10 * 1024), 'ask', 'ask'],
    ['a boolean', true, 'ask', 'ask'],
    ['an empty list', [], 'ask', 'ask'],
    ['a path to another collection', 'products/latte', 'invalid', 'unknown'],
    ['a path up', '../products/latte', 'invalid', 'unknown'],
    ['a reserved id', '__name__', 'invalid', 'unknown'],
    ['a negative number', -5, 'invalid', 'unknown'],
    ['12/34', '12/34', 'invalid', 'unknown'],
  ];
  it.each(hostile)('check_order answers %s without reading', async (_n, value, kind) => {
    const before = reads;
    const res = await post(
      webhook.url,
      esRequest({ name: 'check_order', parameters: { order_id: value } }),
    );
    expect(res.status).toBe(200);
    expect(textOf('es', res.body)).toBe(kind === 'ask' ? en.askOrderId : en.orderIdInvalid);
    expect(reads).toBe(before);
  });
  it.each(hostile)(
    'check_inventory never reads the document %s names',
    async (_n, value, _order, expected) => {
      const before = reads;
      const res = await post(
        webhook.url,
        esRequest({ name: 'check_inventory', parameters: { product: value } }),
      );
      expect(res.status).toBe(200);
      if (expected === 'ask') {
        expect(textOf('es', res.body)).toBe(en.askProduct);
        expect(reads).toBe(before);
      } else {
        // A product name, not a path: looked up by name, found nowhere.
        expect(textOf('es', res.body)).toBe(en.productUnknown({ product: String(value) }));
      }
    },
  );

  it.each(EDITIONS)(
    'check_order answers with a card and suggestions (%s)',
    async (edition, build) => {
      for (const [languageCode, t] of LANGS) {
        const res = await post(
          webhook.url,
          build({ name: 'check_order', parameters: { order_id: 1001 }, languageCode }),
        );
        const status = t.orderStatusNames.shipped!;
        const card = {
          title: t.orderCardTitle({ id: '1001' }),
          subtitle: status.charAt(0).toUpperCase() + status.slice(1),
          text: t.orderCardDeliveryDate({ deliveryDate: '2026-12-01' }),
        };
        expect(suggestionsOf(edition, res.body)).toEqual(t.orderSuggestions);
        if (edition === 'es') {
          const messages = (res.body as { fulfillmentMessages: Record<string, unknown>[] })
            .fulfillmentMessages;
          expect(messages.find((m) => m.card)?.card).toEqual({
            title: card.title,
            subtitle: `${card.subtitle}\n${card.text}`,
          });
        } else {
          const rich = richContentOf(res.body).flat();
          expect(rich).toContainEqual({ type: 'info', title: card.title, subtitle: card.subtitle });
          expect(rich).toContainEqual({ type: 'description', text: [card.text] });
        }
      }
    },
  );

  it('a cancelled order gets no delivery date, on the card either', async () => {
    const res = await post(
      webhook.url,
      cxRequest({ name: 'check_order', parameters: { order_id: 'A-1004' } }),
    );
    expect(JSON.stringify(res.body)).not.toContain('2026-11-28');
    expect(textOf('cx', res.body)).toBe(en.orderCancelled({ id: 'A-1004' }));
  });

  it('answers politely when the stored document is malformed', async () => {
    onTestFinished(restoreDemoData);
    await testFirestore().collection('orders').doc('7777').set({ status: 5, deliveryDate: 'soon' });
    const before = webhook.logs.length;
    const res = await post(
      webhook.url,
      esRequest({ name: 'check_order', parameters: { order_id: 7777 } }),
    );
    expect(textOf('es', res.body)).toBe(en.backendDown);
    expect(
      webhook.logs.slice(before).some((l) => l.severity === 'WARNING' && l.backend === 'firestore'),
    ).toBe(true);
  });
});

describe('validate_order_id (CX form validation)', () => {
  let webhook: TestWebhook;
  beforeAll(async () => {
    webhook = await startWebhook();
  });
  afterAll(() => webhook.close());

  it.each([['12/34'], ['not an id!'], ['x'.repeat(2000)], [{ a: 1 }]])(
    'marks %o INVALID with a message',
    async (value) => {
      for (const [languageCode, t] of LANGS) {
        const res = await post(
          webhook.url,
          cxRequest({ name: 'validate_order_id', parameters: { order_id: value }, languageCode }),
        );
        expect(textOf('cx', res.body)).toBe(t.orderIdInvalid);
        const body = res.body as {
          pageInfo: { formInfo: { parameterInfo: { displayName: string; state: string }[] } };
          sessionInfo: { parameters: Record<string, unknown> };
        };
        expect(body.pageInfo.formInfo.parameterInfo).toEqual([
          { displayName: 'order_id', state: 'INVALID' },
        ]);
        expect(body.sessionInfo.parameters.order_id).toBeNull();
      }
    },
  );

  it.each([[1001], ['A-1004']])('marks %o FILLED (valid) without a message', async (value) => {
    const res = await post(
      webhook.url,
      cxRequest({ name: 'validate_order_id', parameters: { order_id: value } }),
    );
    assertValidResponse('cx', res.body);
    expect(res.body).toEqual({
      fulfillmentResponse: { messages: [] },
      pageInfo: { formInfo: { parameterInfo: [{ displayName: 'order_id', state: 'FILLED' }] } },
    });
  });

  it('leaves an absent order_id to the form', async () => {
    const res = await post(
      webhook.url,
      cxRequest({ name: 'validate_order_id', parameters: { order_id: '' } }),
    );
    assertValidResponse('cx', res.body);
    expect(res.body).not.toHaveProperty('pageInfo');
    expect(res.body).not.toHaveProperty('sessionInfo');
  });
});

describe('get_weather through a loopback stand-in', () => {
  let standIn: WeatherStandIn;
  let webhook: TestWebhook;
  const at: number[] = [];

  beforeAll(async () => {
    standIn = await startWeatherStandIn(0);
  });
  afterAll(() => standIn.close());
  beforeEach(async () => {
    standIn.requests.length = 0;
    standIn.intercept = undefined;
    at.length = 0;
    // A fresh webhook per test: a fresh cache.
    webhook = await startWebhook({
      env: {
        WEBHOOK_DEADLINE_MS: '4000',
        WEATHER_API_BASE_URL: standIn.url,
        WEATHER_API_KEY: 'test-key',
      },
    });
    return () => webhook.close();
  });

  const ask = (
    city: unknown,
    languageCode = 'en',
    build: typeof esRequest = esRequest,
  ): ReturnType<typeof post> =>
    post(
      webhook.url,
      build({ name: 'get_weather', parameters: { 'geo-city': city }, languageCode }),
    );

  it.each(EDITIONS)(
    'answers in every language (%s) with localised names, asking the API in that language',
    async (edition, build) => {
      const cases = [
        ['Taipei', 'en', en, 'Taipei', 'light rain', 'en'],
        ['台北', 'zh-TW', zh, '台北', '小雨', 'zh_tw'],
        ['Taipei', 'zh-HK', zh, '台北', '小雨', 'zh_tw'],
        ['London', 'ja', ja, 'ロンドン', '厚い雲', 'ja'],
      ] as const;
      for (const [city, languageCode, t, name, description, lang] of cases) {
        standIn.requests.length = 0;
        const res = await ask(city, languageCode, build);
        const humidity = city === 'London' ? 88 : 83;
        const temperature = city === 'London' ? '8' : '21';
        expect(textOf(edition, res.body)).toBe(
          t.weatherNow({ city: name, description, temperature, humidity }),
        );
        const q = standIn.requests[0]!;
        expect(q.pathname).toBe('/data/2.5/weather');
        expect(Object.fromEntries(q.searchParams)).toEqual({
          q: city,
          appid: 'test-key',
          units: 'metric',
          lang,
        });
      }
    },
  );

  it.each(EDITIONS)('answers with an image card: the API icon (%s)', async (edition, build) => {
    const res = await ask('Kaohsiung', 'en', build);
    const icon = 'https://openweathermap.org/img/wn/01d@2x.png';
    if (edition === 'es') {
      const messages = (res.body as { fulfillmentMessages: Record<string, unknown>[] })
        .fulfillmentMessages;
      expect(messages.find((m) => m.card)?.card).toEqual({
        title: 'Kaohsiung',
        subtitle: `${en.weatherSummary({ description: 'clear sky', temperature: '26' })}\n${en.weatherHumidity({ humidity: 70 })}`,
        imageUri: icon,
      });
    } else {
      expect(richContentOf(res.body).flat()).toContainEqual({
        type: 'info',
        title: 'Kaohsiung',
        subtitle: en.weatherSummary({ description: 'clear sky', temperature: '26' }),
        image: { rawUrl: icon },
      });
    }
  });

  it('caches per city and language: the stand-in sees one call per pair', async () => {
    await ask('Tokyo');
    await ask('tokyo');
    await ask(['Tokyo']);
    expect(standIn.requests).toHaveLength(1);
    await ask('Tokyo', 'zh-TW');
    expect(standIn.requests).toHaveLength(2);
  });

  it('coalesces concurrent identical lookups into one call', async () => {
    standIn.intercept = () => undefined;
    const replies = await Promise.all(Array.from({ length: 8 }, () => ask('London')));
    for (const r of replies) expect(textOf('es', r.body)).toMatch(/London/);
    expect(standIn.requests).toHaveLength(1);
  });

  it('retries a 503 and then succeeds', async () => {
    standIn.intercept = (_u, i) =>
      i === 0 ? { status: 503, body: { cod: 503, message: 'busy' } } : undefined;
    const res = await ask('Kaohsiung');
    expect(textOf('es', res.body)).toMatch(/Kaohsiung/);
    expect(standIn.requests).toHaveLength(2);
  });

  it('honours Retry-After on 429', async () => {
    standIn.intercept = (_u, i) => {
      at.push(Date.now());
      return i === 0
        ? { status: 429, headers: { 'retry-after': '1' }, body: { cod: 429, message: 'slow down' } }
        : undefined;
    };
    const res = await ask('Taipei');
    expect(textOf('es', res.body)).toMatch(/Taipei/);
    expect(standIn.requests).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(950);
  });

  it('does not cache failures', async () => {
    standIn.intercept = (_u, i) => (i < 3 ? { status: 500, body: {} } : undefined);
    const first = await ask('Taipei');
    expect(textOf('es', first.body)).toBe(en.weatherUnavailable);
    const second = await ask('Taipei');
    expect(textOf('es', second.body)).toMatch(/Taipei/);
  });

  const faults: [string, WeatherStandIn['intercept'], (t: typeof en) => string, string][] = [
    [
      'unknown city',
      undefined,
      (t: typeof en) => t.weatherUnknownCity({ city: 'Atlantis' }),
      'Atlantis',
    ],
    [
      'API down (500s)',
      () => ({ status: 500, body: {} }),
      (t: typeof en) => t.weatherUnavailable,
      'Taipei',
    ],
    [
      'bad key (401)',
      () => ({ status: 401, body: { cod: 401, message: 'Invalid API key' } }),
      (t: typeof en) => t.weatherUnavailable,
      'Taipei',
    ],
    [
      'garbage body',
      () => ({ status: 200, raw: '<html>oops</html>' }),
      (t: typeof en) => t.weatherUnavailable,
      'Taipei',
    ],
    [
      'wrong JSON',
      () => ({ status: 200, body: { weather: 'sunny' } }),
      (t: typeof en) => t.weatherUnavailable,
      'Taipei',
    ],
    ['connection reset', () => 'reset', (t: typeof en) => t.weatherUnavailable, 'Taipei'],
  ];
  it.each(faults)('%s: a polite reply', async (_n, intercept, expected, city) => {
    standIn.intercept = intercept;
    for (const [languageCode, t] of LANGS) {
      const res = await ask(city, languageCode);
      expect(res.status).toBe(200);
      expect(textOf('es', res.body)).toBe(expected(t));
    }
  });

  it('asks for the city when it is missing or not a city', async () => {
    for (const city of ['', { city: 'x' }, 'x'.repeat(200), 'Taipei<script>']) {
      const res = await ask(city);
      expect(textOf('es', res.body)).toBe(en.askCity);
    }
    expect(standIn.requests).toHaveLength(0);
  });
});
