import * as z from 'zod';
import { lenientParameters, lenientString, type JsonObject, type JsonValue } from './common';

/*
 * Dialogflow CX (v3) webhook wire format, from google/cloud/dialogflow/cx/v3/webhook.proto and
 * response_message.proto. Requests lenient, responses strict types.
 */

const CxParameterInfoIn = z.looseObject({
  displayName: z.string(),
  required: z.boolean().optional().catch(undefined),
  state: lenientString,
  value: z.unknown().optional(),
  justCollected: z.boolean().optional().catch(undefined),
});

/** A ResponseMessage in a request (the agent's queued messages): what a handler may read. */
const CxResponseMessageIn = z.looseObject({
  text: z
    .looseObject({ text: z.array(z.string()).optional().catch(undefined) })
    .optional()
    .catch(undefined),
  payload: lenientParameters,
  responseType: lenientString,
  source: lenientString,
  channel: lenientString,
});

/** google.cloud.dialogflow.cx.v3.WebhookRequest, parsed leniently. */
export const CxWebhookRequest = z.looseObject({
  detectIntentResponseId: lenientString,
  languageCode: lenientString,
  text: lenientString,
  transcript: lenientString,
  triggerIntent: lenientString,
  triggerEvent: lenientString,
  dtmfDigits: lenientString,
  languageInfo: z
    .looseObject({
      inputLanguageCode: lenientString,
      resolvedLanguageCode: lenientString,
      confidenceScore: z.number().optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
  sentimentAnalysisResult: z
    .looseObject({
      score: z.number().optional().catch(undefined),
      magnitude: z.number().optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
  // The agent's queued messages for this turn (what it will say besides the webhook's reply).
  messages: z
    .array(z.unknown())
    .optional()
    .catch(undefined)
    .transform((list) =>
      (list ?? []).flatMap((m) => {
        const parsed = CxResponseMessageIn.safeParse(m);
        return parsed.success ? [parsed.data] : [];
      }),
    ),
  // The router needs the tag: a fulfillmentInfo or tag of the wrong kind is a bad request.
  fulfillmentInfo: z.looseObject({ tag: z.string().nullish() }).nullish(),
  intentInfo: z
    .looseObject({
      lastMatchedIntent: lenientString,
      displayName: lenientString,
      confidence: z.number().optional().catch(undefined),
      parameters: z.record(z.string(), z.unknown()).optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
  pageInfo: z
    .looseObject({
      currentPage: lenientString,
      displayName: lenientString,
      formInfo: z
        .looseObject({
          parameterInfo: z
            .array(z.unknown())
            .optional()
            .catch(undefined)
            .transform((list) =>
              (list ?? []).flatMap((p) => {
                const parsed = CxParameterInfoIn.safeParse(p);
                return parsed.success ? [parsed.data] : [];
              }),
            ),
        })
        .optional()
        .catch(undefined),
    })
    .optional()
    .catch(undefined),
  sessionInfo: z
    .looseObject({ session: lenientString, parameters: lenientParameters })
    .optional()
    .catch(undefined),
  payload: lenientParameters,
});
export type CxWebhookRequest = z.infer<typeof CxWebhookRequest>;

/** google.cloud.dialogflow.cx.v3.ResponseMessage: exactly one of the `message` oneof. */
export type CxResponseMessage = { channel?: string } & (
  | { text: { text: string[] } }
  | { payload: JsonObject }
  | { conversationSuccess: { metadata?: JsonObject } }
  | { outputAudioText: { ssml: string } | { text: string } }
  | { liveAgentHandoff: { metadata?: JsonObject } }
  | { playAudio: { audioUri: string } }
  | { telephonyTransferCall: { phoneNumber: string } }
);

/** google.cloud.dialogflow.cx.v3.PageInfo.FormInfo.ParameterInfo.ParameterState */
export type CxParameterState = 'EMPTY' | 'INVALID' | 'FILLED';

/** google.cloud.dialogflow.cx.v3.WebhookResponse (transition oneof: targetPage xor targetFlow). */
export type CxWebhookResponse = {
  fulfillmentResponse?: {
    messages: CxResponseMessage[];
    mergeBehavior?: 'MERGE_BEHAVIOR_UNSPECIFIED' | 'APPEND' | 'REPLACE';
  };
  pageInfo?: {
    formInfo: {
      parameterInfo: {
        displayName: string;
        required?: boolean;
        state: CxParameterState;
        value?: JsonValue;
        justCollected?: boolean;
      }[];
    };
  };
  sessionInfo?: { parameters: { [key: string]: JsonValue } };
  payload?: JsonObject;
} & ({ targetPage?: string; targetFlow?: never } | { targetFlow?: string; targetPage?: never });
