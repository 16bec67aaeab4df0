import * as Recognizers from '@microsoft/recognizers-text-suite';
import type { EntityValue, ZonedNow } from './entities';

/*
 * Dialogflow's system entities found in a text by Microsoft's Recognizers-Text (numbers,
 * ordinals, dates, times, date-times, periods, durations, ages, temperatures, currency,
 * percentages, email, phone numbers, URLs), in every culture it has. Hand-written here only
 * what the library does not do: Japanese dates and times (its JavaScript date-time model has
 * no Japanese) and Traditional Chinese characters (its Chinese model reads Simplified, so the
 * text is mapped character by character, which keeps every offset).
 */

/** One entity found in a text: [start, end) in the text as given. */
export interface EntitySpan {
  start: number;
  end: number;
  text: string;
  entityType: string;
  value: EntityValue;
}

/** Recognizers-Text culture for a language tag (English where it has none). */
export function cultureOf(language: string): string {
  const primary = language.toLowerCase().split('-')[0] ?? 'en';
  const cultures: Record<string, string> = {
    en: 'en-us', zh: 'zh-cn', ja: 'ja-jp', es: 'es-es', pt: 'pt-br', fr: 'fr-fr',
    de: 'de-de', nl: 'nl-nl', it: 'it-it',
  }; // prettier-ignore
  return cultures[primary] ?? 'en-us';
}

// Traditional → Simplified, one character for one, for the words dates, times and numbers use.
const SIMPLIFIED: Record<string, string> = {
  點: '点', 週: '周', 號: '号', 後: '后', 兩: '两', 鐘: '钟', 個: '个', 禮: '礼', 時: '时',
  間: '间', 晝: '昼', 萬: '万', 億: '亿', 來: '来', 開: '开', 從: '从', 這: '这', 們: '们',
  幾: '几', 歲: '岁', 塊: '块', 錢: '钱', 圓: '圆', 元: '元', 際: '际', 傍: '傍', 節: '节',
  過: '过', 曆: '历', 陽: '阳', 農: '农', 約: '约', 現: '现', 門: '门', 隔: '隔', 刻: '刻',
}; // prettier-ignore
const toSimplified = (text: string) => [...text].map((c) => SIMPLIFIED[c] ?? c).join('');

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const isoDate = (v: { year: number; month: number; day: number }) =>
  `${pad(v.year, 4)}-${pad(v.month)}-${pad(v.day)}`;
const todayIso = (now: ZonedNow) => isoDate(now);

interface Resolution {
  timex?: string;
  type?: string;
  value?: string;
  start?: string;
  end?: string;
  unit?: string;
  [key: string]: unknown;
}
interface RawResult {
  start: number;
  end: number;
  text: string;
  typeName: string;
  resolution?: { value?: unknown; unit?: string; values?: Resolution[]; [k: string]: unknown };
}

const dateOf = (s: string) => {
  const m = s.match(/^(\d{4})-(\d{2})-(\d{2})/);
  return m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : undefined;
};
const timeOf = (s: string) => {
  const m = s.match(/(?:^|\s|T)(\d{2}):(\d{2})(?::\d{2})?$/);
  return m ? { hours: Number(m[1]), minutes: Number(m[2]) } : undefined;
};

/** Of the values a date-time has (past and future readings of "December 24"), the first from today on. */
function pickValue(values: Resolution[], now: ZonedNow): Resolution | undefined {
  const today = todayIso(now);
  const key = (r: Resolution) => String(r.value ?? r.start ?? '');
  return values.find((r) => key(r).slice(0, 10) >= today) ?? values[values.length - 1];
}

/** Date-time results as date / time / date-time / period / duration spans. */
function dateTimeSpans(results: RawResult[], text: string, now: ZonedNow): EntitySpan[] {
  const out: EntitySpan[] = [];
  for (const r of results) {
    // "7點4位" is seven o'clock for four, not 7:04: a counter after the minutes ends the time.
    const counted = /^(.*[点點])\d{1,2}$/.exec(r.text);
    if (counted?.[1] && /^[位人名個个份]/.test(text.slice(r.end + 1))) {
      const shorter = counted[1].length;
      const again = Recognizers.recognizeDateTime(toSimplified(text.slice(r.start, r.start + shorter)), 'zh-cn', undefined, refOf(now)) as RawResult[];
      out.push(...dateTimeSpans(again.map((a) => ({ ...a, start: a.start + r.start, end: a.end + r.start })), text, now));
      continue;
    } // prettier-ignore
    const values = r.resolution?.values ?? [];
    const v = pickValue(values, now);
    if (!v) continue;
    const span = { start: r.start, end: r.end + 1, text: text.slice(r.start, r.end + 1) };
    const timex = v.timex ?? '';
    switch (v.type) {
      case 'date': {
        const d = dateOf(String(v.value ?? ''));
        if (d) out.push({ ...span, entityType: 'sys.date', value: { kind: 'date', ...d } });
        break;
      }
      case 'time': {
        const t = timeOf(String(v.value ?? ''));
        if (t) out.push({ ...span, entityType: 'sys.time', value: { kind: 'time', ...t } });
        break;
      }
      case 'datetime': {
        const value = String(v.value ?? '');
        const d = dateOf(value);
        const t = timeOf(value);
        if (!d || !t) break;
        out.push({ ...span, entityType: 'sys.date', value: { kind: 'date', ...d } });
        out.push({ ...span, entityType: 'sys.time', value: { kind: 'time', ...t } });
        out.push({ ...span, entityType: 'sys.date-time', value: { kind: 'datetime', ...d, ...t } });
        break;
      }
      case 'daterange': {
        // A bare year ("1001" in "order 1001") is not a date anyone means.
        if (/^\d{4}$/.test(timex)) break;
        const s = dateOf(String(v.start ?? ''));
        const e = dateOf(String(v.end ?? ''));
        if (s && e) {
          out.push({
            ...span,
            entityType: 'sys.date-period',
            value: { kind: 'period', start: s, end: e },
          });
        }
        break;
      }
      case 'datetimerange': {
        // "12月24日晚上": the day is a date; the part of the day is not a time.
        const d = dateOf(String(v.start ?? ''));
        if (d && /^(XXXX|\d{4})-\d{2}-\d{2}T/.test(timex)) {
          out.push({ ...span, entityType: 'sys.date', value: { kind: 'date', ...d } });
        }
        break;
      }
      case 'timerange': {
        const s = timeOf(String(v.start ?? ''));
        const e = timeOf(String(v.end ?? ''));
        if (s && e) {
          out.push({
            ...span,
            entityType: 'sys.time-period',
            value: {
              kind: 'json',
              es: { startTime: `${todayIso(now)}T${pad(s.hours)}:${pad(s.minutes)}:00${now.offset}`, endTime: `${todayIso(now)}T${pad(e.hours)}:${pad(e.minutes)}:00${now.offset}` },
              cx: { startTime: { hours: s.hours, minutes: s.minutes, seconds: 0, nanos: 0 }, endTime: { hours: e.hours, minutes: e.minutes, seconds: 0, nanos: 0 } },
            },
          }); // prettier-ignore
        }
        break;
      }
      case 'duration': {
        const seconds = Number(v.value);
        if (!Number.isFinite(seconds)) break;
        const [amount, unit] =
          seconds % 86400 === 0 ? [seconds / 86400, 'day'] : seconds % 3600 === 0 ? [seconds / 3600, 'h'] : seconds % 60 === 0 ? [seconds / 60, 'min'] : [seconds, 's']; // prettier-ignore
        out.push({
          ...span,
          entityType: 'sys.duration',
          value: { kind: 'json', es: { amount, unit }, cx: { amount, unit } },
        });
        break;
      }
    }
  }
  return out;
}

// Japanese dates and times, which the library's JavaScript date-time model does not read.
const JA_WEEKDAYS = '日月火水木金土';
const JA_NUMBER = '[0-9０-９〇一二三四五六七八九十]+';
const jaNumber = (s: string): number | undefined => {
  const ascii = s.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  if (/^\d+$/.test(ascii)) return Number(ascii);
  const r = Recognizers.recognizeNumber(ascii, 'ja-jp')[0] as RawResult | undefined;
  const n = Number(r?.resolution?.value);
  return r && r.text.length === ascii.length && Number.isFinite(n) ? n : undefined;
};

function addDays(now: ZonedNow, days: number) {
  const d = new Date(Date.UTC(now.year, now.month - 1, now.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function japaneseSpans(text: string, now: ZonedNow): EntitySpan[] {
  const out: EntitySpan[] = [];
  const relative: Record<string, number> = {
    今日: 0, きょう: 0, 今夜: 0, 今晩: 0, 明日: 1, あした: 1, あす: 1, 明後日: 2, あさって: 2,
  }; // prettier-ignore
  const dateRe = new RegExp(
    `(明後日|あさって|明日|あした|あす|今日|きょう|今夜|今晩)|(?:(${JA_NUMBER})年)?(${JA_NUMBER})月(${JA_NUMBER})日|(再来週|来週|今週)?の?([${JA_WEEKDAYS}])曜日?`,
    'g',
  );
  for (const m of text.matchAll(dateRe)) {
    let d: { year: number; month: number; day: number } | undefined;
    if (m[1]) d = addDays(now, relative[m[1]] ?? 0);
    else if (m[3] && m[4]) {
      const month = jaNumber(m[3]);
      const day = jaNumber(m[4]);
      const year = m[2] ? jaNumber(m[2]) : undefined;
      if (month && day) {
        const y = year ?? now.year;
        const past = !year && (month < now.month || (month === now.month && day < now.day));
        d = { year: past ? y + 1 : y, month, day };
      }
    } else if (m[6]) {
      const target = JA_WEEKDAYS.indexOf(m[6]);
      const today = new Date(Date.UTC(now.year, now.month - 1, now.day)).getUTCDay();
      const week = m[5] === '再来週' ? 2 : m[5] === '来週' ? 1 : 0;
      // Next week's Friday: the Friday of the week (Monday to Sunday) after this one.
      const mondayOffset = -((today + 6) % 7);
      const days = m[5] ? mondayOffset + week * 7 + ((target + 6) % 7) : (target - today + 7) % 7;
      d = addDays(now, days);
    }
    if (d) {
      const start = m.index ?? 0;
      out.push({ start, end: start + m[0].length, text: m[0], entityType: 'sys.date', value: { kind: 'date', ...d } });
    } // prettier-ignore
  }
  const timeRe = new RegExp(
    `(午前|午後|朝|夜|夕方|昼)?(${JA_NUMBER})時(?:(${JA_NUMBER})分|(半))?|(正午)`,
    'g',
  );
  for (const m of text.matchAll(timeRe)) {
    let hours = m[5] ? 12 : jaNumber(m[2] ?? '');
    const minutes = m[4] ? 30 : m[3] ? jaNumber(m[3]) : 0;
    if (hours === undefined || minutes === undefined) continue;
    if (['午後', '夜', '夕方'].includes(m[1] ?? '') && hours < 12) hours += 12;
    if (hours > 23 || minutes > 59) continue;
    const start = m.index ?? 0;
    out.push({ start, end: start + m[0].length, text: m[0], entityType: 'sys.time', value: { kind: 'time', hours, minutes } }); // prettier-ignore
  }
  return out;
}

/** The library reads "now" in the machine's zone; give it the agent's calendar day. */
const refOf = (now: ZonedNow) => new Date(now.year, now.month - 1, now.day, 12, 0, 0);

const numberValue = (r: RawResult) => Number(r.resolution?.value);

/**
 * What findSystemEntities found, by its arguments: it is a pure function of them (`now` is a
 * calendar day), and the recognizers are most of the stand-in's CPU: every training phrase is
 * read with them (twice when the ES and CX exports of one agent are trained, once per fold in
 * `agent evaluate`, again in each stand-in a process starts), and so is every turn. The oldest
 * entries go first past MAX_REMEMBERED.
 */
const remembered = new Map<string, EntitySpan[]>();
const MAX_REMEMBERED = 20_000;

/** Spans of the system entities `types` (e.g. `sys.number`) in `text`. */
export function findSystemEntities(
  text: string,
  language: string,
  now: ZonedNow,
  types: ReadonlySet<string>,
): EntitySpan[] {
  const key = [language, now.year, now.month, now.day, now.offset, [...types].sort().join(' '), text].join('\u0000'); // prettier-ignore
  let spans = remembered.get(key);
  if (!spans) {
    spans = recognizeSystemEntities(text, language, now, types);
    remembered.set(key, spans);
    for (const oldest of remembered.keys()) {
      if (remembered.size <= MAX_REMEMBERED) break;
      remembered.delete(oldest);
    }
  }
  // A copy: callers add to the list, and the values are theirs to change.
  return structuredClone(spans);
}

function recognizeSystemEntities(
  text: string,
  language: string,
  now: ZonedNow,
  types: ReadonlySet<string>,
): EntitySpan[] {
  const culture = cultureOf(language);
  const input = culture === 'zh-cn' ? toSimplified(text) : text;
  const ref = refOf(now);
  const spans: EntitySpan[] = [];
  const span = (r: RawResult) => ({
    start: r.start,
    end: r.end + 1,
    text: text.slice(r.start, r.end + 1),
  });
  const want = (...names: string[]) => names.some((n) => types.has(n));

  if (want('sys.date', 'sys.time', 'sys.date-time', 'sys.date-period', 'sys.time-period', 'sys.duration')) {
    if (culture === 'ja-jp') spans.push(...japaneseSpans(text, now));
    else {
      const results = Recognizers.recognizeDateTime(input, culture, undefined, ref) as RawResult[];
      spans.push(...dateTimeSpans(results, text, now));
    }
  } // prettier-ignore
  if (want('sys.number', 'sys.number-integer', 'sys.cardinal', 'sys.number-sequence')) {
    for (const r of Recognizers.recognizeNumber(input, culture) as RawResult[]) {
      const n = numberValue(r);
      if (!Number.isFinite(n)) continue;
      for (const type of ['sys.number', 'sys.number-integer', 'sys.cardinal']) {
        if (type !== 'sys.number' && !Number.isInteger(n)) continue;
        spans.push({ ...span(r), entityType: type, value: { kind: 'number', value: n } });
      }
      if (/^\d+$/.test(span(r).text)) {
        spans.push({ ...span(r), entityType: 'sys.number-sequence', value: { kind: 'string', value: span(r).text } }); // prettier-ignore
      }
    }
  }
  if (want('sys.ordinal')) {
    for (const r of Recognizers.recognizeOrdinal(input, culture) as RawResult[]) {
      const n = numberValue(r);
      if (Number.isFinite(n)) spans.push({ ...span(r), entityType: 'sys.ordinal', value: { kind: 'number', value: n } }); // prettier-ignore
    }
  }
  if (want('sys.percentage')) {
    for (const r of Recognizers.recognizePercentage(input, culture) as RawResult[]) {
      const v = String(r.resolution?.value ?? '');
      if (v) spans.push({ ...span(r), entityType: 'sys.percentage', value: { kind: 'string', value: v } }); // prettier-ignore
    }
  }
  const units: [string, string, (t: string, c: string) => unknown[], string][] = [
    ['sys.age', 'unit', Recognizers.recognizeAge, 'amount'],
    ['sys.temperature', 'unit', Recognizers.recognizeTemperature, 'amount'],
    ['sys.unit-currency', 'currency', Recognizers.recognizeCurrency, 'amount'],
  ];
  for (const [type, unitKey, recognize] of units) {
    if (!want(type)) continue;
    for (const r of recognize(input, culture) as RawResult[]) {
      const amount = numberValue(r);
      const unit = String(r.resolution?.isoCurrency ?? r.resolution?.unit ?? '');
      if (!Number.isFinite(amount)) continue;
      const value = { amount, [unitKey]: type === 'sys.age' ? unit.toLowerCase() : unit };
      spans.push({ ...span(r), entityType: type, value: { kind: 'json', es: value, cx: value } });
    }
  }
  const sequences: [string, (t: string, c: string) => unknown[]][] = [
    ['sys.email', Recognizers.recognizeEmail],
    ['sys.phone-number', Recognizers.recognizePhoneNumber],
    ['sys.url', Recognizers.recognizeURL],
  ];
  for (const [type, recognize] of sequences) {
    if (!want(type)) continue;
    for (const r of recognize(text, 'en-us') as RawResult[]) {
      const s = span(r);
      spans.push({ ...s, entityType: type, value: { kind: 'string', value: s.text } });
    }
  }
  return spans.filter((s) => types.has(s.entityType));
}
