import { join } from 'node:path';
import { readAgentDir, type AgentFiles } from './load';
import {
  hasAgentSources,
  parsePhrase,
  readAgentSources,
  type AgentSources,
  type IntentSource,
  type ParameterSource,
} from './source';
import { agentId } from './uuid';

/*
 * The ES export and the CX JSON package, generated from the agent's sources (source.ts). The
 * output is a function of the sources alone: files in path order, keys in a fixed order, ids
 * derived from names (uuid.ts), so the same sources give the same bytes.
 */

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function sorted(files: AgentFiles): AgentFiles {
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** An intent's ES action when its source names none: Dialogflow's for welcome and fallback. */
export function defaultAction(intent: Pick<IntentSource, 'name' | 'events' | 'fallback'>): string {
  if (intent.fallback) return 'input.unknown';
  if (intent.events.includes('WELCOME')) return 'input.welcome';
  return intent.name;
}

const esAction = (intent: IntentSource): string => intent.action ?? defaultAction(intent);

/** The ES export (agent.json, package.json, intents/, entities/) of the sources. */
export function generateEsAgent({ agent, intents, entities }: AgentSources): AgentFiles {
  const [language, ...supported] = agent.languages;
  const files: AgentFiles = new Map();
  files.set(
    'agent.json',
    json({
      description: agent.description,
      language,
      shortDescription: '',
      examples: '',
      linkToDocs: '',
      displayName: agent.displayName,
      disableInteractionLogs: false,
      disableStackdriverLogs: true,
      defaultTimezone: agent.timeZone,
      webhook: {
        url: '',
        username: '',
        headers: {},
        available: true,
        useForDomains: false,
        cloudFunctionsEnabled: false,
        cloudFunctionsInitialized: false,
      },
      isPrivate: true,
      mlMinConfidence: agent.classificationThreshold,
      supportedLanguages: supported,
      enableOnePlatformApi: true,
      onePlatformApiVersion: 'v2',
      analyzeQueryTextSentiment: false,
      enabledKnowledgeBaseNames: [],
      knowledgeServiceConfidenceAdjustment: 0,
      dialogBuilderMode: false,
      baseActionPackagesUrl: '',
    }),
  );
  files.set('package.json', json({ version: '1.0.0' }));

  for (const intent of intents) {
    const speech = (l: string): string[] => {
      const texts = intent.webhook ? agent.replies.webhookError[l] : intent.replies[l];
      return texts === undefined ? [] : Array.isArray(texts) ? texts : [texts];
    };
    files.set(
      `intents/${intent.name}.json`,
      json({
        id: agentId('es', 'intent', intent.name),
        name: intent.name,
        auto: true,
        contexts: [],
        responses: [
          {
            resetContexts: false,
            action: esAction(intent),
            affectedContexts: [],
            parameters: intent.parameters.map((p) => ({
              id: agentId('es', 'intent', intent.name, 'parameter', p.name),
              name: p.name,
              required: p.required,
              dataType: `@${p.entity}`,
              value: `$${p.name}`,
              defaultValue: '',
              isList: p.list,
              prompts: agent.languages.flatMap((l) =>
                (p.prompts[l] ?? []).map((value) => ({ lang: l, value })),
              ),
              promptMessages: [],
              noMatchPromptMessages: [],
              noInputPromptMessages: [],
              outputDialogContexts: [],
            })),
            messages: agent.languages
              .filter((l) => speech(l).length)
              .map((l) => ({
                type: '0',
                title: '',
                textToSpeech: '',
                lang: l,
                condition: '',
                speech: speech(l),
              })),
            speech: [],
          },
        ],
        priority: 500000,
        webhookUsed: intent.webhook,
        webhookForSlotFilling: false,
        fallbackIntent: intent.fallback,
        events: intent.events.map((name) => ({ name })),
        conditionalResponses: [],
        condition: '',
        conditionalFollowupEvents: [],
      }),
    );
    const entityOf = new Map(intent.parameters.map((p) => [p.name, p.entity]));
    for (const l of agent.languages) {
      const phrases = intent.phrases[l];
      if (!phrases?.length) continue;
      const seen = new Map<string, number>();
      files.set(
        `intents/${intent.name}_usersays_${l}.json`,
        json(
          phrases.map((phrase) => {
            const n = (seen.get(phrase) ?? 0) + 1;
            seen.set(phrase, n);
            const key = n === 1 ? phrase : `${phrase}#${n}`;
            return {
              id: agentId('es', 'intent', intent.name, 'phrase', l, key),
              data: parsePhrase(phrase).map((part) =>
                part.parameter
                  ? {
                      text: part.text,
                      meta: `@${entityOf.get(part.parameter)}`,
                      alias: part.parameter,
                      userDefined: true,
                    }
                  : { text: part.text, userDefined: false },
              ),
              isTemplate: false,
              count: 0,
              lang: l,
              updated: 0,
            };
          }),
        ),
      );
    }
  }

  for (const entity of entities) {
    files.set(
      `entities/${entity.name}.json`,
      json({
        id: agentId('es', 'entity', entity.name),
        name: entity.name,
        isOverridable: true,
        isEnum: entity.kind === 'list',
        isRegexp: entity.kind === 'regexp',
        automatedExpansion: false,
        allowFuzzyExtraction: false,
      }),
    );
    for (const l of agent.languages) {
      const entries = entity.entries[l];
      if (!entries) continue;
      files.set(`entities/${entity.name}_entries_${l}.json`, json(entries));
    }
  }
  return sorted(files);
}

const START_FLOW = 'Default Start Flow';
/** The start flow's id is fixed in every CX agent. */
const START_FLOW_ID = '00000000-0000-0000-0000-000000000000';
/** The page every answer goes to: it clears the parameters for the next question. */
const ANSWERED = 'Answered';
const FINAL = '$page.params.status = "FINAL"';

const titleCase = (name: string) =>
  name
    .split(/[_-]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');

/** The CX form page of an intent with required parameters (undefined: answered from the flow). */
export function cxPageOf(intent: IntentSource): string | undefined {
  if (!intent.parameters.some((p) => p.required)) return undefined;
  return intent.cx.page ?? titleCase(intent.name);
}

/** The webhook tag of an intent's CX fulfillment. */
export const cxTagOf = (intent: IntentSource): string => intent.cx.tag ?? intent.name;

/** The CX package (agent.json, flows/, intents/, entityTypes/, webhooks/) of the sources. */
export function generateCxAgent({ agent, intents, entities }: AgentSources): AgentFiles {
  const [language, ...supported] = agent.languages;
  const files: AgentFiles = new Map();
  const hook = agent.webhook.name;
  const messages = (texts: Record<string, string[] | string | undefined>) =>
    agent.languages.flatMap((l) => {
      const t = texts[l];
      if (t === undefined) return [];
      return [{ text: { text: Array.isArray(t) ? t : [t] }, languageCode: l }];
    });
  const answer = (intent: IntentSource) =>
    intent.webhook
      ? { webhook: hook, tag: cxTagOf(intent) }
      : { messages: messages(intent.replies) };

  files.set(
    'agent.json',
    json({
      displayName: agent.displayName,
      defaultLanguageCode: language,
      supportedLanguageCodes: supported,
      timeZone: agent.timeZone,
      description: agent.description,
      startFlow: START_FLOW,
      enableSpellCorrection: false,
      advancedSettings: {
        loggingSettings: { enableStackdriverLogging: true, enableInteractionLogging: false },
      },
    }),
  );
  files.set(
    `webhooks/${hook}.json`,
    json({
      name: agentId('cx', 'webhook', hook),
      displayName: hook,
      genericWebService: { uri: '' },
      timeout: { seconds: agent.webhook.timeoutSeconds },
    }),
  );

  const routes: Record<string, unknown>[] = [];
  const cleared: string[] = [];
  const clear = (name: string) => {
    if (!cleared.includes(name)) cleared.push(name);
  };
  const page = (displayName: string, body: Record<string, unknown>) => {
    files.set(
      `flows/${START_FLOW}/pages/${displayName}.json`,
      json({ name: agentId('cx', 'page', START_FLOW, displayName), displayName, ...body }),
    );
  };
  const routeId = (...names: string[]) => agentId('cx', 'route', START_FLOW, ...names);

  for (const intent of intents) {
    if (intent.fallback) continue;
    files.set(
      `intents/${intent.name}/${intent.name}.json`,
      json({
        name: agentId('cx', 'intent', intent.name),
        displayName: intent.name,
        ...(intent.parameters.length
          ? {
              parameters: intent.parameters.map((p) => ({
                id: p.name,
                entityType: `@${p.entity}`,
                ...(p.list ? { isList: true } : {}),
              })),
            }
          : {}),
        priority: 500000,
      }),
    );
    for (const l of agent.languages) {
      const phrases = intent.phrases[l];
      if (!phrases?.length) continue;
      files.set(
        `intents/${intent.name}/trainingPhrases/${l}.json`,
        json({
          trainingPhrases: phrases.map((phrase) => ({
            parts: parsePhrase(phrase).map((part) =>
              part.parameter
                ? { text: part.text, parameterId: part.parameter, auto: false }
                : { text: part.text, auto: false },
            ),
            repeatCount: 1,
            languageCode: l,
          })),
        }),
      );
    }
    for (const p of intent.parameters) clear(p.name);

    const formPage = cxPageOf(intent);
    if (!formPage) {
      routes.push({
        intent: intent.name,
        triggerFulfillment: answer(intent),
        ...(intent.parameters.length ? { targetPage: ANSWERED } : {}),
        name: routeId('', intent.name),
      });
      continue;
    }
    routes.push({ intent: intent.name, targetPage: formPage, name: routeId('', intent.name) });
    const prompt = (p: ParameterSource) => messages(p.prompts);
    const validate = intent.cx.validate;
    page(formPage, {
      form: {
        parameters: intent.parameters.map((p) => ({
          displayName: p.name,
          required: p.required,
          entityType: `@${p.cx?.entity ?? p.entity}`,
          ...(p.list ? { isList: true } : {}),
          fillBehavior: {
            initialPromptFulfillment: prompt(p).length ? { messages: prompt(p) } : {},
            ...(p.cx?.reprompt
              ? {
                  repromptEventHandlers: [
                    {
                      event: 'sys.invalid-parameter',
                      triggerFulfillment: { messages: prompt(p) },
                      name: agentId(
                        'cx',
                        'handler',
                        START_FLOW,
                        formPage,
                        p.name,
                        'sys.invalid-parameter',
                      ),
                    },
                  ],
                }
              : {}),
          },
        })),
      },
      transitionRoutes: [
        {
          condition: FINAL,
          triggerFulfillment: validate ? { webhook: hook, tag: validate.tag } : answer(intent),
          targetPage: validate ? validate.page : ANSWERED,
          name: routeId(formPage, 'FINAL'),
        },
      ],
    });
    if (validate) {
      page(validate.page, {
        entryFulfillment: answer(intent),
        transitionRoutes: [
          { condition: 'true', targetPage: ANSWERED, name: routeId(validate.page, 'true') },
        ],
      });
    }
  }
  page(ANSWERED, {
    entryFulfillment: {
      setParameterActions: cleared.map((parameter) => ({ parameter, value: null })),
    },
  });

  const fallback = intents.find((i) => i.fallback);
  const handler = (event: string, triggerFulfillment: unknown) => ({
    event,
    triggerFulfillment,
    name: agentId('cx', 'handler', START_FLOW, '', event),
  });
  files.set(
    `flows/${START_FLOW}/${START_FLOW}.json`,
    json({
      name: START_FLOW_ID,
      displayName: START_FLOW,
      description: 'Routes every intent to its page (forms) or straight to the webhook.',
      transitionRoutes: routes,
      eventHandlers: [
        ...(fallback ? [handler('sys.no-match-default', answer(fallback))] : []),
        handler('sys.no-input-default', { messages: messages(agent.replies.noInput) }),
        handler('webhook.error', { messages: messages(agent.replies.webhookError) }),
      ],
      nluSettings: {
        modelType: 'MODEL_TYPE_STANDARD',
        classificationThreshold: agent.classificationThreshold,
      },
    }),
  );

  for (const entity of entities) {
    files.set(
      `entityTypes/${entity.name}/${entity.name}.json`,
      json({
        name: agentId('cx', 'entityType', entity.name),
        displayName: entity.name,
        kind: { map: 'KIND_MAP', list: 'KIND_LIST', regexp: 'KIND_REGEXP' }[entity.kind],
        autoExpansionMode: 'AUTO_EXPANSION_MODE_UNSPECIFIED',
        enableFuzzyExtraction: false,
      }),
    );
    for (const l of agent.languages) {
      const entries = entity.entries[l];
      if (!entries) continue;
      files.set(
        `entityTypes/${entity.name}/entities/${l}.json`,
        json({ entities: entries.map((e) => ({ ...e, languageCode: l })) }),
      );
    }
  }
  return sorted(files);
}

/** The export of one edition generated from the sources. */
export function generateAgent(edition: 'es' | 'cx', sources: AgentSources): AgentFiles {
  return edition === 'es' ? generateEsAgent(sources) : generateCxAgent(sources);
}

/**
 * The agent files of one edition for the agent folder `dir`: generated from its sources
 * (`agent.yaml`, intents/, entities/), or, for a project that keeps exports only, read from
 * `dir/es` or `dir/cx`.
 */
export function agentFiles(edition: 'es' | 'cx', dir: string): AgentFiles {
  if (hasAgentSources(dir)) return generateAgent(edition, readAgentSources(dir));
  return readAgentDir(join(dir, edition));
}
