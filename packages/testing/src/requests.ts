import { randomUUID } from 'node:crypto';

/*
 * Realistic Dialogflow webhook requests, shaped like what the console and the integrations
 * send, including fields our models do not list. Used by `npm run simulate` and the tests.
 */

/** Where a request comes from: the console, an integration, or LINE as older agents name it. */
export type RequestSource =
  | 'console'
  | 'line'
  | 'line-legacy'
  | 'slack'
  | 'telegram'
  | 'facebook'
  | 'google';

export const REQUEST_SOURCES: RequestSource[] = [
  'console',
  'line',
  'line-legacy',
  'slack',
  'telegram',
  'facebook',
  'google',
];

export interface RequestOptions {
  /** ES intent display name or CX tag. */
  name: string;
  parameters?: Record<string, unknown>;
  languageCode?: string;
  source?: RequestSource;
  /** Session id (the last path segment); a fresh one when omitted. */
  sessionId?: string;
  /** ES input contexts: short name → parameters. */
  contexts?: Record<string, Record<string, unknown>>;
  /** Lifespans of `contexts` by short name (5 when not given). */
  contextLifespans?: Record<string, number>;
  /** CX session parameters from earlier turns (the turn's `parameters` are set over them). */
  sessionParameters?: Record<string, unknown>;
  queryText?: string;
  /** ES responseId / CX detectIntentResponseId; fresh when omitted. */
  responseId?: string;
  /** A LINE user id for `line` sources. */
  lineUserId?: string;
}

export const DEMO_LINE_USER_ID = 'U4af4980629a0c0d1e2f3a4b5c6d7e8f9';
const PROJECT = 'demo-local';

function integrationPayload(source: RequestSource, text: string, lineUserId: string) {
  const now = Date.now();
  switch (source) {
    case 'console':
      return { source: 'DIALOGFLOW_CONSOLE', payload: {} };
    case 'line':
    case 'line-legacy': {
      const data = {
        replyToken: 'nHuyWiB7yP5Zw52FIkcQobQuGDXCTA',
        type: 'message',
        mode: 'active',
        timestamp: now,
        source: { type: 'user', userId: lineUserId },
        webhookEventId: '01FZ74A0TDDPYRVKNK77XKC3ZR',
        deliveryContext: { isRedelivery: false },
        message: { id: '444573844083572737', type: 'text', quoteToken: 'q3Plxr4AgKd', text },
      };
      // Older integrations name the platform only inside the payload.
      return source === 'line'
        ? { source: 'line', payload: { data } }
        : { payload: { data, source: 'line' } };
    }
    case 'slack':
      return {
        source: 'slack',
        payload: {
          data: {
            event: {
              type: 'message',
              user: 'U024BE7LH',
              text,
              channel: 'C2147483705',
              ts: '1355517523.000005',
            },
            team_id: 'T061EG9R6',
            api_app_id: 'A0MDYCDME',
            type: 'event_callback',
          },
          source: 'slack',
        },
      };
    case 'telegram':
      return {
        source: 'telegram',
        payload: {
          data: {
            update_id: 123456789,
            message: {
              message_id: 42,
              date: Math.floor(now / 1000),
              text,
              from: { id: 987654321, is_bot: false, first_name: 'Mei', language_code: 'zh-hant' },
              chat: { id: 987654321, type: 'private', first_name: 'Mei' },
            },
          },
          source: 'telegram',
        },
      };
    case 'facebook':
      return {
        source: 'facebook',
        payload: {
          data: {
            sender: { id: '1254459154682919' },
            recipient: { id: '682498171943165' },
            timestamp: now,
            message: {
              mid: 'm_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P',
              text,
            },
          },
          source: 'facebook',
        },
      };
    case 'google':
      return {
        source: 'google',
        version: '2',
        payload: {
          isInSandbox: true,
          surface: { capabilities: [{ name: 'actions.capability.SCREEN_OUTPUT' }] },
          inputs: [
            { rawInputs: [{ query: text, inputType: 'KEYBOARD' }], intent: 'actions.intent.TEXT' },
          ],
          user: { locale: 'en-US', userVerificationStatus: 'VERIFIED' },
          conversation: { conversationId: 'ABwppHE', type: 'ACTIVE' },
        },
      };
  }
}

/** A google.cloud.dialogflow.v2.WebhookRequest as Dialogflow ES sends it. */
export function esRequest(options: RequestOptions): Record<string, unknown> {
  const sessionId = options.sessionId ?? randomUUID();
  const session = `projects/${PROJECT}/agent/sessions/${sessionId}`;
  const text = options.queryText ?? options.name;
  const contexts = Object.entries(options.contexts ?? {}).map(([name, parameters]) => ({
    name: `${session}/contexts/${name}`,
    lifespanCount: options.contextLifespans?.[name] ?? 5,
    parameters,
  }));
  contexts.push({
    name: `${session}/contexts/__system_counters__`,
    lifespanCount: 1,
    parameters: { 'no-input': 0, 'no-match': 0 },
  });
  return {
    responseId: options.responseId ?? `${randomUUID()}-${randomUUID().slice(0, 8)}`,
    queryResult: {
      queryText: text,
      parameters: options.parameters ?? {},
      allRequiredParamsPresent: true,
      fulfillmentText: '',
      fulfillmentMessages: [{ text: { text: [''] } }],
      outputContexts: contexts,
      intent: {
        name: `projects/${PROJECT}/agent/intents/${randomUUID()}`,
        displayName: options.name,
        endInteraction: false,
      },
      intentDetectionConfidence: 1,
      diagnosticInfo: { webhook_latency_ms: 0 },
      languageCode: options.languageCode ?? 'en',
      sentimentAnalysisResult: { queryTextSentiment: { score: 0.1, magnitude: 0.1 } },
    },
    originalDetectIntentRequest: integrationPayload(
      options.source ?? 'console',
      text,
      options.lineUserId ?? DEMO_LINE_USER_ID,
    ),
    session,
    alternativeQueryResults: [{ queryText: text, languageCode: options.languageCode ?? 'en' }],
  };
}

/** A google.cloud.dialogflow.cx.v3.WebhookRequest as Dialogflow CX sends it. */
export function cxRequest(options: RequestOptions): Record<string, unknown> {
  const agent = `projects/${PROJECT}/locations/global/agents/0d4b0c5e-5f3a-4e5c-9a8b-1c2d3e4f5a6b`;
  const sessionId = options.sessionId ?? randomUUID();
  const parameters = options.parameters ?? {};
  const text = options.queryText ?? options.name;
  const body: Record<string, unknown> = {
    detectIntentResponseId: options.responseId ?? randomUUID(),
    intentInfo: {
      lastMatchedIntent: `${agent}/intents/${randomUUID()}`,
      displayName: options.name,
      parameters: Object.fromEntries(
        Object.entries(parameters).map(([k, v]) => [
          k,
          { originalValue: String(v), resolvedValue: v },
        ]),
      ),
      confidence: 0.93,
    },
    pageInfo: {
      currentPage: `${agent}/flows/00000000-0000-0000-0000-000000000000/pages/START_PAGE`,
      displayName: 'Start Page',
      formInfo: {
        parameterInfo: Object.entries(parameters).map(([k, v]) => ({
          displayName: k,
          required: true,
          state: 'FILLED',
          value: v,
          justCollected: true,
        })),
      },
    },
    sessionInfo: {
      session: `${agent}/sessions/${sessionId}`,
      parameters: { ...options.sessionParameters, ...parameters },
    },
    fulfillmentInfo: { tag: options.name },
    messages: [
      {
        text: { text: ['…'], redactedText: ['…'] },
        responseType: 'HANDLER_PROMPT',
        source: 'VIRTUAL_AGENT',
      },
    ],
    text,
    languageCode: options.languageCode ?? 'en',
    languageInfo: {
      inputLanguageCode: options.languageCode ?? 'en',
      resolvedLanguageCode: options.languageCode ?? 'en',
      confidenceScore: 1,
    },
  };
  if (options.source && options.source !== 'console') {
    const integration = integrationPayload(
      options.source,
      text,
      options.lineUserId ?? DEMO_LINE_USER_ID,
    );
    body.payload = {
      ...(integration.payload as object),
      source: options.source.replace('-legacy', ''),
    };
  }
  return body;
}
