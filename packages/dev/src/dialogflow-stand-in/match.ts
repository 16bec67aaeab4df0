import type { AgentModel, IntentDef, TrainingPhrase } from '../lib/agent/model';
import { recognizerFor, zonedNow, type EntityValue, type ZonedNow } from './entities';

/*
 * Deterministic matching of a user's text to an intent: the text must equal one of the
 * intent's training phrases after normalisation, with each annotated part replaced by any
 * text its entity type recognises. Not an NLU: no paraphrases, no typos, no partial matches.
 */

/** Normalises text for matching: NFKC, curly quotes straight, punctuation dropped, spaces collapsed. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[?!,;，。？！、；：~～"]+/g, ' ')
    .replace(/:(?!\d)/g, ' ')
    .replace(/\.(?=\s|$)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A parameter value found in the text. */
export interface MatchedParameter {
  name: string;
  entityType: string;
  original: string;
  value: EntityValue;
}

export interface IntentMatch {
  intent: IntentDef;
  parameters: MatchedParameter[];
  /** 1 for a phrase without parameters; slightly less the more of the text entities took. */
  confidence: number;
  /** Characters of literal phrase text matched: more is more specific. */
  literalChars: number;
}

interface CompiledPhrase {
  intent: IntentDef;
  regex: RegExp;
  slots: { group: string; parameter: string; entityType: string }[];
  literalChars: number;
}

const compiled = new WeakMap<AgentModel, Map<string, CompiledPhrase[]>>();

function compilePhrase(agent: AgentModel, intent: IntentDef, phrase: TrainingPhrase) {
  const slots: CompiledPhrase['slots'] = [];
  let literalChars = 0;
  const pieces: string[] = [];
  for (const part of phrase.parts) {
    if (part.parameter) {
      const def = intent.parameters.find((p) => p.name === part.parameter);
      const entityType = def?.entityType ?? 'sys.any';
      const recognizer = recognizerFor(agent, entityType, phrase.language);
      const group = `p${slots.length}`;
      slots.push({ group, parameter: part.parameter, entityType });
      pieces.push(`(?<${group}>${recognizer.pattern})`);
    } else {
      const literal = normalizeText(part.text);
      if (literal === '') continue;
      literalChars += literal.replace(/\s/g, '').length;
      pieces.push(literal.split(' ').map(escape).join('\\s+'));
    }
  }
  if (pieces.length === 0) return undefined;
  return {
    intent,
    regex: new RegExp(`^\\s*${pieces.join('\\s*')}\\s*$`, 'iu'),
    slots,
    literalChars,
  };
}

function phrasesFor(agent: AgentModel, language: string): CompiledPhrase[] {
  let byLanguage = compiled.get(agent);
  if (!byLanguage) {
    byLanguage = new Map();
    compiled.set(agent, byLanguage);
  }
  let list = byLanguage.get(language);
  if (!list) {
    list = [];
    for (const intent of agent.intents) {
      for (const phrase of intent.phrases) {
        if (phrase.language !== language) continue;
        const c = compilePhrase(agent, intent, phrase);
        if (c) list.push(c);
      }
    }
    byLanguage.set(language, list);
  }
  return list;
}

/**
 * The best intent for `text` among `candidates` (all intents when omitted): the matching
 * phrase with the most literal text wins, then the one with the most parameters, then the
 * intent listed first.
 */
export function matchIntent(
  agent: AgentModel,
  text: string,
  language: string,
  options: { candidates?: (intent: IntentDef) => boolean; now?: ZonedNow } = {},
): IntentMatch | undefined {
  const normalized = normalizeText(text);
  if (normalized === '') return undefined;
  const now = options.now ?? zonedNow(agent.timeZone);
  let best: IntentMatch | undefined;
  for (const phrase of phrasesFor(agent, language)) {
    if (options.candidates && !options.candidates(phrase.intent)) continue;
    const m = phrase.regex.exec(normalized);
    if (!m) continue;
    const parameters: MatchedParameter[] = [];
    let ok = true;
    for (const slot of phrase.slots) {
      const original = m.groups?.[slot.group] ?? '';
      const value = recognizerFor(agent, slot.entityType, language).resolve(original, now);
      if (!value) {
        ok = false;
        break;
      }
      parameters.push({ name: slot.parameter, entityType: slot.entityType, original, value });
    }
    if (!ok) continue;
    const entityChars = parameters.reduce((n, p) => n + p.original.length, 0);
    const candidate: IntentMatch = {
      intent: phrase.intent,
      parameters,
      confidence:
        parameters.length === 0 ? 1 : Math.max(0.5, 1 - entityChars / (2 * normalized.length)),
      literalChars: phrase.literalChars,
    };
    if (
      !best ||
      candidate.literalChars > best.literalChars ||
      (candidate.literalChars === best.literalChars &&
        candidate.parameters.length > best.parameters.length)
    ) {
      best = candidate;
    }
  }
  return best;
}

/**
 * Fills one parameter from a whole reply (a slot-filling or form prompt's answer): the
 * entity's text must be the whole reply, or for entities with a fixed shape (numbers, dates,
 * ids) appear in it ("it's 1001").
 */
export function extractParameter(
  agent: AgentModel,
  text: string,
  language: string,
  parameter: { name: string; entityType: string },
  now: ZonedNow = zonedNow(agent.timeZone),
): MatchedParameter | undefined {
  const normalized = normalizeText(text);
  if (normalized === '') return undefined;
  const recognizer = recognizerFor(agent, parameter.entityType, language);
  const whole = new RegExp(`^(?:${recognizer.pattern})$`, 'iu').exec(normalized);
  const found =
    whole ??
    (recognizer.free
      ? null
      : new RegExp(`(?<![\\p{L}\\p{N}])(?:${recognizer.pattern})(?![\\p{L}\\p{N}])`, 'iu').exec(
          normalized,
        ));
  if (!found) return undefined;
  const value = recognizer.resolve(found[0], now);
  return value
    ? { name: parameter.name, entityType: parameter.entityType, original: found[0], value }
    : undefined;
}
