import { createRequire } from 'node:module';
import { containerBootstrap, type Container } from '@nlpjs/core';
import { LangEn } from '@nlpjs/lang-en';
import { LangJa } from '@nlpjs/lang-ja';
import { LangZh } from '@nlpjs/lang-zh';
import { NluNeural } from '@nlpjs/nlu';
import type { AgentModel, EntityTypeDef, IntentDef, TrainingPhrase } from '../lib/agent/model';
import { modelKey, readModel, writeModel } from './model-cache';
import { useLazyZhDictionary, type ZhDictionary } from './zh-dictionary';
import {
  isComposite,
  recognizerFor,
  systemExtension,
  SYSTEM_ENTITIES,
  zonedNow,
  type EntityValue,
  type ZonedNow,
} from './entities';
import {
  extractParameter,
  matchIntent,
  normalizeText,
  type IntentMatch,
  type MatchedParameter,
} from './match';
import { findSystemEntities, type EntitySpan } from './system-entities';

/*
 * What the stand-in understands of a text, in two steps. First the exact training phrase
 * (normalised, annotated parts filled by their entity types): confidence 1. Then an nlp.js
 * neural classifier trained from the agent's own phrases, one per language, where every
 * entity mention (annotated or found) is replaced by a token naming its entity type, so
 * "where is my order 1001" and "can you check order 1002 for me" share the feature "an
 * order id". The best candidate above the agent's threshold wins; its parameters are filled
 * from the entities found in the text. Same agent and text, same answer: the network starts
 * from zero weights and nothing is random.
 */

/** One intent the classifier considered, with what it found for it. */
export interface Candidate {
  intent: string;
  score: number;
  parameters: MatchedParameter[];
}

export interface Understanding {
  /** The match, when an intent reached the threshold. */
  match: IntentMatch | undefined;
  /** How: the exact phrase, the classifier, or nothing above the threshold. */
  source: 'exact' | 'classifier' | 'none';
  /** The best three candidates, best first (the "why it matched"). */
  candidates: Candidate[];
  /** Every entity found in the text (span → type → value). */
  entities: EntitySpan[];
  /** The language the text looks written in, when not the request's (`zh`, `ja`, `en`). */
  looksLike?: string;
}

/**
 * The language a text's script says it is in, when that is not `language`: kana is Japanese,
 * Han alone Chinese, Latin letters alone English. A hint, not detection (the stand-in, like
 * Dialogflow without auto detection, understands the request's language only).
 */
export function otherLanguage(text: string, language: string): string | undefined {
  const primary = language.toLowerCase().split('-')[0];
  const kana = /[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text);
  const han = /\p{Script=Han}/u.test(text);
  // Ids and addresses are Latin in any language.
  const latin = /\p{Script=Latin}/u.test(text.replace(/[a-z]-?\d+|\S+@\S+/giu, ''));
  const looks = kana
    ? 'ja'
    : han
      ? primary === 'ja'
        ? undefined
        : 'zh'
      : latin
        ? 'en'
        : undefined;
  return looks && looks !== primary ? looks : undefined;
}

/** The default of both editions when an agent does not say (ES mlMinConfidence, CX classificationThreshold). */
export const DEFAULT_THRESHOLD = 0.3;

const FREE_TYPES = new Set(['sys.any', 'sys.person', 'sys.given-name', 'sys.last-name']);
const LIBRARY_TYPES = new Set([
  'sys.number', 'sys.number-integer', 'sys.cardinal', 'sys.number-sequence', 'sys.ordinal',
  'sys.date', 'sys.time', 'sys.date-time', 'sys.date-period', 'sys.time-period', 'sys.duration',
  'sys.age', 'sys.temperature', 'sys.unit-currency', 'sys.percentage', 'sys.email',
  'sys.phone-number', 'sys.url',
]); // prettier-ignore

/** System entity types the stand-in resolves (library ones and its own few). */
export const KNOWN_SYSTEM_TYPES = new Set([...LIBRARY_TYPES, ...SYSTEM_ENTITIES]);

const WORDISH = /[\p{L}\p{N}]/u;
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

/** True when a span may start or end at `i`: never inside a word of a spaced script. */
export function atWordBoundary(text: string, i: number): boolean {
  const a = text[i - 1];
  const b = text[i];
  if (a === undefined || b === undefined) return true;
  if (!WORDISH.test(a) || !WORDISH.test(b)) return true;
  return UNSPACED.test(a) || UNSPACED.test(b);
}

/** The entity types the agent's intents use as parameters. */
function usedTypes(agent: AgentModel): Set<string> {
  const types = new Set<string>();
  for (const intent of agent.intents) for (const p of intent.parameters) types.add(p.entityType);
  return types;
}

/** Every mention of the entity types `types` in a (normalised) text, never inside a word. */
export function findEntities(
  agent: AgentModel,
  text: string,
  language: string,
  now: ZonedNow,
  types: ReadonlySet<string> = usedTypes(agent),
): EntitySpan[] {
  const spans = findSystemEntities(text, language, now, types);
  for (const type of types) {
    const extension = systemExtension(agent, type, language);
    if ((LIBRARY_TYPES.has(type) || FREE_TYPES.has(type)) && !extension) continue;
    const recognizer =
      extension && FREE_TYPES.has(type) ? extension : recognizerFor(agent, type, language);
    if (recognizer.free) continue;
    const re = new RegExp(recognizer.pattern, 'giu');
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0] === '') {
        re.lastIndex += 1;
        continue;
      }
      const start = m.index;
      const end = start + m[0].length;
      if (!atWordBoundary(text, start) || !atWordBoundary(text, end)) {
        // A longer mention may start here that the regex's first choice hid ("A-1004"): try one on.
        re.lastIndex = start + 1;
        continue;
      }
      const value = recognizer.resolve(m[0], now);
      if (value) {
        spans.push({ start, end, text: m[0], entityType: type, value: refineComposite(value, language, now) }); // prettier-ignore
      }
    }
  }
  for (const type of types) {
    const def = agent.entityTypes.get(type);
    if (def?.fuzzy && def.kind !== 'regexp' && !isComposite(def))
      spans.push(...fuzzyMentions(def, text, language, spans));
  }
  const ok = spans.filter((s) => atWordBoundary(text, s.start) && atWordBoundary(text, s.end));
  // A number inside a date or time ("7" of "7pm", "24" of "December 24") is not a number.
  const temporal = ok.filter((s) => /^sys\.(date|time)/.test(s.entityType));
  return ok
    .filter(
      (s) =>
        !/^sys\.(number|cardinal)/.test(s.entityType) ||
        !temporal.some((t) => t.start <= s.start && s.end <= t.end),
    )
    .sort((a, b) => a.start - b.start || b.end - a.end || a.entityType.localeCompare(b.entityType));
}

/** A composite entity's parts of library system entities (numbers, dates, …) as the library reads them. */
export function refineComposite(value: EntityValue, language: string, now: ZonedNow): EntityValue {
  if (value.kind !== 'composite') return value;
  const parts: Record<string, EntityValue> = {};
  for (const [alias, part] of Object.entries(value.parts)) {
    const source = value.texts[alias];
    const found =
      source && LIBRARY_TYPES.has(source.type)
        ? findSystemEntities(source.text, language, now, new Set([source.type])).find(
            (s) => s.entityType === source.type && s.start === 0 && s.end === source.text.length,
          )
        : undefined;
    parts[alias] = found ? found.value : refineComposite(part, language, now);
  }
  return { ...value, parts };
}

/** Edit distance, for fuzzy extraction. */
function levenshtein(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      next[j] = Math.min(
        row[j]! + 1,
        next[j - 1]! + 1,
        row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length]!;
}

/**
 * Fuzzy extraction (an entity type that allows it): runs of whole words within a small edit
 * distance of a synonym ("croisant" for "croissant"): 1 for 4-7 letters, 2 from 8 on.
 */
function fuzzyMentions(
  def: EntityTypeDef,
  text: string,
  language: string,
  exact: EntitySpan[],
): EntitySpan[] {
  const out: EntitySpan[] = [];
  const words = [...text.matchAll(/[\p{L}\p{N}'-]+/gu)].map((m) => ({
    start: m.index ?? 0,
    text: m[0],
  }));
  for (const entry of def.entries[language] ?? []) {
    for (const synonym of [entry.value, ...entry.synonyms]) {
      const size = synonym.split(/\s+/).length;
      const target = synonym.toLowerCase();
      if (target.length < 4) continue;
      const allowed = target.length >= 8 ? 2 : 1;
      for (let i = 0; i + size <= words.length; i += 1) {
        const first = words[i]!;
        const last = words[i + size - 1]!;
        const end = last.start + last.text.length;
        const candidate = text.slice(first.start, end).toLowerCase();
        if (candidate === target || levenshtein(candidate, target) > allowed) continue;
        if (exact.some((e) => e.start < end && first.start < e.end)) continue;
        const value = def.kind === 'list' ? synonym : entry.value;
        out.push({
          start: first.start,
          end,
          text: text.slice(first.start, end),
          entityType: def.name,
          value: { kind: 'string', value },
        });
      }
    }
  }
  return out;
}

const typeToken = (type: string) => ` zzent${type.toLowerCase().replace(/[^a-z0-9]/g, '')} `;

/** The text with every entity mention replaced by its type's token (the classifier's input). */
function generalise(text: string, spans: EntitySpan[]): string {
  const chars = [...text];
  const covered = new Array<boolean>(text.length).fill(false);
  for (const s of spans) for (let i = s.start; i < s.end; i += 1) covered[i] = true;
  let out = '';
  let i = 0;
  for (const c of chars) {
    out += covered[i] ? ' ' : c;
    i += c.length;
  }
  const types = [...new Set(spans.map((s) => s.entityType).filter((t) => t !== ''))].sort();
  return `${out.replace(/\s+/g, ' ').trim()}${types.map(typeToken).join('')}`.trim();
}

/** A training phrase as the classifier learns it. */
function phraseUtterance(
  agent: AgentModel,
  intent: IntentDef,
  phrase: TrainingPhrase,
  now: ZonedNow,
) {
  let text = '';
  const annotated: { start: number; end: number; type: string }[] = [];
  for (const part of phrase.parts) {
    const piece = normalizeText(part.text);
    const sep = text && piece && !/\s$/.test(part.text) && !/^\s/.test(part.text) ? '' : ' ';
    const start = text.length + (text ? sep.length : 0);
    text = text ? `${text}${sep}${piece}` : piece;
    if (part.parameter) {
      const type =
        intent.parameters.find((p) => p.name === part.parameter)?.entityType ?? 'sys.any';
      annotated.push({ start, end: start + piece.length, type });
    }
  }
  text = text.replace(/\s+/g, ' ');
  const found = findEntities(agent, text, phrase.language, now);
  // Found mentions outside the annotations, and inside them those that cover a whole annotation.
  const spans = found.filter((s) =>
    annotated.every((a) => s.end <= a.start || s.start >= a.end || (s.start === a.start && s.end === a.end)),
  ); // prettier-ignore
  // Annotated parts: their type's token; free text (@sys.any, @sys.person) just leaves.
  const annotations: EntitySpan[] = annotated.map((a) => ({
    start: a.start,
    end: a.end,
    text: text.slice(a.start, a.end),
    entityType: FREE_TYPES.has(a.type) ? '' : a.type,
    value: { kind: 'string', value: '' },
  }));
  return generalise(text, [...spans, ...annotations]);
}

interface LanguageModel {
  nlu: NluNeural;
  intents: Set<string>;
}
interface AgentClassifier {
  byLanguage: Map<string, LanguageModel>;
}

/** The nlp.js language plugins the classifiers' container holds (part of a cached model's key). */
const LANGUAGE_PLUGINS: Record<string, unknown> = { LangEn, LangZh, LangJa };

let containerPromise: Promise<Container> | undefined;
function container(): Promise<Container> {
  containerPromise ??= (async () => {
    // nlp.js's Chinese dictionary, indexed on first use instead of built whole (zh-dictionary.ts).
    const langZh = createRequire(require.resolve('@nlpjs/lang-zh'));
    useLazyZhDictionary(langZh('./dictionary') as ZhDictionary, () => langZh('./cedict_ts.u8'));
    const c = await containerBootstrap();
    for (const plugin of Object.values(LANGUAGE_PLUGINS)) c.use(plugin);
    return c;
  })();
  return containerPromise;
}

const NLPJS_LOCALES = new Set(['en', 'zh', 'ja']);

/** How many classifiers this process trained, and how many it read from the model cache. */
export const classifierStats = { trained: 0, cached: 0 };

const models = new Map<string, Promise<NluNeural>>();
/** Corpora kept in memory: `npm run dev` reloads the agent at each change, in one process. */
const MAX_MODELS = 24;
/**
 * One language's classifier: the same corpus is trained once per process (an ES and a CX
 * export of one agent, or two stand-ins in one process, share it) and read from the model cache
 * (model-cache.ts) when another process trained it before.
 */
function languageModel(
  c: Container,
  settings: { locale: string; log: boolean; useNoneFeature: boolean },
  corpus: { utterance: string; intent: string }[],
): Promise<NluNeural> {
  const key = modelKey(settings, corpus, Object.keys(LANGUAGE_PLUGINS));
  let model = models.get(key);
  if (!model) {
    model = (async () => {
      const nlu = new NluNeural(settings, c);
      const cached = readModel(key);
      if (cached) {
        try {
          nlu.fromJSON(cached);
          // nlp.js's fromJSON lists the intents without its implicit None, which a trained model
          // adds on its first classification: left unset, the list is made as training leaves it.
          (nlu as unknown as { intentsArr?: string[] }).intentsArr = undefined;
          classifierStats.cached++;
          return nlu;
        } catch {
          // Not a model this nlp.js reads: train it again.
        }
      }
      await nlu.train(corpus);
      classifierStats.trained++;
      writeModel(key, nlu.toJSON());
      return nlu;
    })();
    models.set(key, model);
    // The oldest first out (a Map keeps insertion order); the disk cache still has it.
    for (const old of models.keys()) {
      if (models.size <= MAX_MODELS) break;
      models.delete(old);
    }
  }
  return model;
}
const trained = new WeakMap<AgentModel, Promise<AgentClassifier>>();

/** Trains (once per agent) the classifier of every language the agent has. */
export function trainClassifier(agent: AgentModel, now: ZonedNow = zonedNow(agent.timeZone)) {
  let promise = trained.get(agent);
  if (!promise) {
    promise = (async () => {
      const c = await container();
      const byLanguage = new Map<string, LanguageModel>();
      for (const language of agent.languages) {
        const corpus: { utterance: string; intent: string }[] = [];
        for (const intent of agent.intents) {
          if (intent.fallback) continue;
          for (const phrase of intent.phrases) {
            if (phrase.language !== language) continue;
            const utterance = phraseUtterance(agent, intent, phrase, now);
            if (utterance) corpus.push({ utterance, intent: intent.name });
          }
        }
        if (corpus.length === 0) continue;
        const primary = language.split('-')[0] ?? language;
        const settings = {
          locale: NLPJS_LOCALES.has(primary) ? primary : language,
          log: false,
          useNoneFeature: true,
        };
        const nlu = await languageModel(c, settings, corpus);
        byLanguage.set(language, { nlu, intents: new Set(corpus.map((x) => x.intent)) });
      }
      return { byLanguage };
    })();
    trained.set(agent, promise);
  }
  return promise;
}

/** Whatever a free-text slot (@sys.any, @sys.person) holds: the text between the words around it in a phrase. */
function freeSlots(
  intent: IntentDef,
  text: string,
  language: string,
  taken: EntitySpan[],
  open: ReadonlySet<string> = new Set(),
) {
  const out: MatchedParameter[] = [];
  for (const p of intent.parameters) {
    if (!FREE_TYPES.has(p.entityType) && !open.has(p.name)) continue;
    for (const phrase of intent.phrases) {
      if (phrase.language !== language) continue;
      const i = phrase.parts.findIndex((part) => part.parameter === p.name);
      if (i < 0) continue;
      const before = normalizeText(phrase.parts[i - 1]?.text ?? '');
      const after = normalizeText(
        phrase.parts[i + 1]?.parameter ? '' : (phrase.parts[i + 1]?.text ?? ''),
      );
      const lastWord = before.split(' ').pop() ?? '';
      if (!lastWord) continue;
      const firstWord = after.split(' ')[0] ?? '';
      // An anchor word is a whole word where its script has spaces ("a", not the "a" of "want").
      const esc = (w: string) =>
        `${UNSPACED.test(w[0] ?? '') ? '' : '(?<![\\p{L}\\p{N}])'}${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${UNSPACED.test(w[w.length - 1] ?? '') ? '' : '(?![\\p{L}\\p{N}])'}`;
      const re = new RegExp(
        `${esc(lastWord)}\\s*(.+?)\\s*(?:${firstWord ? `${esc(firstWord)}|` : ''}$)`,
        'iu',
      );
      const m = re.exec(text);
      if (!m || !m[1]) continue;
      const start = (m.index ?? 0) + m[0].indexOf(m[1], lastWord.length);
      let value = m[1];
      // Stop before any entity found after it (an email after the name).
      const next = taken.filter((t) => t.start >= start && t.start < start + value.length);
      if (next.length) value = text.slice(start, Math.min(...next.map((t) => t.start))).trim();
      value = value.replace(/\s+(?:and|,)$/i, '').trim();
      if (!value || !atWordBoundary(text, start) || !atWordBoundary(text, start + value.length))
        continue;
      out.push({
        name: p.name,
        entityType: p.entityType,
        original: value,
        value:
          FREE_TYPES.has(p.entityType) && p.entityType !== 'sys.any'
            ? { kind: 'person', name: value }
            : { kind: 'string', value },
      });
      break;
    }
  }
  return out;
}

/** Fills an intent's parameters from the entities found, each mention used once (a date-time may give a date and a time). */
export function fillParameters(
  intent: IntentDef,
  text: string,
  language: string,
  entities: EntitySpan[],
  agent?: AgentModel,
): MatchedParameter[] {
  const out: MatchedParameter[] = [];
  const used: EntitySpan[] = [];
  const overlaps = (a: EntitySpan, b: EntitySpan) => a.start < b.end && b.start < a.end;
  const sameMention = (a: EntitySpan, b: EntitySpan) => a.start === b.start && a.end === b.end;
  // Parameters of developer types first: "order 1001" is an order id before it is a number.
  const ordered = [...intent.parameters].sort(
    (a, b) => Number(a.entityType.startsWith('sys.')) - Number(b.entityType.startsWith('sys.')),
  );
  for (const p of ordered) {
    if (FREE_TYPES.has(p.entityType)) continue;
    const fits = entities.filter(
      (e) =>
        e.entityType === p.entityType &&
        used.every((u) => !overlaps(u, e) || (sameMention(u, e) && /^sys\.(date|time)/.test(u.entityType))),
    ); // prettier-ignore
    // The longest mention first ("A-1004" over "1004").
    const chosen = p.isList
      ? fits
      : fits.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start).slice(0, 1);
    for (const e of chosen) {
      used.push(e);
      out.push({ name: p.name, entityType: p.entityType, original: e.text, value: e.value });
    }
  }
  // Automated expansion: a value outside the entity's list, where a phrase has the parameter.
  const open = new Set(
    intent.parameters
      .filter(
        (p) => agent?.entityTypes.get(p.entityType)?.expand && !out.some((o) => o.name === p.name),
      )
      .map((p) => p.name),
  );
  return [...out, ...freeSlots(intent, text, language, used, open)];
}

/**
 * Fills one parameter from a reply to its prompt: library entities (numbers, dates, times, …)
 * from Recognizers-Text anywhere in the reply ("it's 1001", "tomorrow please"), others as the
 * old matcher does (the whole reply, or a fixed-shape mention in it).
 */
export function extractSlot(
  agent: AgentModel,
  text: string,
  language: string,
  parameter: { name: string; entityType: string },
  now: ZonedNow = zonedNow(agent.timeZone),
): MatchedParameter | undefined {
  if (!LIBRARY_TYPES.has(parameter.entityType)) {
    const found = extractParameter(agent, text, language, parameter, now);
    return found && { ...found, value: refineComposite(found.value, language, now) };
  }
  const normalized = normalizeText(text);
  const found = findEntities(agent, normalized, language, now, new Set([parameter.entityType]))
    .filter((e) => e.entityType === parameter.entityType)
    .sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start)[0];
  return found
    ? {
        name: parameter.name,
        entityType: parameter.entityType,
        original: found.text,
        value: found.value,
      }
    : undefined;
}

/** An exact match's values of library entity types, as the library resolves their text. */
function resolveWithLibrary(
  agent: AgentModel,
  match: IntentMatch,
  language: string,
  now: ZonedNow,
): IntentMatch {
  const parameters = match.parameters.map((p) => {
    if (!LIBRARY_TYPES.has(p.entityType)) {
      return { ...p, value: refineComposite(p.value, language, now) };
    }
    const again = extractSlot(agent, p.original, language, p, now);
    return again && again.original.length === normalizeText(p.original).length
      ? { ...p, value: again.value }
      : p;
  });
  return { ...match, parameters };
}

/**
 * Understands a text: the exact phrase first, then the classifier, among the intents
 * `candidates` allows; below `threshold` nothing matches.
 */
export async function understand(
  agent: AgentModel,
  text: string,
  language: string,
  options: {
    candidates?: (intent: IntentDef) => boolean;
    /** Exact phrases of these intents first (ES: intents whose input contexts are active). */
    prefer?: (intent: IntentDef) => boolean;
    now?: ZonedNow;
    threshold?: number;
  } = {},
): Promise<Understanding> {
  const now = options.now ?? zonedNow(agent.timeZone);
  const normalized = normalizeText(text);
  const allowed = (i: IntentDef) => !i.fallback && (options.candidates?.(i) ?? true);
  const entities = normalized ? findEntities(agent, normalized, language, now) : [];
  const classifier = await trainClassifier(agent);
  const model = classifier.byLanguage.get(language);
  let ranked: Candidate[] = [];
  if (model && normalized) {
    const result = await model.nlu.process(generalise(normalized, entities));
    const byName = new Map(agent.intents.map((i) => [i.name, i]));
    ranked = result.classifications
      .filter((c) => c.score > 0 && byName.has(c.intent) && allowed(byName.get(c.intent) as IntentDef))
      .map((c) => {
        const intent = byName.get(c.intent) as IntentDef;
        return { intent: c.intent, score: c.score, parameters: fillParameters(intent, normalized, language, entities, agent) };
      })
      // Ties go to the better score, then to the intent that found more of its parameters, then by name.
      .sort((a, b) => b.score - a.score || b.parameters.length - a.parameters.length || a.intent.localeCompare(b.intent)); // prettier-ignore
  }
  const candidates = ranked.slice(0, 3);
  const looksLike = otherLanguage(normalized, language);
  const hint = looksLike ? { looksLike } : {};
  const prefer = options.prefer;
  const exact =
    (prefer && matchIntent(agent, text, language, { now, candidates: (i) => allowed(i) && prefer(i) })) ||
    matchIntent(agent, text, language, { now, candidates: allowed }); // prettier-ignore
  if (exact) {
    const match = resolveWithLibrary(agent, { ...exact, confidence: 1 }, language, now);
    return { match, source: 'exact', candidates, entities, ...hint };
  }
  const best = ranked[0];
  const threshold = options.threshold ?? agent.classificationThreshold ?? DEFAULT_THRESHOLD;
  if (!best || best.score < threshold)
    return { match: undefined, source: 'none', candidates, entities, ...hint };
  const intent = agent.intents.find((i) => i.name === best.intent) as IntentDef;
  return {
    match: { intent, parameters: best.parameters, confidence: best.score, literalChars: 0 },
    source: 'classifier',
    candidates,
    entities,
    ...hint,
  };
}

/** The "why it matched" of a turn, as the stand-in reports it in `diagnosticInfo`. */
export function explain(u: Understanding) {
  return {
    source: u.source,
    candidates: u.candidates.map((c) => ({
      intent: c.intent,
      score: Math.round(c.score * 1e4) / 1e4,
      parameters: Object.fromEntries(c.parameters.map((p) => [p.name, p.original])),
    })),
    entities: u.entities.map((e) => ({ text: e.text, type: `@${e.entityType}`, value: e.value })),
    ...(u.looksLike ? { looksLike: u.looksLike } : {}),
  };
}
