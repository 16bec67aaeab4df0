import * as z from 'zod';
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

/** google.cloud.dialogflow.v2.Sentiment (score -1…1, magnitude ≥ 0). */
const Sentiment = z.looseObject({
  score: z.number().optional().catch(undefined),
  magnitude: z.number().optional().catch(undefined),
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
    sentimentAnalysisResult: z
      .looseObject({ queryTextSentiment: Sentiment.optional().catch(undefined) })
      .optional()
      .catch(undefined),
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

/** google.cloud.dialogflow.v2.Intent.Message.Image */
export interface EsImage {
  imageUri: string;
  accessibilityText?: string;
}

/** google.cloud.dialogflow.v2.Intent.Message.SelectItemInfo */
export interface EsSelectItemInfo {
  key: string;
  synonyms?: string[];
}

/** google.cloud.dialogflow.v2.Intent.Message.SimpleResponse: textToSpeech or ssml. */
export type EsSimpleResponse = { displayText?: string } & (
  | { textToSpeech: string }
  | { ssml: string }
);

/** One google.cloud.dialogflow.v2.Intent.Message: exactly one of the `message` oneof. */
export type EsMessage = { platform?: EsPlatform } & (
  | { text: { text: string[] } }
  | { image: EsImage }
  | { quickReplies: { title: string; quickReplies: string[] } }
  | {
      card: {
        title: string;
        subtitle?: string;
        imageUri?: string;
        buttons?: { text: string; postback: string }[];
      };
    }
  | { payload: JsonObject }
  | { simpleResponses: { simpleResponses: EsSimpleResponse[] } }
  | {
      basicCard: {
        title?: string;
        subtitle?: string;
        formattedText?: string;
        image?: EsImage;
        buttons?: { title: string; openUriAction: { uri: string } }[];
      };
    }
  | { suggestions: { suggestions: { title: string }[] } }
  | { linkOutSuggestion: { destinationName: string; uri: string } }
  | {
      listSelect: {
        title?: string;
        subtitle?: string;
        items: { info: EsSelectItemInfo; title: string; description?: string; image?: EsImage }[];
      };
    }
  | {
      carouselSelect: {
        items: { info: EsSelectItemInfo; title: string; description?: string; image?: EsImage }[];
      };
    }
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
  sessionEntityTypes?: EsSessionEntityType[];
}

/** google.cloud.dialogflow.v2.SessionEntityType */
export interface EsSessionEntityType {
  /** `projects/…/agent/sessions/…/entityTypes/<display name>` */
  name: string;
  entityOverrideMode: 'ENTITY_OVERRIDE_MODE_OVERRIDE' | 'ENTITY_OVERRIDE_MODE_SUPPLEMENT';
  entities: { value: string; synonyms: string[] }[];
}

/** Dialogflow ignores (and logs) an ES webhook response over 64 KiB. */
export const ES_RESPONSE_MAX_BYTES = 64 * 1024;
