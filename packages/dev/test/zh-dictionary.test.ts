import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  lazyZhSearch,
  useLazyZhDictionary,
  type ZhDictionary,
  type ZhEntry,
} from '../src/dialogflow-stand-in/zh-dictionary';

/*
 * The stand-in's index of nlp.js's Chinese dictionary answers every lookup as nlp.js's own
 * dictionary does: the same entries, in the same order, for every word of the dictionary and for
 * words it does not hold; so the zh tokenizer and stemmer, and the classifiers trained on them,
 * are the same with it.
 */

const langZh = createRequire(require.resolve('@nlpjs/lang-zh'));
const cedict = langZh('./cedict_ts.u8') as string;

/** nlp.js's dictionary as it ships: a fresh instance of its class, built whole by its start(). */
interface Original extends ZhDictionary {
  simplified: Record<string, ZhEntry[]>;
  traditional: Record<string, ZhEntry[]>;
  segment(text: string): string[];
}
const fresh = () => {
  const shipped = langZh('./dictionary') as { constructor: new () => Original };
  return new shipped.constructor();
};
const original = fresh();

beforeAll(() => {
  const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined); // "Compiling dictionary"
  original.start();
  quiet.mockRestore();
}, 60_000);

describe('lazyZhSearch', () => {
  const search = lazyZhSearch(cedict);

  it('finds every word of the dictionary with the entries nlp.js finds, in its order', () => {
    const words = new Set([
      ...Object.keys(original.simplified),
      ...Object.keys(original.traditional),
    ]);
    expect(words.size).toBeGreaterThan(100_000);
    const differ: string[] = [];
    for (const word of words) {
      if (JSON.stringify(search(word)) !== JSON.stringify(original.search(word))) differ.push(word);
    }
    expect(differ.slice(0, 10)).toEqual([]);
    // A word with several lines: all of them, each with its pinyin and definition.
    expect(search('行')!.length).toBeGreaterThan(1);
    expect(search('訂位')).toEqual(original.search('訂位'));
  });

  it.each(['', 'x', 'hello', '1001', '訂位訂位訂位', 'constructor', 'toString', '__proto__'])(
    'answers %j as nlp.js does',
    (word) => {
      expect(search(word)).toEqual(original.search(word));
    },
  );

  it('gives the same list at each lookup of a word', () => {
    expect(search('你好')).toBe(search('你好'));
  });
});

describe('useLazyZhDictionary', () => {
  const patched = fresh();
  let reads = 0;
  useLazyZhDictionary(patched, () => {
    reads++;
    return cedict;
  });
  afterAll(() => expect(reads).toBe(1));

  it.each([
    '我的訂單1001在哪裡',
    '我想訂位，明天晚上7點，兩位',
    '你好 hello 早安',
    '這家餐廳今天有開嗎？',
    '我要两杯咖啡',
    'constructor toString 你好',
    '',
  ])('segments %j as nlp.js does', (text) => {
    expect(patched.segment(text)).toEqual(original.segment(text));
  });

  it('is installed once (a second call keeps the first index)', () => {
    useLazyZhDictionary(patched, () => {
      throw new Error('read again');
    });
    expect(patched.search('你好')).toEqual(original.search('你好'));
  });
});
