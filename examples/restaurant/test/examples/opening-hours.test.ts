import { beforeEach, expect, it } from 'vitest';
import {
  cxRequest,
  esRequest,
  resetTestFirestore,
  runIntent,
  testFirestore,
  testFirestoreFactory,
} from '@dialogflow-functions/testing';
import { restaurantMessages } from '../../src/messages';
import { openingHours } from './opening-hours';

const handler = openingHours(testFirestoreFactory);
beforeEach(() => resetTestFirestore());

it('tells the hours of the asked day in the user language, ES and CX', async () => {
  await testFirestore().doc('hours/2026-12-24').set({ open: '11:00', close: '15:00' });

  const es = await runIntent(
    handler,
    esRequest({ name: 'opening_hours', parameters: { date: '2026-12-24T12:00:00+08:00' } }),
  );
  expect(es.text).toBe('On 2026-12-24 we are open 11:00–15:00.');

  const cx = await runIntent(
    handler,
    cxRequest({
      name: 'opening_hours',
      parameters: { date: { year: 2026, month: 12, day: 24 } },
      languageCode: 'zh-TW',
    }),
  );
  expect(cx.text).toBe('2026-12-24 營業時間 11:00–15:00。');
});

it('says when it is closed, and asks when the date is missing', async () => {
  const closed = await runIntent(
    handler,
    esRequest({ name: 'opening_hours', parameters: { date: '2026-12-25' }, source: 'line' }),
  );
  expect(closed.text).toBe('We are closed on 2026-12-25.');
  const ask = await runIntent(
    handler,
    esRequest({ name: 'opening_hours', parameters: { date: '' } }),
    { messages: restaurantMessages }, // the bot's strings: ctx.t.askDate is the restaurant's
  );
  expect(ask.outcome).toBe('handled');
  expect(ask.text).toBe('For which date would you like to book?');
});
