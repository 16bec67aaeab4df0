import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { AgentFormatError } from './load';

/*
 * The agent's sources, the files people edit: `agent.yaml` (languages, time zone, threshold,
 * the replies Dialogflow says itself), one `intents/<name>.yaml` per intent (training phrases
 * per language with annotated parts, parameters with entity types and prompts, webhook or not,
 * CX tag) and one `entities/<name>.yaml` per entity type. The ES export and the CX package are
 * generated from them (generate.ts).
 *
 * A training phrase annotates a parameter's part as `[text](parameter)`:
 * `book a table for [4](party_size) people`.
 */

const lang = z
  .string()
  .regex(/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/, 'a lower-case language tag (en, zh-tw)');
const perLanguage = <T extends z.ZodType>(value: T) => z.record(lang, value);
const oneOrMany = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]));
const name = z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _');

export const agentSourceSchema = z.strictObject({
  displayName: z.string().min(1),
  description: z.string().default(''),
  /** The first is the agent's default language. */
  languages: z.array(lang).min(1),
  timeZone: z.string().min(1),
  /** ES `mlMinConfidence`, CX `nluSettings.classificationThreshold`. */
  classificationThreshold: z.number().min(0).max(1).default(0.3),
  webhook: z
    .strictObject({
      /** CX webhook resource's display name. */
      name: name.default('fulfillment'),
      timeoutSeconds: z.number().int().min(1).max(30).default(5),
    })
    .default({ name: 'fulfillment', timeoutSeconds: 5 }),
  /** What Dialogflow says itself: when the webhook fails, and (CX) when the user says nothing. */
  replies: z.strictObject({
    webhookError: perLanguage(z.string().min(1)),
    noInput: perLanguage(z.string().min(1)),
  }),
});

export const parameterSourceSchema = z.strictObject({
  name,
  /** Entity type without `@`: `sys.date`, `order-id`. */
  entity: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'an entity type without @ (sys.date, product)'),
  required: z.boolean().default(false),
  list: z.boolean().default(false),
  /** What Dialogflow asks while the parameter is missing (required parameters). */
  prompts: perLanguage(oneOrMany).default({}),
  /** CX form only: another entity type for the page's form, re-asking on an invalid value. */
  cx: z
    .strictObject({
      entity: z.string().optional(),
      reprompt: z.boolean().default(false),
    })
    .optional(),
  /** A value that works with the local data: the dev console's default for the field. */
  example: z.string().optional(),
});

export const intentSourceSchema = z.strictObject({
  /** The intent's display name (ES intent, CX intent); default: the file's name. */
  name: z.string().min(1).optional(),
  /** The webhook answers it (default); false: Dialogflow answers with `replies`. */
  webhook: z.boolean().default(true),
  /** ES action; default: the intent's name. */
  action: z.string().optional(),
  events: z.array(z.string().min(1)).default([]),
  /** The intent that matches when nothing else does (ES fallback intent, CX no-match). */
  fallback: z.boolean().default(false),
  /** Static replies per language (intents without webhook). */
  replies: perLanguage(oneOrMany).default({}),
  cx: z
    .strictObject({
      /** The webhook tag of its fulfillment; default: the intent's name. */
      tag: z.string().min(1).optional(),
      /** The form page's name; default: the name in title case (`check_order` → `Check Order`). */
      page: z.string().min(1).optional(),
      /** The webhook validates the filled form (tag) before the page that answers (page). */
      validate: z.strictObject({ tag: z.string().min(1), page: z.string().min(1) }).optional(),
    })
    .default({}),
  parameters: z.array(parameterSourceSchema).default([]),
  phrases: perLanguage(z.array(z.string().min(1))).default({}),
});

const entrySchema = z
  .union([
    z.string().min(1),
    z.strictObject({ value: z.string().min(1), synonyms: z.array(z.string()) }),
  ])
  .transform((e) => (typeof e === 'string' ? { value: e, synonyms: [e] } : e));

export const entitySourceSchema = z.strictObject({
  name: name.optional(),
  /** map: values with synonyms; list: composite; regexp: each value is a pattern. */
  kind: z.enum(['map', 'list', 'regexp']).default('map'),
  entries: perLanguage(z.array(entrySchema)).default({}),
});

export type AgentSource = z.infer<typeof agentSourceSchema>;
export type ParameterSource = z.infer<typeof parameterSourceSchema>;
export type IntentSource = Omit<z.infer<typeof intentSourceSchema>, 'name'> & {
  name: string;
  /** The source file's name inside the agent folder (`intents/check_order.yaml`). */
  file: string;
};
export type EntitySource = Omit<z.infer<typeof entitySourceSchema>, 'name'> & {
  name: string;
  file: string;
};

export interface AgentSources {
  agent: AgentSource;
  /** Welcome (event WELCOME) first, then by name, fallback last: the order of every listing. */
  intents: IntentSource[];
  /** By name. */
  entities: EntitySource[];
}

export const AGENT_SOURCE_FILE = 'agent.yaml';

/** Whether `dir` holds agent sources (an `agent.yaml`) rather than only exports. */
export function hasAgentSources(dir: string): boolean {
  return existsSync(join(dir, AGENT_SOURCE_FILE));
}

/** One part of a training phrase: literal text, or the text of a parameter. */
export interface SourcePhrasePart {
  text: string;
  parameter?: string;
}

const ANNOTATION = /\[([^\]]+)\]\(([A-Za-z0-9_-]+)\)/g;

/** `book for [4](party_size)` → parts. */
export function parsePhrase(phrase: string): SourcePhrasePart[] {
  const parts: SourcePhrasePart[] = [];
  let at = 0;
  for (const m of phrase.matchAll(ANNOTATION)) {
    if (m.index > at) parts.push({ text: phrase.slice(at, m.index) });
    parts.push({ text: m[1]!, parameter: m[2]! });
    at = m.index + m[0].length;
  }
  if (at < phrase.length) parts.push({ text: phrase.slice(at) });
  return parts;
}

/** Parts → `book for [4](party_size)`. */
export function formatPhrase(parts: readonly SourcePhrasePart[]): string {
  return parts.map((p) => (p.parameter ? `[${p.text}](${p.parameter})` : p.text)).join('');
}

function parseYamlFile<T extends z.ZodType>(dir: string, file: string, schema: T): z.infer<T> {
  let value: unknown;
  try {
    value = parse(readFileSync(join(dir, file), 'utf8')) ?? {};
  } catch (err) {
    throw new AgentFormatError(file, `not YAML (${(err as Error).message})`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AgentFormatError(file, `${issue?.path.join('.') || '<root>'}: ${issue?.message}`);
  }
  return parsed.data;
}

function yamlFiles(dir: string, sub: string): string[] {
  const d = join(dir, sub);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => `${sub}/${f}`);
}

const stem = (file: string) => basename(file).replace(/\.ya?ml$/, '');

/** The order every listing uses: welcome first, then by name, fallback last. */
export function intentOrder(a: IntentSource, b: IntentSource): number {
  const rank = (i: IntentSource) => (i.events.includes('WELCOME') ? 0 : i.fallback ? 2 : 1);
  return rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Reads and checks the sources in `dir` (agent.yaml, intents/, entities/). */
export function readAgentSources(dir: string): AgentSources {
  const agent = parseYamlFile(dir, AGENT_SOURCE_FILE, agentSourceSchema);
  const intents = yamlFiles(dir, 'intents').map((file): IntentSource => {
    const source = parseYamlFile(dir, file, intentSourceSchema);
    return { ...source, name: source.name ?? stem(file), file };
  });
  const entities = yamlFiles(dir, 'entities').map((file): EntitySource => {
    const source = parseYamlFile(dir, file, entitySourceSchema);
    return { ...source, name: source.name ?? stem(file), file };
  });
  const sources = {
    agent,
    intents: intents.sort(intentOrder),
    entities: entities.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
  checkAgentSources(sources);
  return sources;
}

/**
 * What the formats need and a YAML schema cannot say: languages the agent has, annotations of
 * declared parameters, prompts for required parameters in every language, one name per intent.
 */
export function checkAgentSources({ agent, intents, entities }: AgentSources): void {
  const languages = new Set(agent.languages);
  const inLanguages = (file: string, where: string, record: Record<string, unknown>) => {
    for (const l of Object.keys(record)) {
      if (!languages.has(l)) {
        throw new AgentFormatError(file, `${where}: ${l} is not one of the agent's languages`);
      }
    }
  };
  // Replies in the default language at least (Dialogflow says nothing in a language without).
  const [defaultLanguage] = agent.languages;
  for (const key of ['webhookError', 'noInput'] as const) {
    inLanguages(AGENT_SOURCE_FILE, `replies.${key}`, agent.replies[key]);
    if (!agent.replies[key][defaultLanguage!]) {
      throw new AgentFormatError(
        AGENT_SOURCE_FILE,
        `replies.${key}: no text for ${defaultLanguage}`,
      );
    }
  }
  const names = new Set<string>();
  for (const intent of intents) {
    const { file } = intent;
    if (names.has(intent.name)) throw new AgentFormatError(file, `intent ${intent.name} twice`);
    names.add(intent.name);
    inLanguages(file, 'phrases', intent.phrases);
    inLanguages(file, 'replies', intent.replies);
    const params = new Set<string>();
    for (const p of intent.parameters) {
      if (params.has(p.name)) throw new AgentFormatError(file, `parameter ${p.name} twice`);
      params.add(p.name);
      inLanguages(file, `parameters.${p.name}.prompts`, p.prompts);
      if (p.required) {
        for (const l of agent.languages) {
          if (!p.prompts[l]) {
            throw new AgentFormatError(
              file,
              `parameters.${p.name}: required, but no prompt in ${l}`,
            );
          }
        }
      }
    }
    for (const [l, phrases] of Object.entries(intent.phrases)) {
      for (const phrase of phrases) {
        for (const part of parsePhrase(phrase)) {
          if (part.parameter && !params.has(part.parameter)) {
            throw new AgentFormatError(
              file,
              `phrases.${l}: "${phrase}" annotates ${part.parameter}, which is not a parameter`,
            );
          }
        }
      }
    }
    if (!intent.webhook && !intent.replies[defaultLanguage!]) {
      throw new AgentFormatError(file, `webhook: false, but no replies in ${defaultLanguage}`);
    }
  }
  if (intents.filter((i) => i.fallback).length > 1) {
    throw new AgentFormatError('intents', 'more than one fallback intent');
  }
  for (const e of entities) inLanguages(e.file, 'entries', e.entries);
}
