import { parseConfig, type BotConfig } from '@dialogflow-functions/core/config';
import { restaurantEnv } from '../../src/env';
import { createLogger } from '@dialogflow-functions/core/logger';
import { createWebhookHandler, type WebhookDeps } from '@dialogflow-functions/core/webhook';
import { createDemoIntents, fallback, type DemoBackends } from '../../src/intents';
import { demoJobs } from '../../src/jobs';
import { restaurantMessages } from '../../src/messages';
import { createWeatherService } from '../../src/backends/weather';
import { createHttpClient } from '@dialogflow-functions/core/http';
import { TEST_PROJECT, testFirestoreFactory } from '@dialogflow-functions/testing/firestore';
import { protoErrors } from '@dialogflow-functions/testing/proto-check';
import { cxRequest, esRequest } from '@dialogflow-functions/testing/requests';
import {
  listenOnLoopback,
  serveFunction,
  type ServedFunction,
} from '@dialogflow-functions/testing/serve';
import {
  assertNoViolations,
  strictWebhook,
  type StrictViolation,
} from '@dialogflow-functions/testing/strict-webhook';

/** Both editions with the test kit's request builders, for `describe.each` and loops. */
export const EDITIONS = [
  ['es', esRequest],
  ['cx', cxRequest],
] as const;

/** A handler or server on a loopback port (the test kit's serve helpers). */
export type Running = ServedFunction;
export { listenOnLoopback as listen, serveFunction };

export interface TestWebhook extends Running {
  /** Parsed JSON log entries the webhook wrote. */
  logs: Record<string, unknown>[];
  rawLogs: string[];
  /** 200 answers Dialogflow would reject (each was replaced by a 500; `close()` throws). */
  violations: StrictViolation[];
}

/**
 * A config for tests: the local defaults plus `env`, with every outside API pointed at a
 * loopback port where nothing listens (discard), so no test can reach beyond this machine.
 */
export function testConfig(env: Record<string, string> = {}): BotConfig {
  return parseConfig(
    {
      NODE_ENV: 'test',
      WEATHER_API_BASE_URL: 'http://127.0.0.1:9',
      LINE_API_BASE_URL: 'http://127.0.0.1:9',
      // This test worker's Firestore project (the dev console and the jobs read it).
      GOOGLE_CLOUD_PROJECT: TEST_PROJECT,
      ...env,
    },
    'all',
    restaurantEnv,
  );
}

/** Starts the webhook (demo intents unless given) behind functions-framework on loopback. */
export async function startWebhook(
  overrides: Partial<WebhookDeps> & {
    env?: Record<string, string>;
    backends?: Partial<DemoBackends>;
  } = {},
): Promise<TestWebhook> {
  const rawLogs: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({
    sink: (line) => {
      rawLogs.push(line);
      logs.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  const { env, backends, ...deps } = overrides;
  const config = testConfig(env);
  const handler = createWebhookHandler({
    config,
    intents: createDemoIntents({
      db: backends?.db ?? testFirestoreFactory,
      inventory: backends?.inventory,
      weather:
        backends?.weather ??
        createWeatherService({
          baseUrl: config.weather.baseUrl,
          apiKey: config.weather.apiKey,
          http: createHttpClient(),
        }),
      jobs: demoJobs,
      jobsConfig: config,
      ...(backends?.now ? { now: backends.now } : {}),
    }),
    fallback,
    messages: restaurantMessages,
    logger,
    ...deps,
  });
  // Every 200 answer is checked against Google's protos before it leaves (strict-webhook.ts);
  // the protos are loaded now so the first answer does not wait for them.
  protoErrors('es', {});
  protoErrors('cx', {});
  const violations: StrictViolation[] = [];
  const running = await serveFunction(strictWebhook(handler, violations));
  return {
    ...running,
    logs,
    rawLogs,
    violations,
    async close() {
      await running.close();
      assertNoViolations(violations);
    },
  };
}

export interface Answer {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

/** POSTs JSON (or a raw string or bytes) and reads the answer. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}
