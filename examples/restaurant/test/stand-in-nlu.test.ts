import { describe, expect, it } from 'vitest';
import { agentFiles } from '@dialogflow-functions/dev/lib/agent/generate';
import { loadAgent } from '@dialogflow-functions/dev/lib/agent/load';
import type { AgentModel } from '@dialogflow-functions/dev/lib/agent/model';
import { AGENT_ROOT } from '@dialogflow-functions/dev/lib/agent/package';
import type { ZonedNow } from '@dialogflow-functions/dev/dialogflow-stand-in/entities';
import type { MatchedParameter } from '@dialogflow-functions/dev/dialogflow-stand-in/match';
import {
  findEntities,
  otherLanguage,
  understand,
} from '@dialogflow-functions/dev/dialogflow-stand-in/understand';
import { cxValue, esValue } from '@dialogflow-functions/dev/dialogflow-stand-in/values';
import { messagesFor } from '../src/messages';

const en = messagesFor('en');
const zhTW = messagesFor('zh-TW');
const ja = messagesFor('ja');

/*
 * The stand-in's understanding of the demo agent: phrases it was not trained on, natural
 * sentences with their parameters, the bot's own suggestion chips, system entity values in
 * the shapes Dialogflow gives, thresholds and determinism.
 */

const es = loadAgent('es', agentFiles('es', AGENT_ROOT));
const cx = loadAgent('cx', agentFiles('cx', AGENT_ROOT));
/** Thursday 3 December 2026 in Taipei. */
const NOW: ZonedNow = { year: 2026, month: 12, day: 3, offset: '+08:00' };
const LANGUAGES = ['en', 'zh-tw', 'ja'] as const;

const phraseText = (parts: { text: string }[]) => parts.map((p) => p.text).join('');

/**
 * The agent in one language with every 5th phrase of each intent held out, and those phrases.
 * Only that language is trained: each language's classifier learns from its own phrases alone.
 */
function holdOut(agent: AgentModel, language: string) {
  const heldOut: { intent: string; text: string }[] = [];
  const intents = agent.intents.map((intent) => {
    const inLanguage = intent.phrases.filter((p) => p.language === language);
    const kept = intent.phrases.filter((p) => {
      const i = inLanguage.indexOf(p);
      if (i >= 0 && i % 5 === 4) {
        heldOut.push({ intent: intent.name, text: phraseText(p.parts) });
        return false;
      }
      return true;
    });
    return { ...intent, phrases: kept };
  });
  return { agent: { ...agent, languages: [language], intents }, heldOut };
}

describe.each([
  ['es', es],
  ['cx', cx],
] as const)('%s demo agent', (_edition, agent) => {
  it.each(LANGUAGES)('%s: matches at least 9 in 10 held-out phrases', async (language) => {
    const { agent: trained, heldOut } = holdOut(agent, language);
    expect(heldOut.length).toBeGreaterThanOrEqual(8);
    const misses: string[] = [];
    for (const { intent, text } of heldOut) {
      const u = await understand(trained, text, language, { now: NOW });
      if (u.match?.intent.name !== intent)
        misses.push(`${text} → ${u.match?.intent.name} (${intent})`);
    }
    expect(misses.length / heldOut.length, misses.join('\n')).toBeLessThanOrEqual(0.1);
  });
});

/** Expected parameters: strings and numbers as is, dates as `+N` days from NOW, times as `HH:MM`. */
type Expect = Record<string, string | number>;
const simple = (p: MatchedParameter): string | number => {
  const v = p.value;
  switch (v.kind) {
    case 'number':
      return v.value;
    case 'date':
      return `+${Math.round((Date.UTC(v.year, v.month - 1, v.day) - Date.UTC(NOW.year, NOW.month - 1, NOW.day)) / 864e5)}`;
    case 'time':
      return `${String(v.hours).padStart(2, '0')}:${String(v.minutes).padStart(2, '0')}`;
    case 'person':
      return v.name;
    case 'string':
      return v.value;
    default:
      return JSON.stringify(v);
  }
};

const NATURAL: [string, string, string, Expect][] = [
  ['en', "Where's my order 1001?", 'check_order', { order_id: '1001' }],
  ['en', 'hi, where is my order 1001', 'check_order', { order_id: '1001' }],
  ['en', 'can you check order 1002 for me', 'check_order', { order_id: '1002' }],
  ['en', 'could you look up order A-1004 please', 'check_order', { order_id: 'A-1004' }],
  ['en', 'do you have latte beans', 'check_inventory', { product: 'latte' }],
  ['en', 'are there any croissants left in stock', 'check_inventory', { product: 'croissant' }],
  ['en', 'how is the weather today in Tokyo', 'get_weather', { 'geo-city': 'Tokyo' }],
  ['en', 'will it rain in Taipei', 'get_weather', { 'geo-city': 'Taipei' }],
  ['en', "I'd like to book a table for 2 tomorrow at 7pm", 'make_reservation', { party_size: 2, date: '+1', time: '19:00' }],
  ['en', 'can I reserve a table for 4 people tomorrow at 8pm', 'make_reservation', { party_size: 4, date: '+1', time: '20:00' }],
  ['en', 'please let me speak with a real human', 'talk_to_agent', {}],
  ['en', 'is my booking confirmed yet', 'task_status', {}],
  ['en', 'what is the status of request r-0123456789ab', 'task_status', { task_id: 'r-0123456789ab' }],
  ['en', 'please tell me when order 1002 has shipped', 'watch_order', { order_id: '1002' }],
  ['en', 'hello there', 'Default Welcome Intent', {}],
  ['zh-tw', '你好，我的訂單1001在哪裡？', 'check_order', { order_id: '1001' }],
  ['zh-tw', '請幫我查一下訂單1002', 'check_order', { order_id: '1002' }],
  ['zh-tw', '請問抹茶還有庫存嗎', 'check_inventory', { product: 'matcha' }],
  ['zh-tw', '請問東京的天氣如何', 'get_weather', { 'geo-city': '東京' }],
  ['zh-tw', '我想訂明天晚上7點4位', 'make_reservation', { date: '+1', time: '19:00', party_size: 4 }],
  ['zh-tw', '我想跟真人客服說話', 'talk_to_agent', {}],
  ['zh-tw', '我的訂位處理好了沒', 'task_status', {}],
  ['zh-tw', '訂單1002出貨的時候通知我', 'watch_order', { order_id: '1002' }],
  ['zh-tw', '哈囉你好', 'Default Welcome Intent', {}],
  ['ja', 'すみません、注文1001はどこですか', 'check_order', { order_id: '1001' }],
  ['ja', '注文1002の状況を確認してください', 'check_order', { order_id: '1002' }],
  ['ja', '抹茶の在庫はまだありますか', 'check_inventory', { product: 'matcha' }],
  ['ja', '東京の天気はどうですか', 'get_weather', { 'geo-city': '東京' }],
  ['ja', '明日の19時に2名で予約したいです', 'make_reservation', { date: '+1', time: '19:00', party_size: 2 }],
  ['ja', '担当者と話したいです', 'talk_to_agent', {}],
  ['ja', '予約は確定しましたか？', 'task_status', {}],
  ['ja', '注文1002が発送されたら教えてください', 'watch_order', { order_id: '1002' }],
  ['ja', 'こんにちは！', 'Default Welcome Intent', {}],
]; // prettier-ignore

describe.each([
  ['es', es],
  ['cx', cx],
] as const)('%s: natural sentences that are not training phrases', (_edition, agent) => {
  it.each(LANGUAGES)(
    '%s: matches with the right parameters at least 9 times in 10',
    async (language) => {
      const rows = NATURAL.filter(([l]) => l === language);
      const misses: string[] = [];
      for (const [, text, intent, params] of rows) {
        const u = await understand(agent, text, language, { now: NOW });
        const got = Object.fromEntries((u.match?.parameters ?? []).map((p) => [p.name, simple(p)]));
        const ok =
          u.match?.intent.name === intent && Object.entries(params).every(([k, v]) => got[k] === v);
        if (!ok) misses.push(`${text} → ${u.match?.intent.name} ${JSON.stringify(got)}`);
      }
      expect(misses.length / rows.length, misses.join('\n')).toBeLessThanOrEqual(0.1);
    },
  );
});

describe('suggestion chips of every demo reply', () => {
  // What each chip of the catalogue stands for, by position.
  const intentsOf = {
    welcomeSuggestions: ['check_order', 'get_weather', 'make_reservation'],
    fallbackSuggestions: ['check_order', 'check_inventory', 'get_weather'],
    orderSuggestions: ['check_order', 'talk_to_agent'],
  } as const;
  const catalogues = [
    ['en', en],
    ['zh-tw', zhTW],
    ['ja', ja],
  ] as const;
  const rows = catalogues.flatMap(([language, messages]) =>
    (Object.keys(intentsOf) as (keyof typeof intentsOf)[]).flatMap((kind) =>
      messages[kind].map((chip, i) => [language, chip, intentsOf[kind][i] as string] as const),
    ),
  );
  it.each(rows)('%s "%s" → %s', async (language, chip, intent) => {
    for (const agent of [es, cx]) {
      const u = await understand(agent, chip, language, { now: NOW });
      expect(u.match?.intent.name).toBe(intent);
    }
  });
});

describe('system entities, in the shapes Dialogflow gives them', () => {
  const types = new Set(['sys.date', 'sys.time', 'sys.number', 'sys.date-time']);
  const first = (text: string, language: string, type: string) =>
    findEntities(es, text, language, NOW, types).find((e) => e.entityType === type);
  it.each([
    ['en', 'next Friday', 'sys.date', '2026-12-11T12:00:00+08:00', { year: 2026, month: 12, day: 11 }],
    ['en', 'on December 24', 'sys.date', '2026-12-24T12:00:00+08:00', { year: 2026, month: 12, day: 24 }],
    ['zh-tw', '12月24日', 'sys.date', '2026-12-24T12:00:00+08:00', { year: 2026, month: 12, day: 24 }],
    ['zh-tw', '下週五', 'sys.date', '2026-12-11T12:00:00+08:00', { year: 2026, month: 12, day: 11 }],
    ['ja', '来週の金曜日', 'sys.date', '2026-12-11T12:00:00+08:00', { year: 2026, month: 12, day: 11 }],
    ['ja', '12月24日', 'sys.date', '2026-12-24T12:00:00+08:00', { year: 2026, month: 12, day: 24 }],
    ['en', 'at half past seven in the evening', 'sys.time', '2026-12-03T19:30:00+08:00', { hours: 19, minutes: 30, seconds: 0, nanos: 0 }],
    ['zh-tw', '晚上7點半', 'sys.time', '2026-12-03T19:30:00+08:00', { hours: 19, minutes: 30, seconds: 0, nanos: 0 }],
    ['ja', '午後7時半', 'sys.time', '2026-12-03T19:30:00+08:00', { hours: 19, minutes: 30, seconds: 0, nanos: 0 }],
    ['en', 'twenty one', 'sys.number', 21, 21],
    ['zh-tw', '十二', 'sys.number', 12, 12],
    ['ja', '二十一', 'sys.number', 21, 21],
  ] as const)('%s "%s" → %s', (language, text, type, esShape, cxShape) => {
    const found = first(text, language, type);
    expect(found, text).toBeDefined();
    expect(esValue(found!.value, NOW)).toEqual(esShape);
    expect(cxValue(found!.value)).toEqual(cxShape);
  }); // prettier-ignore

  it('never starts or ends a mention inside a word', () => {
    const found = findEntities(es, 'order a1001x and 7pm', 'en', NOW);
    expect(found.some((e) => e.text === '1001' || e.text === 'a1001')).toBe(false);
    expect(found.some((e) => e.text === '7' && e.entityType === 'sys.number')).toBe(false);
  });
});

describe('thresholds and determinism', () => {
  it('falls below the agent threshold for text unlike any phrase', async () => {
    const u = await understand(es, 'xylophone quantum giraffe', 'en', { now: NOW });
    expect(u.match).toBeUndefined();
    expect(u.source).toBe('none');
  });

  it("uses the agent's threshold: above 1 nothing but exact phrases match", async () => {
    const strict = { ...es, classificationThreshold: 1.01 };
    expect(
      (await understand(strict, 'can you check order 1002 for me', 'en', { now: NOW })).match,
    ).toBeUndefined();
    const exact = await understand(strict, 'check order 1002', 'en', { now: NOW });
    expect(exact.source).toBe('exact');
    expect(exact.match?.confidence).toBe(1);
  });

  it('gives the same match and score for the same text, and the top three candidates', async () => {
    const a = await understand(es, 'hi, where is my order 1001', 'en', { now: NOW });
    const b = await understand(es, 'hi, where is my order 1001', 'en', { now: NOW });
    expect(a.match?.intent.name).toBe('check_order');
    expect(a.match?.confidence).toBe(b.match?.confidence);
    expect(a.candidates).toEqual(b.candidates);
    expect(a.candidates.length).toBeGreaterThanOrEqual(1);
    expect(a.candidates.length).toBeLessThanOrEqual(3);
    expect(a.candidates[0]?.intent).toBe('check_order');
  });

  it('only considers the candidates it is given (input contexts, page routes)', async () => {
    const u = await understand(es, 'can you check order 1002 for me', 'en', {
      now: NOW,
      candidates: (i) => i.name !== 'check_order',
    });
    expect(u.match?.intent.name).not.toBe('check_order');
  });
});

describe('text in another language than the request says', () => {
  it.each([
    ['查詢其他訂單', 'en', 'zh'],
    ['注文を確認', 'en', 'ja'],
    ['注文を確認', 'zh-tw', 'ja'],
    ['where is my order', 'zh-tw', 'en'],
    ['where is my order', 'en', undefined],
    ['訂單A-1004出貨了嗎', 'zh-tw', undefined],
    ['天気', 'ja', undefined],
    ['1001', 'ja', undefined],
  ] as const)('"%s" in %s looks like %s', (text, language, looks) => {
    expect(otherLanguage(text, language)).toBe(looks);
  });

  it('says so with the understanding (the console and detect show it)', async () => {
    const u = await understand(es, '找真人客服', 'en', { now: NOW });
    expect(u.looksLike).toBe('zh');
  });
});
