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
  // Older exports omit fields Dialogflow defaults: loose mode reads them with those defaults.
  const def = <T extends z.ZodType>(schema: T, value: z.output<T>) =>
    mode === 'strict' ? schema : schema.optional().transform((v) => v ?? value);
  const lang = z.string().regex(/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/, 'a lower-case language tag');

  const agent = obj({
    description: def(z.string(), ''),
    language: def(lang, 'en'),
    shortDescription: z.string().optional(),
    examples: z.string().optional(),
    linkToDocs: z.string().optional(),
    displayName: def(z.string().min(1), 'agent'),
    disableInteractionLogs: z.boolean().optional(),
    disableStackdriverLogs: z.boolean().optional(),
    googleAssistant: z.unknown().optional(),
    defaultTimezone: def(z.string().min(1), 'UTC'),
    webhook: def(
      obj({
        url: def(z.string(), ''),
        username: z.string().optional(),
        password: z.string().optional(),
        headers: def(z.record(z.string(), z.string()), {}),
        available: def(z.boolean(), false),
        useForDomains: z.boolean().optional(),
        cloudFunctionsEnabled: z.boolean().optional(),
        cloudFunctionsInitialized: z.boolean().optional(),
      }),
      { url: '', headers: {}, available: false },
    ),
    isPrivate: z.boolean().optional(),
    customClassifierMode: z.string().optional(),
    mlMinConfidence: def(z.number().min(0).max(1), 0.3),
    supportedLanguages: def(z.array(lang), []),
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
    id: def(z.string(), ''),
    name: z.string().min(1),
    required: def(z.boolean(), false),
    // "" for values taken from a context or another parameter (#ctx.param, $param.original).
    dataType:
      mode === 'strict'
        ? z.string().regex(/^@/, 'an entity type like @sys.number')
        : def(z.string().regex(/^(@.*)?$/, 'an entity type like @sys.number, or ""'), ''),
    value: def(z.string(), ''),
    defaultValue: z.string().optional(),
    isList: def(z.boolean(), false),
    prompts: def(z.array(prompt), []),
    promptMessages: z.array(z.unknown()).optional(),
    noMatchPromptMessages: z.array(z.unknown()).optional(),
    noInputPromptMessages: z.array(z.unknown()).optional(),
    outputDialogContexts: z.array(z.unknown()).optional(),
  });
  const message = obj({
    type: def(z.union([z.string(), z.number()]), 0),
    title: z.string().optional(),
    textToSpeech: z.string().optional(),
    lang: lang.optional(),
    condition: z.string().optional(),
    speech: z.union([z.string(), z.array(z.string())]).optional(),
    payload: z.unknown().optional(),
    platform: z.string().optional(),
  });
  const intent = obj({
    id: def(z.string(), ''),
    name: z.string().min(1),
    auto: def(z.boolean(), true),
    contexts: def(z.array(z.string()), []),
    responses: def(
      z.array(
        obj({
          resetContexts: def(z.boolean(), false),
          action: z.string().optional(),
          affectedContexts: def(
            z.array(
              obj({
                name: z.string(),
                lifespan: def(z.number().int().min(0), 5),
                parameters: z.unknown().optional(),
              }),
            ),
            [],
          ),
          parameters: def(z.array(parameter), []),
          messages: def(z.array(message), []),
          defaultResponsePlatforms: z.record(z.string(), z.boolean()).optional(),
          // API.AI (v1) exports: one string.
          speech:
            mode === 'strict'
              ? z.array(z.string())
              : def(z.union([z.array(z.string()), z.string()]), []),
        }),
      ),
      [],
    ),
    priority: def(z.number().int(), 500000),
    webhookUsed: def(z.boolean(), false),
    webhookForSlotFilling: def(z.boolean(), false),
    fallbackIntent: def(z.boolean(), false),
    events: def(z.array(obj({ name: z.string() })), []),
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
      id: def(z.string(), ''),
      data: z.array(
        obj({
          text: z.string(),
          meta: z.string().regex(/^@/).optional(),
          alias: z.string().optional(),
          userDefined: def(z.boolean(), false),
        }),
      ),
      isTemplate: def(z.boolean(), false),
      count: def(z.number().int(), 0),
      lang: mode === 'strict' ? lang : lang.optional(),
      updated: def(z.number(), 0),
    }),
  );
  const entity = obj({
    id: def(z.string(), ''),
    // Loose: `sys.given-name` and the like, a system entity the agent extends with its own entries.
    name:
      mode === 'strict'
        ? z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _')
        : z.string().regex(/^(sys\.)?[A-Za-z0-9_-]+$/, 'letters, digits, - and _'),
    isOverridable: def(z.boolean(), true),
    isEnum: def(z.boolean(), false),
    isRegexp: def(z.boolean(), false),
    automatedExpansion: def(z.boolean(), false),
    allowFuzzyExtraction: def(z.boolean(), false),
  });
  const entries = z.array(
    obj({ value: z.string().min(1), synonyms: def(z.array(z.string()), []) }),
  );
  return { agent, packageJson, intent, usersays, entity, entries };
}

export type EsFormat = ReturnType<typeof esFormat>;
export type EsAgentJson = z.infer<EsFormat['agent']>;
export type EsIntentJson = z.infer<EsFormat['intent']>;
