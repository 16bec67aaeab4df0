import { z } from 'zod';

/*
 * Dialogflow CX's JSON package export format: `agent.json`, `flows/<flow>/<flow>.json`,
 * `flows/<flow>/pages/<page>.json`, `intents/<intent>/<intent>.json` with
 * `intents/<intent>/trainingPhrases/<lang>.json`, `entityTypes/<type>/<type>.json` with
 * `entityTypes/<type>/entities/<lang>.json`, `webhooks/<webhook>.json`. Each file is the
 * resource's v3 proto in JSON, with references by display name and a few package-only keys
 * (`startFlow`, `numTrainingPhrases`, the list wrappers of the per-language files); the
 * format test checks our files against the protos themselves. These schemas only read
 * what the stand-in needs and keep everything else.
 */
const message = z.looseObject({ languageCode: z.string().optional() });
const fulfillment = z.looseObject({
  messages: z.array(message).optional(),
  webhook: z.string().optional(),
  tag: z.string().optional(),
  setParameterActions: z
    .array(z.looseObject({ parameter: z.string(), value: z.unknown().optional() }))
    .optional(),
  conditionalCases: z.array(z.unknown()).optional(),
});
const route = z.looseObject({
  intent: z.string().optional(),
  condition: z.string().optional(),
  triggerFulfillment: fulfillment.optional(),
  targetPage: z.string().optional(),
  targetFlow: z.string().optional(),
});
const eventHandler = z.looseObject({
  event: z.string(),
  triggerFulfillment: fulfillment.optional(),
  targetPage: z.string().optional(),
  targetFlow: z.string().optional(),
});

export const cxFormat = {
  agent: z.looseObject({
    displayName: z.string().optional(),
    defaultLanguageCode: z.string(),
    supportedLanguageCodes: z.array(z.string()).optional(),
    timeZone: z.string(),
    startFlow: z.string().optional(),
  }),
  routeGroup: z.looseObject({
    name: z.string().optional(),
    displayName: z.string().optional(),
    transitionRoutes: z.array(route).optional(),
  }),
  flow: z.looseObject({
    name: z.string(),
    displayName: z.string(),
    transitionRoutes: z.array(route).optional(),
    eventHandlers: z.array(eventHandler).optional(),
    transitionRouteGroups: z.array(z.string()).optional(),
  }),
  page: z.looseObject({
    name: z.string(),
    displayName: z.string(),
    entryFulfillment: fulfillment.optional(),
    form: z
      .looseObject({
        parameters: z
          .array(
            z.looseObject({
              displayName: z.string(),
              required: z.boolean().optional(),
              entityType: z.string(),
              isList: z.boolean().optional(),
              defaultValue: z.unknown().optional(),
              fillBehavior: z
                .looseObject({
                  initialPromptFulfillment: fulfillment.optional(),
                  repromptEventHandlers: z.array(eventHandler).optional(),
                })
                .optional(),
            }),
          )
          .optional(),
      })
      .optional(),
    transitionRoutes: z.array(route).optional(),
    eventHandlers: z.array(eventHandler).optional(),
    transitionRouteGroups: z.array(z.string()).optional(),
  }),
  intent: z.looseObject({
    name: z.string(),
    displayName: z.string(),
    parameters: z
      .array(
        z.looseObject({
          id: z.string(),
          entityType: z.string(),
          isList: z.boolean().optional(),
        }),
      )
      .optional(),
  }),
  trainingPhrases: z.looseObject({
    trainingPhrases: z.array(
      z.looseObject({
        parts: z.array(z.looseObject({ text: z.string(), parameterId: z.string().optional() })),
        languageCode: z.string().optional(),
      }),
    ),
  }),
  entityType: z.looseObject({
    name: z.string(),
    displayName: z.string(),
    kind: z.enum(['KIND_MAP', 'KIND_LIST', 'KIND_REGEXP']),
  }),
  entities: z.looseObject({
    entities: z.array(
      z.looseObject({ value: z.string(), synonyms: z.array(z.string()).optional() }),
    ),
  }),
  webhook: z.looseObject({
    name: z.string(),
    displayName: z.string(),
    genericWebService: z
      .looseObject({
        uri: z.string(),
        // A map in current exports; a list of {key, value} in some older ones.
        requestHeaders: z
          .union([
            z.record(z.string(), z.string()),
            z.array(z.looseObject({ key: z.string(), value: z.string() })),
          ])
          .optional(),
        username: z.string().optional(),
        password: z.string().optional(),
      })
      .optional(),
    timeout: z
      .union([
        z.looseObject({
          seconds: z.union([z.number(), z.string()]).optional(),
          nanos: z.number().optional(),
        }),
        z.string(),
      ])
      .optional(),
    disabled: z.boolean().optional(),
  }),
};

export type CxFormat = typeof cxFormat;
