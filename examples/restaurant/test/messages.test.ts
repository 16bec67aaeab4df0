import { describe, expect, it } from 'vitest';
import { languages } from '@dialogflow-functions/core/messages';
import { en } from '../src/messages/en';
import { ja } from '../src/messages/ja';
import { messagesFor, restaurantMessages, type RestaurantMessages } from '../src/messages';

describe("the restaurant's strings", () => {
  it('has a catalogue for every language the framework answers in', () => {
    expect(Object.keys(restaurantMessages).sort()).toEqual([...languages].sort());
  });

  // Typed `RestaurantMessages`, so a missing key does not compile; this checks nothing is left in English.
  it.each(languages.filter((l) => l !== 'en'))(
    'the %s catalogue has every key, translated',
    (language) => {
      const t = restaurantMessages[language] as RestaurantMessages;
      expect(Object.keys(t).sort()).toEqual(Object.keys(en).sort());
      for (const key of Object.keys(en) as (keyof RestaurantMessages)[]) {
        const english = sample(en[key]);
        const translated = sample(t[key]);
        expect(translated, key).not.toBe('');
        expect(translated, key).not.toEqual(english);
      }
    },
  );

  it('the Japanese catalogue writes Japanese', () => {
    expect(ja.welcome).toMatch(/[\u3040-\u30ff]/); // hiragana / katakana
    expect(ja.orderStatusNames.shipped).toBe('発送済み');
  });

  it("ctx.t's catalogue holds the framework's strings and the restaurant's", () => {
    const t = messagesFor('zh-TW');
    expect(t.welcome).toBe(restaurantMessages['zh-TW'].welcome);
    expect(t.apology).toMatch(/抱歉/);
  });
});

/** A comparable sample of a catalogue entry: strings as they are, functions applied. */
function sample(value: unknown): unknown {
  if (typeof value === 'function') {
    return (value as (p: Record<string, unknown>) => string)({
      id: '1001',
      status: 'S',
      deliveryDate: '2026-12-01',
      product: 'P',
      name: 'N',
      stock: 3,
      city: 'C',
      description: 'D',
      temperature: '20',
      humidity: 50,
      jobId: 'r-1',
      date: '2026-12-24',
      time: '19:00',
      partySize: 2,
      code: 'X1',
      result: 'R',
    });
  }
  return value;
}
