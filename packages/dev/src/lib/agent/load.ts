import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import type { z } from 'zod';
import { cxFormat } from './cx-format';
import { esFormat } from './es-format';
import type {
  AgentModel,
  CxEventHandler,
  CxFlow,
  CxFulfillment,
  CxPage,
  CxRoute,
  EntityTypeDef,
  IntentDef,
  ParameterDef,
  TrainingPhrase,
  WebhookDef,
} from './model';

/** An agent's files: path inside the package (posix, as in the zip) → text. */
export type AgentFiles = Map<string, string>;

/** A file of an agent package that cannot be read as its export format. */
export class AgentFormatError extends Error {
  override readonly name = 'AgentFormatError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/** Reads every file under `dir` (an unzipped export). */
export function readAgentDir(dir: string): AgentFiles {
  const files: AgentFiles = new Map();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(relative(dir, full).split(sep).join(posix.sep), readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

function parseFile<T extends z.ZodType>(files: AgentFiles, path: string, schema: T): z.infer<T> {
  const text = files.get(path);
  if (text === undefined) throw new AgentFormatError(path, 'missing');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AgentFormatError(path, `not JSON (${(err as Error).message})`);
  }
  return parseJson(path, json, schema);
}

function parseJson<T extends z.ZodType>(path: string, json: unknown, schema: T): z.infer<T> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AgentFormatError(path, `${issue?.path.join('.') || '<root>'}: ${issue?.message}`);
  }
  return parsed.data;
}

const entityName = (dataType: string) => dataType.replace(/^@/, '');
const lower = (s: string) => s.toLowerCase();

// What an export may hold that the stand-in does not run: named in a warning, never skipped silently.
const CX_NOT_RUN = [
  'playbooks', 'tools', 'testCases', 'generativeSettings', 'generators', 'examples',
  'customSmalltalkResponses', 'environments', 'experiments', 'versions', 'dataStores',
]; // prettier-ignore
const ES_NOT_RUN = ['customSmalltalkResponses', 'knowledgeBases'];

function notRun(files: AgentFiles, names: string[]): string[] {
  const found = new Map<string, number>();
  for (const path of files.keys()) {
    const top = path.split('/')[0]?.replace(/(_[a-z-]+)?\.json$/i, '') ?? '';
    if (names.includes(top)) found.set(top, (found.get(top) ?? 0) + 1);
  }
  return [...found].map(
    ([name, n]) => `${name}/ (${n} file${n === 1 ? '' : 's'}): not run by the stand-in`,
  );
}

/**
 * ES follow-up intents: the parent sets the `<parent>-followup` context (lifespan 2) and the
 * follow-up needs it, as the console adds them when it creates a follow-up. Exports carry
 * both; an intent given only its `parentId` (made through the API, or by hand) gets them here.
 */
function linkFollowups(intents: IntentDef[]): void {
  for (const child of intents) {
    if (!child.parentId) continue;
    const parent = intents.find((i) => i.id === child.parentId);
    if (!parent) continue;
    const linked = child.inputContexts.some((c) =>
      parent.affectedContexts.some((a) => a.name === c && a.lifespan > 0),
    );
    if (linked) continue;
    const name = `${parent.name.replace(/[^\p{L}\p{N}_-]/gu, '')}-followup`.toLowerCase();
    if (!parent.affectedContexts.some((a) => a.name === name)) {
      parent.affectedContexts.push({ name, lifespan: 2 });
    }
    child.inputContexts.push(name);
  }
}

/** A response message as the ES export writes it (type 0 text, 1 card, 2 quick replies, 3 image, 4 payload). */
interface EsExportMessage {
  type: string | number;
  platform?: string;
  speech?: string | string[];
  title?: string;
  subtitle?: string;
  imageUrl?: string;
  buttons?: { text?: string; postback?: string }[];
  replies?: string[];
  payload?: unknown;
}

// The export's platform names → v2 Intent.Message.Platform.
const PLATFORMS: Record<string, string> = {
  facebook: 'FACEBOOK', slack: 'SLACK', telegram: 'TELEGRAM', kik: 'KIK', skype: 'SKYPE',
  line: 'LINE', viber: 'VIBER', google: 'ACTIONS_ON_GOOGLE', hangouts: 'GOOGLE_HANGOUTS',
}; // prettier-ignore

/** An export's message as a v2 Intent.Message (a text's first variant), or undefined when it has no v2 shape here. */
function esMessage(m: EsExportMessage): Record<string, unknown> | undefined {
  const platform = m.platform ? PLATFORMS[m.platform] : undefined;
  if (m.platform && !platform) return undefined;
  const on = platform ? { platform } : {};
  switch (String(m.type)) {
    case '0': {
      const speech = (Array.isArray(m.speech) ? m.speech : [m.speech ?? '']).filter(Boolean);
      return speech.length > 0 ? { text: { text: [speech[0]] }, ...on } : undefined;
    }
    case '1':
      return {
        card: {
          ...(m.title ? { title: m.title } : {}),
          ...(m.subtitle ? { subtitle: m.subtitle } : {}),
          ...(m.imageUrl ? { imageUri: m.imageUrl } : {}),
          buttons: (m.buttons ?? []).map((b) => ({
            text: b.text ?? '',
            postback: b.postback ?? '',
          })),
        },
        ...on,
      };
    case '2':
      return { quickReplies: { title: m.title ?? '', quickReplies: m.replies ?? [] }, ...on };
    case '3':
      return m.imageUrl ? { image: { imageUri: m.imageUrl }, ...on } : undefined;
    case '4':
      return m.payload && typeof m.payload === 'object' ? { payload: m.payload, ...on } : undefined;
    default:
      return undefined; // Actions on Google's own kinds (simple_response, basic_card, …)
  }
}

/** Loads an ES export (agent.json, intents/, entities/). */
export function loadEsAgent(files: AgentFiles): AgentModel {
  const format = esFormat('loose');
  const agent = parseFile(files, 'agent.json', format.agent);
  const languages = [lower(agent.language), ...agent.supportedLanguages.map(lower)];
  const warnings: string[] = [];

  const intents: IntentDef[] = [];
  for (const path of files.keys()) {
    const m = path.match(/^intents\/(.+)\.json$/);
    if (!m || /_usersays_[^/]+\.json$/.test(path)) continue;
    const json = parseFile(files, path, format.intent);
    const response = json.responses[0];
    const phrases: TrainingPhrase[] = [];
    for (const language of languages) {
      const saysPath = `intents/${m[1]}_usersays_${language}.json`;
      // API.AI (v1) exports keep the default language's phrases in the intent file (`userSays`).
      const inline = (json as { userSays?: unknown }).userSays;
      const says = files.has(saysPath)
        ? parseFile(files, saysPath, format.usersays)
        : language === languages[0] && Array.isArray(inline)
          ? parseJson(path, inline, format.usersays)
          : [];
      for (const say of says) {
        phrases.push({
          language,
          parts: say.data.map((d) =>
            d.alias && d.meta ? { text: d.text, parameter: d.alias } : { text: d.text },
          ),
        });
      }
    }
    const replies: Record<string, string[]> = {};
    // Every message as a v2 Intent.Message, per language; what has no v2 shape is named.
    const messages: Record<string, Record<string, unknown>[]> = {};
    const other: string[] = [];
    let rich = false;
    for (const message of response?.messages ?? []) {
      const empty = [message.speech ?? []].flat().every((t) => t === '');
      if (String(message.type) === '0' && empty) continue; // An empty text says nothing.
      const v2 = esMessage(message as EsExportMessage);
      if (!v2) {
        other.push(`${String(message.type)}${message.platform ? ` (${message.platform})` : ''}`);
        continue;
      }
      if (!('text' in v2) || 'platform' in v2) rich = true;
      (messages[lower(message.lang ?? languages[0] ?? 'en')] ??= []).push(v2);
    }
    if (other.length > 0) {
      warnings.push(
        `${path}: ${other.length} response message${other.length === 1 ? '' : 's'} of type ${[...new Set(other)].join(', ')} not returned by the stand-in`,
      );
    }
    if ((json.conditionalResponses ?? []).length > 0) {
      warnings.push(`${path}: conditional responses not run by the stand-in`);
    }
    for (const message of response?.messages ?? []) {
      if (String(message.type) !== '0' || message.speech === undefined || message.platform) {
        continue;
      }
      const lang = lower(message.lang ?? languages[0] ?? 'en');
      const speech = Array.isArray(message.speech) ? message.speech : [message.speech];
      (replies[lang] ??= []).push(...speech.filter((s) => s !== ''));
    }
    // API.AI (v1) exports: the reply in the response's `speech`, without messages.
    const speech = response?.speech;
    if (Object.keys(replies).length === 0 && speech && speech.length > 0) {
      replies[languages[0] ?? 'en'] = (Array.isArray(speech) ? speech : [speech]).filter(Boolean);
    }
    intents.push({
      name: json.name,
      id: json.id,
      parameters: (response?.parameters ?? []).map((p): ParameterDef => ({
        name: p.name,
        entityType: entityName(p.dataType),
        required: p.required,
        isList: p.isList,
        prompts: p.prompts.reduce<Record<string, string[]>>((acc, pr) => {
          (acc[lower(pr.lang)] ??= []).push(pr.value);
          return acc;
        }, {}),
      })),
      phrases,
      webhookUsed: json.webhookUsed,
      webhookForSlotFilling: json.webhookForSlotFilling,
      fallback: json.fallbackIntent,
      action: response?.action ?? '',
      events: json.events.map((e) => e.name),
      inputContexts: json.contexts.map(lower),
      affectedContexts: (response?.affectedContexts ?? []).map((c) => ({
        name: lower(c.name),
        lifespan: c.lifespan,
      })),
      resetContexts: response?.resetContexts ?? false,
      ...(rich ? { messages } : {}),
      ...(json.parentId ? { parentId: json.parentId } : {}),
      ...(json.endInteraction ? { endInteraction: true } : {}),
      ...(json.liveAgentHandoff ? { liveAgentHandoff: true } : {}),
      replies,
    });
  }
  linkFollowups(intents);

  const entityTypes = new Map<string, EntityTypeDef>();
  for (const path of files.keys()) {
    const m = path.match(/^entities\/(.+)\.json$/);
    if (!m || /_entries_[^/]+\.json$/.test(path)) continue;
    const json = parseFile(files, path, format.entity);
    const entries: EntityTypeDef['entries'] = {};
    for (const language of languages) {
      const entriesPath = `entities/${m[1]}_entries_${language}.json`;
      // API.AI (v1) exports keep the default language's entries in the entity file.
      const inline = (json as { entries?: unknown }).entries;
      if (files.has(entriesPath)) entries[language] = parseFile(files, entriesPath, format.entries);
      else if (language === languages[0] && Array.isArray(inline)) {
        entries[language] = parseJson(path, inline, format.entries);
      }
    }
    entityTypes.set(json.name, {
      name: json.name,
      kind: json.isRegexp ? 'regexp' : json.isEnum ? 'list' : 'map',
      ...(json.allowFuzzyExtraction ? { fuzzy: true } : {}),
      ...(json.automatedExpansion ? { expand: true } : {}),
      entries,
    });
  }

  const webhooks = new Map<string, WebhookDef>();
  const headers: Record<string, string> = { ...agent.webhook.headers };
  if (agent.webhook.username) {
    headers.authorization = `Basic ${Buffer.from(`${agent.webhook.username}:${agent.webhook.password ?? ''}`).toString('base64')}`;
  }
  if (agent.webhook.available) {
    // ES waits 5 s for its webhook; the limit is not configurable.
    webhooks.set('', { name: '', url: agent.webhook.url, headers, timeoutMs: 5000 });
  }

  warnings.push(...notRun(files, ES_NOT_RUN));
  return {
    edition: 'es',
    displayName: agent.displayName,
    defaultLanguage: languages[0] ?? 'en',
    languages,
    timeZone: agent.defaultTimezone,
    intents,
    entityTypes,
    webhooks,
    flows: new Map(),
    startFlow: undefined,
    classificationThreshold: agent.mlMinConfidence,
    warnings,
  };
}

type CxFulfillmentJson = z.infer<typeof cxFormat.page>['entryFulfillment'];
type CxRouteJson = NonNullable<z.infer<typeof cxFormat.flow>['transitionRoutes']>[number];
type CxHandlerJson = NonNullable<z.infer<typeof cxFormat.flow>['eventHandlers']>[number];

function toFulfillment(f: CxFulfillmentJson): CxFulfillment | undefined {
  if (!f) return undefined;
  return {
    messages: (f.messages ?? []).map(({ languageCode, ...message }) => ({
      languageCode: languageCode === undefined ? undefined : lower(languageCode),
      message,
    })),
    webhook: f.webhook,
    tag: f.tag,
    setParameterActions: (f.setParameterActions ?? []).map((a) => ({
      parameter: a.parameter,
      value: a.value ?? null,
    })),
    ...(f.conditionalCases?.length ? { conditionalCases: f.conditionalCases } : {}),
  };
}

const toRoute = (r: CxRouteJson): CxRoute => ({
  intent: r.intent,
  condition: r.condition,
  fulfillment: toFulfillment(r.triggerFulfillment),
  targetPage: r.targetPage,
  targetFlow: r.targetFlow,
});

const toHandler = (h: CxHandlerJson): CxEventHandler => ({
  event: h.event,
  fulfillment: toFulfillment(h.triggerFulfillment),
  targetPage: h.targetPage,
  targetFlow: h.targetFlow,
});

function durationMs(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const m = value.match(/^(\d+(?:\.\d+)?)s$/);
    return m ? Number(m[1]) * 1000 : undefined;
  }
  if (value && typeof value === 'object') {
    const { seconds, nanos } = value as { seconds?: number | string; nanos?: number };
    return Number(seconds ?? 0) * 1000 + Math.round((nanos ?? 0) / 1e6);
  }
  return undefined;
}

/**
 * The routes of a transition route group, named by display name (or resource name) as pages
 * and flows refer to it: the flow's own (`flows/F/transitionRouteGroups/G.json`) or the agent's
 * (`transitionRouteGroups/G/G.json`, newer exports).
 */
function routeGroup(files: AgentFiles, flowDir: string, ref: string): CxRoute[] | undefined {
  const name = ref.slice(ref.lastIndexOf('/') + 1);
  const candidates = [
    `flows/${flowDir}/transitionRouteGroups/${name}.json`,
    `transitionRouteGroups/${name}/${name}.json`,
  ];
  for (const path of files.keys()) {
    if (!/^(flows\/[^/]+\/)?transitionRouteGroups\/.+\.json$/.test(path)) continue;
    if (candidates.includes(path)) continue;
    // Referred to by resource name (an id) while the file is named after the display name.
    const json = parseFile(files, path, cxFormat.routeGroup);
    if (json.name === name || json.name?.endsWith(`/${name}`)) candidates.push(path);
  }
  const path = candidates.find((c) => files.has(c));
  if (!path) return undefined;
  return (parseFile(files, path, cxFormat.routeGroup).transitionRoutes ?? []).map(toRoute);
}

/** Loads a CX JSON package (agent.json, flows/, intents/, entityTypes/, webhooks/). */
export function loadCxAgent(files: AgentFiles): AgentModel {
  const agent = parseFile(files, 'agent.json', cxFormat.agent);
  const languages = [
    lower(agent.defaultLanguageCode),
    ...(agent.supportedLanguageCodes ?? []).map(lower),
  ];
  const warnings: string[] = [];

  const intents: IntentDef[] = [];
  const entityTypes = new Map<string, EntityTypeDef>();
  const webhooks = new Map<string, WebhookDef>();
  const flows = new Map<string, CxFlow>();
  const flowThresholds = new Map<string, number>();

  for (const path of files.keys()) {
    let m = path.match(/^intents\/([^/]+)\/([^/]+)\.json$/);
    if (m && m[1] === m[2]) {
      const json = parseFile(files, path, cxFormat.intent);
      const phrases: TrainingPhrase[] = [];
      for (const language of languages) {
        const tpPath = `intents/${m[1]}/trainingPhrases/${language}.json`;
        if (!files.has(tpPath)) continue;
        for (const tp of parseFile(files, tpPath, cxFormat.trainingPhrases).trainingPhrases) {
          phrases.push({
            language,
            parts: tp.parts.map((p) =>
              p.parameterId ? { text: p.text, parameter: p.parameterId } : { text: p.text },
            ),
          });
        }
      }
      intents.push({
        name: json.displayName,
        id: json.name,
        parameters: (json.parameters ?? []).map((p) => ({
          name: p.id,
          entityType: entityName(p.entityType),
          required: false,
          isList: p.isList ?? false,
          prompts: {},
        })),
        phrases,
        webhookUsed: false,
        webhookForSlotFilling: false,
        fallback: false,
        action: '',
        events: [],
        inputContexts: [],
        affectedContexts: [],
        resetContexts: false,
        replies: {},
      });
      continue;
    }
    m = path.match(/^entityTypes\/([^/]+)\/([^/]+)\.json$/);
    if (m && m[1] === m[2]) {
      const json = parseFile(files, path, cxFormat.entityType);
      const entries: EntityTypeDef['entries'] = {};
      for (const language of languages) {
        const ePath = `entityTypes/${m[1]}/entities/${language}.json`;
        if (!files.has(ePath)) continue;
        entries[language] = parseFile(files, ePath, cxFormat.entities).entities.map((e) => ({
          value: e.value,
          synonyms: e.synonyms ?? [e.value],
        }));
      }
      const cxFlags = json as { enableFuzzyExtraction?: boolean; autoExpansionMode?: string };
      entityTypes.set(json.displayName, {
        name: json.displayName,
        kind: json.kind === 'KIND_REGEXP' ? 'regexp' : json.kind === 'KIND_LIST' ? 'list' : 'map',
        ...(cxFlags.enableFuzzyExtraction ? { fuzzy: true } : {}),
        ...(cxFlags.autoExpansionMode === 'AUTO_EXPANSION_MODE_DEFAULT' ? { expand: true } : {}),
        entries,
      });
      continue;
    }
    m = path.match(/^webhooks\/([^/]+)\.json$/);
    if (m) {
      const json = parseFile(files, path, cxFormat.webhook);
      if (json.disabled) continue;
      const service = json.genericWebService;
      const given = service?.requestHeaders ?? {};
      const headers: Record<string, string> = Array.isArray(given)
        ? Object.fromEntries(given.map((h) => [h.key, h.value]))
        : { ...given };
      if (service?.username) {
        headers.authorization = `Basic ${Buffer.from(`${service.username}:${service.password ?? ''}`).toString('base64')}`;
      }
      webhooks.set(json.displayName, {
        name: json.displayName,
        url: service?.uri ?? '',
        headers,
        timeoutMs: durationMs(json.timeout) ?? 5000,
      });
      continue;
    }
    m = path.match(/^flows\/([^/]+)\/([^/]+)\.json$/);
    if (m && m[1] === m[2]) {
      const json = parseFile(files, path, cxFormat.flow);
      const threshold = (json as { nluSettings?: { classificationThreshold?: unknown } })
        .nluSettings?.classificationThreshold;
      if (typeof threshold === 'number') flowThresholds.set(json.displayName, threshold);
      const groupRoutes = (names: string[] | undefined, where: string) =>
        (names ?? []).flatMap((name) => {
          const routes = routeGroup(files, m![1]!, name);
          if (!routes) warnings.push(`${where}: transition route group ${name} not found`);
          return routes ?? [];
        });
      const pages = new Map<string, CxPage>();
      for (const pagePath of files.keys()) {
        if (!pagePath.startsWith(`flows/${m[1]}/pages/`) || !pagePath.endsWith('.json')) continue;
        const page = parseFile(files, pagePath, cxFormat.page);
        pages.set(page.displayName, {
          id: page.name,
          name: page.displayName,
          file: pagePath,
          entry: toFulfillment(page.entryFulfillment),
          form: (page.form?.parameters ?? []).map((p) => ({
            name: p.displayName,
            entityType: entityName(p.entityType),
            required: p.required ?? false,
            isList: p.isList ?? false,
            defaultValue: p.defaultValue,
            initialPrompt: toFulfillment(p.fillBehavior?.initialPromptFulfillment),
            reprompts: (p.fillBehavior?.repromptEventHandlers ?? []).map(toHandler),
          })),
          // A page's own routes first, then those of its route groups.
          routes: [
            ...(page.transitionRoutes ?? []).map(toRoute),
            ...groupRoutes(page.transitionRouteGroups, pagePath),
          ],
          eventHandlers: (page.eventHandlers ?? []).map(toHandler),
        });
      }
      flows.set(json.displayName, {
        id: json.name,
        name: json.displayName,
        file: path,
        routes: [
          ...(json.transitionRoutes ?? []).map(toRoute),
          ...groupRoutes(json.transitionRouteGroups, path),
        ],
        eventHandlers: (json.eventHandlers ?? []).map(toHandler),
        pages,
      });
    }
  }
  warnings.push(...notRun(files, CX_NOT_RUN));
  const excluded = new Set(
    [...files.keys()].flatMap(
      (p) => p.match(/^entityTypes\/([^/]+)\/excludedPhrases\//)?.[1] ?? [],
    ),
  );
  for (const name of excluded) {
    warnings.push(
      `entityTypes/${name}/excludedPhrases/: excluded phrases not applied by the stand-in`,
    );
  }
  const startFlow = agent.startFlow ?? 'Default Start Flow';
  if (!flows.has(startFlow)) {
    throw new AgentFormatError(`flows/${startFlow}/${startFlow}.json`, 'the start flow is missing');
  }
  return {
    edition: 'cx',
    displayName: agent.displayName ?? 'agent',
    defaultLanguage: languages[0] ?? 'en',
    languages,
    timeZone: agent.timeZone,
    intents,
    entityTypes,
    webhooks,
    flows,
    startFlow,
    classificationThreshold: flowThresholds.get(startFlow),
    warnings,
  };
}

/** Loads an agent package of either edition. */
export function loadAgent(edition: 'es' | 'cx', files: AgentFiles): AgentModel {
  return edition === 'es' ? loadEsAgent(files) : loadCxAgent(files);
}
