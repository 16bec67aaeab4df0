import type { AgentModel, EntityTypeDef } from '../lib/agent/model';

/*
 * Entity recognition for the stand-in: each entity type becomes a regular-expression source
 * (matched case-insensitively) and a resolver from the matched text to a value. System
 * entities cover a fixed, documented subset of what Dialogflow understands (see the README);
 * developer entities match their synonyms (map, list) or their patterns (regexp).
 */

/** A resolved entity value, before it is put in an edition's wire shape. */
export type EntityValue =
  | { kind: 'number'; value: number }
  | { kind: 'date'; year: number; month: number; day: number }
  | { kind: 'time'; hours: number; minutes: number }
  | { kind: 'person'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'datetime'; year: number; month: number; day: number; hours: number; minutes: number }
  | { kind: 'period'; start: DateParts; end: DateParts }
  /** Already in each edition's shape (durations, amounts with units). */
  | { kind: 'json'; es: unknown; cx: unknown }
  /** A composite entity's value: its sub-entities by alias (ES an object, CX a struct). */
  | {
      kind: 'composite';
      parts: Record<string, EntityValue>;
      /** Each part's entity type and text (the library re-reads system entities' parts). */
      texts: Record<string, { type: string; text: string }>;
    };

interface DateParts {
  year: number;
  month: number;
  day: number;
}

export interface Recognizer {
  /** Regex source for the entity's text (no capturing groups of its own needed). */
  pattern: string;
  /** True for entities that take whatever text fills their slot (any, person). */
  free: boolean;
  resolve(text: string, now: ZonedNow): EntityValue | undefined;
}

/** "Now" in the agent's time zone: the calendar date and the zone's offset. */
export interface ZonedNow {
  year: number;
  month: number;
  day: number;
  /** `+08:00` */
  offset: string;
}

export function zonedNow(timeZone: string, at: Date = new Date()): ZonedNow {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    timeZoneName: 'longOffset',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const gmt = get('timeZoneName'); // "GMT+08:00" or "GMT"
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    offset: gmt === 'GMT' ? '+00:00' : gmt.replace('GMT', ''),
  };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const EN_NUMBERS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16,
  seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20,
}; // prettier-ignore
const ZH_DIGITS: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 兩: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
}; // prettier-ignore
const ZH_NUMBER = '[零〇一二兩两三四五六七八九十]{1,3}';
const EN_NUMBER = Object.keys(EN_NUMBERS).join('|');

/** "12", "twelve", "十二" → 12 */
export function parseNumber(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t in EN_NUMBERS) return EN_NUMBERS[t];
  if (/^[零〇一二兩两三四五六七八九十]{1,3}$/.test(t)) {
    if (!t.includes('十')) return t.length === 1 ? ZH_DIGITS[t] : undefined;
    const [tens, ones] = t.split('十') as [string, string];
    const tensValue = tens === '' ? 1 : ZH_DIGITS[tens];
    const onesValue = ones === '' ? 0 : ZH_DIGITS[ones];
    return tensValue === undefined || onesValue === undefined
      ? undefined
      : tensValue * 10 + onesValue;
  }
  return undefined;
}

const MONTHS = [
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september',
  'october', 'november', 'december',
]; // prettier-ignore
const MONTH = `(?:${MONTHS.map((m) => `${m}|${m.slice(0, 3)}`).join('|')})\\.?`;
const monthIndex = (name: string) =>
  MONTHS.findIndex((m) => m.startsWith(name.toLowerCase().replace('.', '').slice(0, 3))) + 1;

function validDate(year: number, month: number, day: number): EntityValue | undefined {
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
    return undefined;
  }
  return { kind: 'date', year, month, day };
}

function addDays(now: ZonedNow, days: number): EntityValue {
  const d = new Date(Date.UTC(now.year, now.month - 1, now.day + days));
  return {
    kind: 'date',
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
  };
}

/** A month and day without a year: the next such date from today on. */
function nextDate(now: ZonedNow, month: number, day: number): EntityValue | undefined {
  const thisYear = validDate(now.year, month, day);
  if (!thisYear) return validDate(now.year + 1, month, day);
  const past = month < now.month || (month === now.month && day < now.day);
  return past ? validDate(now.year + 1, month, day) : thisYear;
}

const RELATIVE_DAYS: Record<string, number> = {
  today: 0, tonight: 0, tomorrow: 1, 'day after tomorrow': 2, 'the day after tomorrow': 2,
  今天: 0, 今日: 0, 今晚: 0, 明天: 1, 明日: 1, 後天: 2, 后天: 2,
}; // prettier-ignore

const DATE: Recognizer = {
  pattern: [
    '\\d{4}-\\d{1,2}-\\d{1,2}',
    '\\d{4}/\\d{1,2}/\\d{1,2}',
    '(?:\\d{4}年)?\\d{1,2}月\\d{1,2}[日號号]',
    `${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?(?:\\s*,?\\s*\\d{4})?`,
    `\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}(?:\\s*,?\\s*\\d{4})?`,
    ...Object.keys(RELATIVE_DAYS)
      .sort((a, b) => b.length - a.length)
      .map(escape),
  ].join('|'),
  free: false,
  resolve(text, now) {
    const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
    if (t in RELATIVE_DAYS) return addDays(now, RELATIVE_DAYS[t]!);
    let m = t.match(/^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/);
    if (m) return validDate(Number(m[1]), Number(m[2]), Number(m[3]));
    m = t.match(/^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日號号]$/);
    if (m) {
      return m[1]
        ? validDate(Number(m[1]), Number(m[2]), Number(m[3]))
        : nextDate(now, Number(m[2]), Number(m[3]));
    }
    m = t.match(/^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s*,?\s*(\d{4}))?$/);
    const m2 = t.match(/^(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?(?:\s*,?\s*(\d{4}))?$/);
    const [monthName, day, year] = m ? [m[1], m[2], m[3]] : m2 ? [m2[2], m2[1], m2[3]] : [];
    if (monthName && day) {
      const month = monthIndex(monthName);
      if (month < 1) return undefined;
      return year ? validDate(Number(year), month, Number(day)) : nextDate(now, month, Number(day));
    }
    return undefined;
  },
};

const ZH_PERIOD = '(?:早上|上午|中午|下午|晚上|傍晚|凌晨)';
const TIME: Recognizer = {
  pattern: [
    '\\d{1,2}:\\d{2}(?:\\s*[ap]\\.?m\\.?)?',
    '\\d{1,2}\\s*[ap]\\.?m\\.?',
    `(?:${EN_NUMBER})\\s*(?:[ap]\\.?m\\.?|o'clock)`,
    'noon|midnight',
    `${ZH_PERIOD}?\\s*(?:\\d{1,2}|${ZH_NUMBER})\\s*[點点](?:\\s*(?:\\d{1,2}|${ZH_NUMBER})\\s*分|半)?`,
  ].join('|'),
  free: false,
  resolve(text) {
    const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
    if (t === 'noon') return { kind: 'time', hours: 12, minutes: 0 };
    if (t === 'midnight') return { kind: 'time', hours: 0, minutes: 0 };
    const ok = (h: number, mi: number): EntityValue | undefined =>
      Number.isInteger(h) && h >= 0 && h <= 23 && mi >= 0 && mi <= 59
        ? { kind: 'time', hours: h, minutes: mi }
        : undefined;
    const en = t.match(/^(\w+?)(?::(\d{2}))?\s*(?:([ap])\.?m\.?|o'clock)?$/);
    if (en && en[1]) {
      const h = parseNumber(en[1]);
      if (h === undefined) return undefined;
      const mi = Number(en[2] ?? 0);
      if (en[3]) {
        if (h < 1 || h > 12) return undefined;
        return ok((h % 12) + (en[3] === 'p' ? 12 : 0), mi);
      }
      return ok(h, mi);
    }
    const zh = t.match(
      /^(早上|上午|中午|下午|晚上|傍晚|凌晨)?\s*([\d零〇一二兩两三四五六七八九十]+)\s*[點点](?:\s*([\d零〇一二兩两三四五六七八九十]+)\s*分|(半))?$/,
    );
    if (zh && zh[2]) {
      let h = parseNumber(zh[2]);
      const mi = zh[4] ? 30 : zh[3] ? parseNumber(zh[3]) : 0;
      if (h === undefined || mi === undefined) return undefined;
      if (['下午', '晚上', '傍晚'].includes(zh[1] ?? '') && h < 12) h += 12;
      if (zh[1] === '中午' && h < 6) h += 12;
      return ok(h, mi);
    }
    return undefined;
  },
};

const number = (integer: boolean): Recognizer => ({
  pattern: `${integer ? '\\d+' : '-?\\d+(?:\\.\\d+)?'}|${EN_NUMBER}|${ZH_NUMBER}`,
  free: false,
  resolve(text) {
    const n = parseNumber(text);
    if (n === undefined || (integer && !Number.isInteger(n))) return undefined;
    return { kind: 'number', value: n };
  },
});

const EMAIL: Recognizer = {
  pattern: '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}',
  free: false,
  resolve: (text) => ({ kind: 'string', value: text.trim() }),
};

/** Cities @sys.geo-city knows here: the canonical name for each way of writing it. */
const CITIES: Record<string, string> = {
  taipei: 'Taipei', 台北: '台北', 臺北: '臺北', 台北市: '台北市', 臺北市: '臺北市',
  kaohsiung: 'Kaohsiung', 高雄: '高雄', taichung: 'Taichung', 台中: '台中', 臺中: '臺中',
  tainan: 'Tainan', 台南: '台南', 臺南: '臺南', hsinchu: 'Hsinchu', 新竹: '新竹',
  tokyo: 'Tokyo', 東京: '東京', osaka: 'Osaka', 大阪: '大阪', kyoto: 'Kyoto', 京都: '京都',
  seoul: 'Seoul', 首爾: '首爾', 'hong kong': 'Hong Kong', 香港: '香港', singapore: 'Singapore',
  新加坡: '新加坡', london: 'London', 倫敦: '倫敦', paris: 'Paris', 巴黎: '巴黎', berlin: 'Berlin',
  柏林: '柏林', 'new york': 'New York', 紐約: '紐約', 'san francisco': 'San Francisco',
  舊金山: '舊金山', 'los angeles': 'Los Angeles', 洛杉磯: '洛杉磯', sydney: 'Sydney', 雪梨: '雪梨',
}; // prettier-ignore

const GEO_CITY: Recognizer = {
  pattern: Object.keys(CITIES)
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|'),
  free: false,
  resolve(text) {
    const city = CITIES[text.trim().toLowerCase().replace(/\s+/g, ' ')];
    return city ? { kind: 'string', value: city } : undefined;
  },
};

const ANY: Recognizer = {
  pattern: '.+?',
  free: true,
  resolve: (text) => (text.trim() ? { kind: 'string', value: text.trim() } : undefined),
};

const PERSON: Recognizer = {
  pattern: '.+?',
  free: true,
  resolve: (text) => (text.trim() ? { kind: 'person', name: text.trim() } : undefined),
};

const SYSTEM: Record<string, Recognizer> = {
  'sys.number': number(false),
  'sys.number-integer': number(true),
  'sys.cardinal': number(true),
  'sys.date': DATE,
  'sys.time': TIME,
  'sys.email': EMAIL,
  'sys.geo-city': GEO_CITY,
  'sys.person': PERSON,
  'sys.given-name': PERSON,
  'sys.any': ANY,
};

/** The system entities the stand-in recognises (others are read as @sys.any, with a warning). */
export const SYSTEM_ENTITIES = Object.keys(SYSTEM);

// `@type:alias` (or `@type`) in a composite entity's entry.
const REFERENCE = /@([A-Za-z0-9_.-]*[A-Za-z0-9_])(?::([A-Za-z0-9_-]+))?/g;

/** True for an entity type whose entries reference other entity types (a composite entity). */
export function isComposite(type: EntityTypeDef): boolean {
  return (
    type.kind !== 'regexp' &&
    Object.values(type.entries).some((entries) =>
      entries.some((e) => [e.value, ...e.synonyms].some((s) => /@[A-Za-z]/.test(s))),
    )
  );
}

/**
 * A composite entity: each entry is a template of literal words and `@type:alias` references
 * (`@flavor:flavor @drink:milkshake with @milk_type:milk_type`); a mention matches one template,
 * each reference filled by its entity type; its value is the sub-entities' values by alias.
 * Entries that reference nothing are ordinary synonyms, their value a part named after the type.
 */
function compositeRecognizer(
  agent: AgentModel,
  type: EntityTypeDef,
  language: string,
  depth: number,
): Recognizer {
  const templates = [
    ...new Set((type.entries[language] ?? []).flatMap((e) => [e.value, ...e.synonyms])),
  ];
  const compiled = templates.map((template) => {
    const refs: { type: string; alias: string }[] = [];
    let pattern = '';
    let full = '';
    let last = 0;
    const literal = (text: string) =>
      text.trim().split(/\s+/).filter(Boolean).map(escape).join('\\s+');
    const join = (a: string, b: string) => (a && b ? `${a}\\s*${b}` : a || b);
    for (const m of template.matchAll(REFERENCE)) {
      const sub = m[1] as string;
      const lit = literal(template.slice(last, m.index));
      const inner = recognizerFor(agent, sub, language, depth + 1).pattern;
      pattern = join(join(pattern, lit), `(?:${inner})`);
      full = join(join(full, lit), `(?<r${refs.length}>${inner})`);
      refs.push({ type: sub, alias: m[2] ?? sub });
      last = (m.index ?? 0) + m[0].length;
    }
    const tail = literal(template.slice(last));
    return {
      refs,
      literalChars: template.replace(REFERENCE, '').replace(/\s/g, '').length,
      pattern: join(pattern, tail),
      full: new RegExp(`^${join(full, tail)}$`, 'iu'),
    };
  });
  // Longer templates first, so the regex's alternation prefers the fuller mention.
  compiled.sort((a, b) => b.refs.length - a.refs.length || b.literalChars - a.literalChars);
  return {
    pattern: compiled.map((c) => `(?:${c.pattern})`).join('|') || '(?!)',
    free: false,
    resolve(text, now) {
      const t = text.trim();
      for (const c of compiled) {
        const m = c.full.exec(t);
        if (!m) continue;
        const parts: Record<string, EntityValue> = {};
        const texts: Record<string, { type: string; text: string }> = {};
        const ok = c.refs.every((ref, i) => {
          const sub = (m.groups?.[`r${i}`] ?? '').trim();
          const value = recognizerFor(agent, ref.type, language, depth + 1).resolve(sub, now);
          if (value) {
            parts[ref.alias] = value;
            texts[ref.alias] = { type: ref.type, text: sub };
          }
          return value !== undefined;
        });
        if (!ok) continue;
        if (c.refs.length === 0) parts[type.name] = { kind: 'string', value: t };
        return { kind: 'composite', parts, texts };
      }
      return undefined;
    },
  };
}

function developerRecognizer(
  agent: AgentModel,
  type: EntityTypeDef,
  language: string,
  depth: number,
): Recognizer {
  const entries = type.entries[language] ?? [];
  // A composite that references itself (or a cycle) stops here.
  if (isComposite(type)) {
    return depth > 3 ? ANY : compositeRecognizer(agent, type, language, depth);
  }
  if (type.kind === 'regexp') {
    // `^…$` around an entry bound the mention, not the whole text (authors annotate them in phrases).
    const patterns = entries
      .flatMap((e) => [e.value, ...e.synonyms])
      .map((p) => p.replace(/^\^/, '').replace(/(?<!\\)\$$/, ''));
    const unique = [...new Set(patterns)].map((p) => `(?:${p})`);
    const full = new RegExp(`^(?:${unique.join('|')})$`, 'iu');
    return {
      pattern: unique.join('|') || '(?!)',
      free: false,
      resolve: (text) =>
        full.test(text.trim()) ? { kind: 'string', value: text.trim() } : undefined,
    };
  }
  const bySynonym = new Map<string, string>();
  for (const e of entries) {
    for (const s of [e.value, ...e.synonyms]) {
      bySynonym.set(s.toLowerCase(), type.kind === 'list' ? s : e.value);
    }
  }
  return {
    pattern:
      [...bySynonym.keys()]
        .sort((a, b) => b.length - a.length)
        .map((s) => escape(s).replace(/\s+/g, '\\s+'))
        .join('|') || '(?!)',
    free: false,
    resolve(text) {
      const value = bySynonym.get(text.trim().toLowerCase().replace(/\s+/g, ' '));
      return value === undefined ? undefined : { kind: 'string', value };
    },
  };
}

/** The recognizer of an entity type (`sys.date`, `product`) in a language. */
export function recognizerFor(
  agent: AgentModel,
  entityType: string,
  language: string,
  depth = 0,
): Recognizer {
  const system = SYSTEM[entityType];
  const developer = agent.entityTypes.get(entityType);
  if (system && developer && !system.free) {
    // A system entity the agent extends (ES `entities/sys.X.json`): its own entries, then the system's.
    const own = developerRecognizer(agent, developer, language, depth);
    return {
      pattern: `${own.pattern}|${system.pattern}`,
      free: false,
      // The entry's value read as the system entity reads it ("a dozen" → "12" → 12).
      resolve(text, now) {
        const mine = own.resolve(text, now);
        const value = mine?.kind === 'string' ? system.resolve(mine.value, now) : undefined;
        return value ?? mine ?? system.resolve(text, now);
      },
    };
  }
  if (system) return system;
  if (developer) return developerRecognizer(agent, developer, language, depth);
  return ANY;
}

/** The entries an agent adds to a system entity (ES `entities/sys.X.json`), as their own recognizer. */
export function systemExtension(
  agent: AgentModel,
  entityType: string,
  language: string,
): Recognizer | undefined {
  const developer = entityType.startsWith('sys.') ? agent.entityTypes.get(entityType) : undefined;
  return developer && developerRecognizer(agent, developer, language, 0);
}

/** Entity types an agent uses that the stand-in does not know (read as @sys.any). */
export function unknownEntityTypes(agent: AgentModel): string[] {
  const used = new Set<string>();
  for (const intent of agent.intents) for (const p of intent.parameters) used.add(p.entityType);
  for (const flow of agent.flows.values()) {
    for (const page of flow.pages.values()) for (const p of page.form) used.add(p.entityType);
  }
  return [...used].filter((t) => !SYSTEM[t] && !agent.entityTypes.has(t)).sort();
}
