import { z } from 'zod';
import { lenientParameters, lenientString, type JsonObject } from './common';

/*
 * Dialogflow ES (v2) webhook wire format, from google/cloud/dialogflow/v2/webhook.proto,
 * session.proto, context.proto and intent.proto. Requests are lenient (unknown fields pass,
 * wrong kinds of fields the reply does not need are dropped); responses are strict types.
 */

const EsContextIn = z.looseObject({
  name: z.string(),
  lifespanCount: z.number().optional().catch(undefined),
  parameters: lenientParameters,
});

/** google.cloud.dialogflow.v2.WebhookRequest, parsed leniently. */
export const EsWebhookRequest = z.looseObject({
  responseId: lenientString,
  session: lenientString,
  queryResult: z.looseObject({
    queryText: lenientString,
    languageCode: lenientString,
    action: lenientString,
    parameters: lenientParameters,
    allRequiredParamsPresent: z.boolean().optional().catch(undefined),
    fulfillmentText: lenientString,
    outputContexts: z
      .array(z.unknown())
      .optional()
      .catch(undefined)
      .transform((list) =>
        (list ?? []).flatMap((c) => {
          const parsed = EsContextIn.safeParse(c);
          return parsed.success ? [parsed.data] : [];
        }),
      ),
    // The router needs the intent: an intent or a displayName of the wrong kind is a bad request.
    intent: z
      .looseObject({
        name: lenientString,
        displayName: z.string().nullish(),
        isFallback: z.boolean().optional().catch(undefined),
      })
      .nullish(),
    intentDetectionConfidence: z.number().optional().catch(undefined),
  }),
  originalDetectIntentRequest: z
    .looseObject({
      source: lenientString,
      version: lenientString,
      payload: lenientParameters,
    })
    .optional()
    .catch(undefined),
});
export type EsWebhookRequest = z.infer<typeof EsWebhookRequest>;

/** google.cloud.dialogflow.v2.Intent.Message.Platform */
export const EsPlatforms = [
  'PLATFORM_UNSPECIFIED',
  'FACEBOOK',
  'SLACK',
  'TELEGRAM',
  'KIK',
  'SKYPE',
  'LINE',
  'VIBER',
  'ACTIONS_ON_GOOGLE',
  'GOOGLE_HANGOUTS',
] as const;
export type EsPlatform = (typeof EsPlatforms)[number];

/** One google.cloud.dialogflow.v2.Intent.Message: exactly one of the `message` oneof. */
export type EsMessage = { platform?: EsPlatform } & (
  | { text: { text: string[] } }
  | { quickReplies: { title: string; quickReplies: string[] } }
  | { payload: JsonObject }
  | { simpleResponses: { simpleResponses: { textToSpeech: string; displayText?: string }[] } }
  | { suggestions: { suggestions: { title: string }[] } }
);

/** google.cloud.dialogflow.v2.Context */
export interface EsContextOut {
  name: string;
  lifespanCount?: number;
  parameters?: JsonObject;
}

/** google.cloud.dialogflow.v2.WebhookResponse */
export interface EsWebhookResponse {
  fulfillmentText?: string;
  fulfillmentMessages?: EsMessage[];
  source?: string;
  payload?: JsonObject;
  outputContexts?: EsContextOut[];
  followupEventInput?: { name: string; languageCode: string; parameters?: JsonObject };
}

/** Dialogflow ignores (and logs) an ES webhook response over 64 KiB. */
export const ES_RESPONSE_MAX_BYTES = 64 * 1024;
