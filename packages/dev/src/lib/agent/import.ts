import { stringify } from 'yaml';
import { cxPageOf, defaultAction } from './generate';
import { loadCxAgent, loadEsAgent, type AgentFiles } from './load';
import type { CxFulfillment, CxPage } from './model';
import {
  AGENT_SOURCE_FILE,
  formatPhrase,
  intentOrder,
  type AgentSource,
  type AgentSources,
  type EntitySource,
  type IntentSource,
  type ParameterSource,
} from './source';

/*
 * The other way: sources from an agent's ES export and CX package (`dff agent import`), for a
 * project that starts from exported files, and to carry changes made to exported files back
 * into the sources. What the sources cannot say (contexts, follow-up intents, other flows and
 * pages) is not imported.
 */

const textsOf = (f: CxFulfillment | undefined): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const m of f?.messages ?? []) {
    const text = (m.message.text as { text?: string[] } | undefined)?.text;
    if (m.languageCode && text) (out[m.languageCode] ??= []).push(...text);
  }
  return out;
};
const first = (texts: Record<string, string[]>): Record<string, string> =>
  Object.fromEntries(Object.entries(texts).map(([l, t]) => [l, t[0] ?? '']));

const fileStem = (intent: { name: string; events: string[]; fallback: boolean }) =>
  intent.fallback
    ? 'fallback'
    : intent.events.includes('WELCOME')
      ? 'welcome'
      : /^[A-Za-z0-9_-]+$/.test(intent.name)
        ? intent.name
        : intent.name.toLowerCase().replace(/[^a-z0-9]+/g, '_');

/** The sources of an agent given as its ES export and its CX package. */
export function importAgentSources(esFiles: AgentFiles, cxFiles: AgentFiles): AgentSources {
  const es = loadEsAgent(esFiles);
  const cx = loadCxAgent(cxFiles);
  const esJson = JSON.parse(esFiles.get('agent.json') ?? '{}') as {
    description?: string;
    mlMinConfidence?: number;
  };
  const flow = cx.flows.get(cx.startFlow!)!;
  const handler = (event: string) => flow.eventHandlers.find((h) => h.event === event);
  const [hook] = cx.webhooks.values();
  const agent: AgentSource = {
    displayName: es.displayName,
    description: esJson.description ?? '',
    languages: es.languages,
    timeZone: es.timeZone,
    classificationThreshold: esJson.mlMinConfidence ?? 0.3,
    webhook: {
      name: hook?.name ?? 'fulfillment',
      timeoutSeconds: (hook?.timeoutMs ?? 5000) / 1000,
    },
    replies: {
      webhookError: first(textsOf(handler('webhook.error')?.fulfillment)),
      noInput: first(textsOf(handler('sys.no-input-default')?.fulfillment)),
    },
  };

  const intents = es.intents.map((i): IntentSource => {
    const route = flow.routes.find((r) => r.intent === i.name);
    const page: CxPage | undefined = route?.targetPage
      ? flow.pages.get(route.targetPage)
      : undefined;
    const final = page?.routes.find((r) => r.condition?.includes('"FINAL"'));
    const after = final?.targetPage ? flow.pages.get(final.targetPage) : undefined;
    const tag = i.fallback
      ? handler('sys.no-match-default')?.fulfillment?.tag
      : after?.entry?.tag
        ? after.entry.tag
        : page
          ? final?.fulfillment?.tag
          : route?.fulfillment?.tag;
    const validate =
      after?.entry?.tag && final?.fulfillment?.tag
        ? { tag: final.fulfillment.tag, page: after.name }
        : undefined;
    const phrases: Record<string, string[]> = {};
    for (const p of i.phrases) (phrases[p.language] ??= []).push(formatPhrase(p.parts));
    const parameters = i.parameters.map((p): ParameterSource => {
      const form = page?.form.find((f) => f.name === p.name);
      const cxEntity = form && form.entityType !== p.entityType ? form.entityType : undefined;
      const reprompt = Boolean(form?.reprompts.some((h) => h.event === 'sys.invalid-parameter'));
      return {
        name: p.name,
        entity: p.entityType,
        required: p.required,
        list: p.isList,
        prompts: p.prompts,
        ...(cxEntity || reprompt
          ? { cx: { ...(cxEntity ? { entity: cxEntity } : {}), reprompt } }
          : {}),
      };
    });
    const source: IntentSource = {
      name: i.name,
      file: `intents/${fileStem(i)}.yaml`,
      webhook: i.webhookUsed,
      ...(i.action && i.action !== defaultAction(i) ? { action: i.action } : {}),
      events: i.events,
      fallback: i.fallback,
      replies: i.webhookUsed ? {} : i.replies,
      cx: {
        ...(tag && tag !== i.name ? { tag } : {}),
        ...(validate ? { validate } : {}),
      },
      parameters,
      phrases,
    };
    const defaultPage = cxPageOf({ ...source, cx: {} });
    if (page && page.name !== defaultPage) source.cx.page = page.name;
    return source;
  });

  const entities = [...es.entityTypes.values()].map((e): EntitySource => ({
    name: e.name,
    file: `entities/${e.name}.yaml`,
    kind: e.kind,
    entries: e.entries,
  }));
  return {
    agent,
    intents: intents.sort(intentOrder),
    entities: entities.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

const yaml = (value: unknown) => stringify(value, { lineWidth: 0 });
const oneOrMany = (texts: string[]) => (texts.length === 1 ? texts[0] : texts);
const compact = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
const mapValues = <T, U>(record: Record<string, T>, fn: (v: T) => U): Record<string, U> =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]));

/** The YAML text of one intent's source, leaving out what is the default. */
export function intentYaml(intent: IntentSource): string {
  const stem = intent.file.replace(/^intents\//, '').replace(/\.ya?ml$/, '');
  return yaml(
    compact({
      name: intent.name === stem ? undefined : intent.name,
      webhook: intent.webhook ? undefined : false,
      action: !intent.action || intent.action === defaultAction(intent) ? undefined : intent.action,
      events: intent.events.length ? intent.events : undefined,
      fallback: intent.fallback || undefined,
      replies: Object.keys(intent.replies).length
        ? mapValues(intent.replies, oneOrMany)
        : undefined,
      cx: Object.keys(intent.cx).length ? intent.cx : undefined,
      parameters: intent.parameters.length
        ? intent.parameters.map((p) =>
            compact({
              name: p.name,
              entity: p.entity,
              required: p.required || undefined,
              list: p.list || undefined,
              prompts: Object.keys(p.prompts).length ? mapValues(p.prompts, oneOrMany) : undefined,
              cx: p.cx
                ? compact({ entity: p.cx.entity, reprompt: p.cx.reprompt || undefined })
                : undefined,
              example: p.example,
            }),
          )
        : undefined,
      phrases: Object.keys(intent.phrases).length ? intent.phrases : undefined,
    }),
  );
}

/** The source files (path in the agent folder → YAML text) of an agent's sources. */
export function agentSourceFiles({ agent, intents, entities }: AgentSources): Map<string, string> {
  const files = new Map<string, string>();
  files.set(AGENT_SOURCE_FILE, yaml(agent));
  for (const intent of intents) files.set(intent.file, intentYaml(intent));
  for (const e of entities) {
    files.set(
      e.file,
      yaml({
        kind: e.kind,
        entries: mapValues(e.entries, (entries) =>
          entries.map((x) => (x.synonyms.length === 1 && x.synonyms[0] === x.value ? x.value : x)),
        ),
      }),
    );
  }
  return files;
}
