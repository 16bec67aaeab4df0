import { DetectIntentClient, type DetectQuery, type Edition } from '../lib/dialogflow-client';
import type { JsonObject } from '../dialogflow-stand-in/values';
import type { Detection, Detector } from './conversation';

/*
 * Typed sentences: DetectIntent on the local Dialogflow stand-in, through the project's typed
 * client (the official SessionsClient of @google-cloud/dialogflow / -cx on insecure gRPC).
 */

export interface StandInDetector {
  detect: Detector;
  close(): Promise<void>;
}

/** A detector for the stand-in at `host` (host:port), sessions under `projectId`. */
export function createStandInDetector(options: {
  host: string;
  projectId: string;
}): StandInDetector {
  const target = { agent: undefined, emulatorHost: options.host, localProject: options.projectId };
  const clients: Partial<Record<Edition, DetectIntentClient>> = {};
  const client = (edition: Edition) =>
    (clients[edition] ??= new DetectIntentClient(edition, target));
  return {
    async detect(input): Promise<Detection> {
      const c = client(input.edition);
      const query: DetectQuery = {
        text: input.text,
        languageCode: input.languageCode,
        sessionId: input.sessionId,
        ...(Object.keys(input.payload).length ? { payload: input.payload as JsonObject } : {}),
      };
      const request = {
        session: c.sessionPath(input.sessionId),
        queryInput:
          input.edition === 'es'
            ? { text: { text: input.text, languageCode: input.languageCode } }
            : { text: { text: input.text }, languageCode: input.languageCode },
        ...(query.payload ? { queryParams: { payload: query.payload } } : {}),
      };
      const started = performance.now();
      const result = await c.detect(query);
      const latencyMs = Math.round(performance.now() - started);
      const queryResult = (result.response.queryResult ?? {}) as Record<string, unknown>;
      return {
        request,
        response: result.response,
        latencyMs,
        match: {
          ...(result.intent !== undefined ? { intent: result.intent } : {}),
          ...(result.page !== undefined ? { page: result.page } : {}),
          confidence: result.confidence,
          parameters: result.parameters,
          ...(result.why ? { why: result.why } : {}),
        },
        messages: result.messages,
        ...(typeof queryResult.fulfillmentText === 'string'
          ? { fulfillmentText: queryResult.fulfillmentText }
          : {}),
        ...(input.edition === 'es' ? { outputContexts: result.contexts } : {}),
        ...(result.sessionParameters ? { sessionParameters: result.sessionParameters } : {}),
        webhook: result.webhook,
      };
    },
    async close() {
      await Promise.all(Object.values(clients).map((c) => c.close()));
    },
  };
}
