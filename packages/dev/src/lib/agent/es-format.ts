import { z } from 'zod';

/*
 * Dialogflow ES's agent export format (the zip of Export/Import/Restore in the console and of
 * `agents.export`): `agent.json`, `package.json`, `intents/<name>.json` with
 * `intents/<name>_usersays_<lang>.json`, `entities/<name>.json` with
 * `entities/<name>_entries_<lang>.json`. The format has no published schema; these shapes
 * follow what the console exports. `strict` refuses keys the format does not have (the
 * format test of our own files); `loose` keeps unknown keys (loading anyone's export).
 */
export function esFormat(mode: 'strict' | 'loose') {
  const obj = mode === 'strict' ? z.strictObject : z.looseObject;
  const lang = z.string().regex(/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/, 'a lower-case language tag');

  const agent = obj({
    description: z.string(),
    language: lang,
    shortDescription: z.string().optional(),
    examples: z.string().optional(),
    linkToDocs: z.string().optional(),
    displayName: z.string().min(1),
    disableInteractionLogs: z.boolean().optional(),
    disableStackdriverLogs: z.boolean().optional(),
    googleAssistant: z.unknown().optional(),
    defaultTimezone: z.string().min(1),
    webhook: obj({
      url: z.string(),
      username: z.string().optional(),
      password: z.string().optional(),
      headers: z.record(z.string(), z.string()),
      available: z.boolean(),
      useForDomains: z.boolean().optional(),
      cloudFunctionsEnabled: z.boolean().optional(),
      cloudFunctionsInitialized: z.boolean().optional(),
    }),
    isPrivate: z.boolean().optional(),
    customClassifierMode: z.string().optional(),
    mlMinConfidence: z.number().min(0).max(1),
    supportedLanguages: z.array(lang),
    enableOnePlatformApi: z.boolean().optional(),
    onePlatformApiVersion: z.string().optional(),
    secondaryKey: z.string().optional(),
    analyzeQueryTextSentiment: z.boolean().optional(),
    enabledKnowledgeBaseNames: z.array(z.string()).optional(),
    knowledgeServiceConfidenceAdjustment: z.number().optional(),
    dialogBuilderMode: z.boolean().optional(),
    baseActionPackagesUrl: z.string().optional(),
    enableSpellCorrection: z.boolean().optional(),
  });

  const packageJson = obj({ version: z.string() });

  const prompt = obj({ lang, value: z.string() });
  const parameter = obj({
    id: z.string(),
    name: z.string().min(1),
    required: z.boolean(),
    dataType: z.string().regex(/^@/, 'an entity type like @sys.number'),
    value: z.string(),
    defaultValue: z.string().optional(),
    isList: z.boolean(),
    prompts: z.array(prompt),
    promptMessages: z.array(z.unknown()).optional(),
    noMatchPromptMessages: z.array(z.unknown()).optional(),
    noInputPromptMessages: z.array(z.unknown()).optional(),
    outputDialogContexts: z.array(z.unknown()).optional(),
  });
  const message = obj({
    type: z.union([z.string(), z.number()]),
    title: z.string().optional(),
    textToSpeech: z.string().optional(),
    lang: lang.optional(),
    condition: z.string().optional(),
    speech: z.union([z.string(), z.array(z.string())]).optional(),
    payload: z.unknown().optional(),
    platform: z.string().optional(),
  });
  const intent = obj({
    id: z.string(),
    name: z.string().min(1),
    auto: z.boolean(),
    contexts: z.array(z.string()),
    responses: z.array(
      obj({
        resetContexts: z.boolean(),
        action: z.string().optional(),
        affectedContexts: z.array(
          obj({
            name: z.string(),
            lifespan: z.number().int().min(0),
            parameters: z.unknown().optional(),
          }),
        ),
        parameters: z.array(parameter),
        messages: z.array(message),
        defaultResponsePlatforms: z.record(z.string(), z.boolean()).optional(),
        speech: z.array(z.string()),
      }),
    ),
    priority: z.number().int(),
    webhookUsed: z.boolean(),
    webhookForSlotFilling: z.boolean(),
    fallbackIntent: z.boolean(),
    events: z.array(obj({ name: z.string() })),
    conditionalResponses: z.array(z.unknown()).optional(),
    condition: z.string().optional(),
    conditionalFollowupEvents: z.array(z.unknown()).optional(),
    endInteraction: z.boolean().optional(),
    liveAgentHandoff: z.boolean().optional(),
    parentId: z.string().optional(),
    rootParentId: z.string().optional(),
  });
  const usersays = z.array(
    obj({
      id: z.string(),
      data: z.array(
        obj({
          text: z.string(),
          meta: z.string().regex(/^@/).optional(),
          alias: z.string().optional(),
          userDefined: z.boolean(),
        }),
      ),
      isTemplate: z.boolean(),
      count: z.number().int(),
      lang,
      updated: z.number(),
    }),
  );
  const entity = obj({
    id: z.string(),
    name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _'),
    isOverridable: z.boolean(),
    isEnum: z.boolean(),
    isRegexp: z.boolean(),
    automatedExpansion: z.boolean(),
    allowFuzzyExtraction: z.boolean(),
  });
  const entries = z.array(obj({ value: z.string().min(1), synonyms: z.array(z.string()) }));
  return { agent, packageJson, intent, usersays, entity, entries };
}

export type EsFormat = ReturnType<typeof esFormat>;
export type EsAgentJson = z.infer<EsFormat['agent']>;
export type EsIntentJson = z.infer<EsFormat['intent']>;
