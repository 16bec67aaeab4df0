import { describe, expect, it } from 'vitest';
import { en } from '../src/messages/en';
import { ja } from '../src/messages/ja';
import {
  createMessages,
  isLanguage,
  languages,
  messagesFor,
  resolveLanguage,
  type BotMessages,
  type CoreMessages,
  type Language,
} from '../src/messages';

describe('language negotiation from BCP-47 tags', () => {
  const table: [unknown, Language][] = [
    ['en', 'en'],
    ['en-US', 'en'],
    ['en-GB', 'en'],
    ['EN-au', 'en'],
    ['zh-TW', 'zh-TW'],
    ['zh-tw', 'zh-TW'],
    ['zh_TW', 'zh-TW'],
    ['zh-Hant', 'zh-TW'],
    ['zh-hant-tw', 'zh-TW'],
    ['zh-Hant-HK', 'zh-TW'],
    ['zh-HK', 'zh-TW'],
    ['zh-MO', 'zh-TW'],
    ['zh-CN', 'zh-TW'],
    ['zh-Hans', 'zh-TW'],
    ['zh-SG', 'zh-TW'],
    ['zh', 'zh-TW'],
    [' zh-hk ', 'zh-TW'],
    ['ja', 'ja'],
    ['ja-JP', 'ja'],
    ['JA_jp', 'ja'],
    ['ja-Latn', 'ja'],
    ['fr', 'en'],
    ['fr-CA', 'en'],
    ['ko', 'en'],
    ['jav', 'en'], // Javanese is not Japanese
    ['zha', 'en'], // Zhuang is not Chinese
    ['english', 'en'],
    ['', 'en'],
    ['-', 'en'],
    [undefined, 'en'],
    [null, 'en'],
    [42, 'en'],
    [['ja'], 'en'],
  ];
  it.each(table)('%o → %s', (code, expected) => {
    expect(resolveLanguage(code)).toBe(expected);
  });
});

describe('catalogues', () => {
  it('registers en, zh-TW and ja', () => {
    expect(languages).toEqual(['en', 'zh-TW', 'ja']);
    for (const l of languages) expect(isLanguage(l)).toBe(true);
    expect(isLanguage('fr')).toBe(false);
    expect(isLanguage('toString')).toBe(false);
  });

  it('falls back to English for a language that is not one (old stored jobs)', () => {
    expect(messagesFor('xx' as Language)).toBe(en);
    expect(createMessages()('xx' as Language).apology).toBe(en.apology);
  });

  it("holds only the framework's strings", () => {
    expect(Object.keys(en).sort()).toEqual([
      'apology',
      'choose',
      'jobFailed',
      'jobNotQueued',
      'jobNotifySubject',
      'stillWorking',
      'suggestionsTitle',
    ]);
  });

  // Typed `CoreMessages`, so a missing key does not compile; this checks nothing is left in English.
  it.each(languages.filter((l) => l !== 'en'))(
    'the %s catalogue has every key, translated',
    (language) => {
      const t = messagesFor(language);
      expect(Object.keys(t).sort()).toEqual(Object.keys(en).sort());
      for (const key of Object.keys(en) as (keyof CoreMessages)[]) {
        const english = sample(en[key]);
        const translated = sample(t[key]);
        expect(translated, key).not.toBe('');
        expect(translated, key).not.toEqual(english);
      }
    },
  );

  it('the Japanese catalogue writes Japanese', () => {
    expect(ja.stillWorking).toMatch(/[\u3040-\u30ff]/); // hiragana / katakana
  });
});

describe("a bot's strings (createMessages)", () => {
  // The strings of a bot that registers none are plain records here.
  const bot = {
    en: { greet: 'Hello', apology: 'Oops' },
    'zh-TW': { greet: '你好' },
    ja: { greet: 'こんにちは' },
  } as unknown as BotMessages;
  const t = createMessages(bot);

  it.each([
    ['en', 'Hello'],
    ['zh-TW', '你好'],
    ['ja', 'こんにちは'],
  ] as const)('merges the %s strings over the framework’s', (language, greet) => {
    const merged = t(language) as unknown as Record<string, unknown>;
    expect(merged.greet).toBe(greet);
    expect(merged.choose).toBe(messagesFor(language).choose);
  });

  it('lets a bot override a framework string, in its language only', () => {
    expect(t('en').apology).toBe('Oops');
    expect(t('ja').apology).toBe(ja.apology);
  });

  it('builds each catalogue once, frozen', () => {
    expect(t('en')).toBe(t('en'));
    expect(Object.isFrozen(t('ja'))).toBe(true);
    expect(t('xx' as Language)).toBe(t('en'));
  });

  it('without a bot, is the framework’s catalogue', () => {
    for (const l of languages) expect({ ...createMessages()(l) }).toEqual({ ...messagesFor(l) });
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
