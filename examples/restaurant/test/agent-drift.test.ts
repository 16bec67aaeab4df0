import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Budget,
  createTurnContext,
  type IntentHandler,
  type TurnContext,
} from '@dialogflow-functions/core/conversation';
import { parseWebhookRequest } from '@dialogflow-functions/core/dialogflow';
import { createHttpClient } from '@dialogflow-functions/core/http';
import { createLogger } from '@dialogflow-functions/core/logger';
import { createWeatherService } from '../src/backends/weather';
import { createDemoIntents } from '../src/intents';
import { demoJobs } from '../src/jobs';
import { seedDemoData } from '../src/seed-data';
import { agentFiles } from '@dialogflow-functions/dev/lib/agent/generate';
import { loadAgent } from '@dialogflow-functions/dev/lib/agent/load';
import type { AgentModel, CxFulfillment, CxRoute } from '@dialogflow-functions/dev/lib/agent/model';
import { AGENT_ROOT } from '@dialogflow-functions/dev/lib/agent/package';
import { cxRequest, esRequest } from '@dialogflow-functions/testing/requests';
import { startWeatherStandIn, type WeatherStandIn } from '../local/weather-stand-in';
import {
  resetTestFirestore,
  testFirestore,
  testFirestoreFactory,
} from '@dialogflow-functions/testing/firestore';
import { testConfig } from './helpers/servers';

/*
 * No drift between the agent files and the code: every webhook-enabled ES intent and every CX
 * tag has a handler, every handler has an intent or a tag, and every parameter a handler reads
 * is defined where its intent or page collects it.
 */

const es = loadAgent('es', agentFiles('es', AGENT_ROOT));
const cx = loadAgent('cx', agentFiles('cx', AGENT_ROOT));

/** Every CX fulfillment tag, with the parameters defined where the conversation reaches it. */
function cxTags(agent: AgentModel): Map<string, Set<string>> {
  const tags = new Map<string, Set<string>>();
  const flow = agent.flows.get(agent.startFlow!)!;
  const note = (f: CxFulfillment | undefined, params: Set<string>) => {
    if (!f?.tag) return;
    const set = tags.get(f.tag) ?? new Set<string>();
    for (const p of params) set.add(p);
    tags.set(f.tag, set);
  };
  const seen = new Set<string>();
  const visit = (page: string | undefined, params: Set<string>) => {
    const key = `${page}|${[...params].sort().join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    const p = page ? flow.pages.get(page) : undefined;
    if (!p) return;
    const here = new Set([...params, ...p.form.map((f) => f.name)]);
    note(p.entry, here);
    for (const f of p.form) {
      note(f.initialPrompt, here);
      for (const h of f.reprompts) note(h.fulfillment, here);
    }
    for (const h of p.eventHandlers) note(h.fulfillment, here);
    for (const r of p.routes) follow(r, here);
  };
  const follow = (r: CxRoute, params: Set<string>) => {
    const intent = r.intent ? agent.intents.find((i) => i.name === r.intent) : undefined;
    const withIntent = new Set([...params, ...(intent?.parameters.map((p) => p.name) ?? [])]);
    note(r.fulfillment, withIntent);
    if (r.targetPage) visit(r.targetPage, withIntent);
  };
  for (const r of flow.routes) follow(r, new Set());
  for (const h of flow.eventHandlers) note(h.fulfillment, new Set());
  return tags;
}

/** A value of each entity type in the edition's shape, so a handler goes all the way. */
function sample(entityType: string, edition: 'es' | 'cx'): unknown {
  switch (entityType) {
    case 'order-id':
    case 'sys.any':
      return '1002';
    case 'product':
      return 'latte';
    case 'sys.geo-city':
      return 'Taipei';
    case 'sys.date':
      return edition === 'es' ? '2099-12-24T12:00:00+08:00' : { year: 2099, month: 12, day: 24 };
    case 'sys.time':
      return edition === 'es'
        ? '2099-12-24T19:00:00+08:00'
        : { hours: 19, minutes: 0, seconds: 0, nanos: 0 };
    case 'sys.number':
    case 'sys.number-integer':
      return 2;
    case 'sys.person':
      return { name: 'Lin' };
    case 'sys.email':
      return 'lin@example.com';
    case 'job-id':
      return 'r-0123456789ab';
    default:
      throw new Error(`no sample for @${entityType}: add one`);
  }
}

/** Runs a handler and records the parameter names it reads (ctx.params.*, ctx.parameters.*). */
async function parametersRead(
  handler: IntentHandler,
  edition: 'es' | 'cx',
  name: string,
  parameters: Record<string, unknown>,
): Promise<Set<string>> {
  const request =
    edition === 'es'
      ? esRequest({ name, parameters, sessionId: 'drift' })
      : cxRequest({ name, parameters, sessionId: 'drift' });
  const ctx = createTurnContext(
    parseWebhookRequest(request),
    new Budget(Date.now() + 3000, new AbortController().signal),
    createLogger({ sink: () => undefined }),
  );
  const read = new Set<string>();
  const params = ctx.params;
  const recording: TurnContext = {
    ...ctx,
    params: new Proxy(params, {
      get(target, method, receiver) {
        const fn = Reflect.get(target, method, receiver) as unknown;
        if (typeof fn !== 'function') return fn;
        return (param: string, ...rest: unknown[]) => {
          read.add(param);
          return (fn as (...a: unknown[]) => unknown).call(target, param, ...rest);
        };
      },
    }),
    parameters: new Proxy(ctx.parameters, {
      get(target, key, receiver) {
        if (typeof key === 'string' && key !== 'toJSON' && key !== 'then') read.add(key);
        return Reflect.get(target, key, receiver) as unknown;
      },
    }),
  };
  await handler(recording);
  return read;
}

describe('the agent files and the handlers do not drift apart', () => {
  let weather: WeatherStandIn;
  let handlers: Map<string, IntentHandler>;

  beforeAll(async () => {
    await resetTestFirestore();
    await seedDemoData(testFirestore());
    weather = await startWeatherStandIn(0);
    const config = testConfig({ WEATHER_API_BASE_URL: weather.url });
    handlers = createDemoIntents({
      db: testFirestoreFactory,
      weather: createWeatherService({
        baseUrl: config.weather.baseUrl,
        apiKey: config.weather.apiKey,
        http: createHttpClient(),
      }),
      jobs: demoJobs,
      jobsConfig: config,
    });
  });
  afterAll(async () => {
    await weather.close();
  });

  it('every webhook-enabled ES intent has a handler', () => {
    const missing = es.intents
      .filter((i) => i.webhookUsed && !handlers.has(i.name))
      .map((i) => i.name);
    expect(missing).toEqual([]);
  });

  it('every CX fulfillment tag has a handler', () => {
    const missing = [...cxTags(cx).keys()].filter((t) => !handlers.has(t));
    expect(missing).toEqual([]);
  });

  it('every handler has an ES intent or a CX tag', () => {
    const names = new Set([...es.intents.map((i) => i.name), ...cxTags(cx).keys()]);
    expect([...handlers.keys()].filter((h) => !names.has(h))).toEqual([]);
  });

  it('every parameter an ES handler reads is a parameter of its intent', async () => {
    const undefinedReads: string[] = [];
    for (const intent of es.intents.filter((i) => i.webhookUsed)) {
      const handler = handlers.get(intent.name);
      if (!handler) continue; // reported above
      const defined = new Set(intent.parameters.map((p) => p.name));
      const full = Object.fromEntries(
        intent.parameters.map((p) => [p.name, sample(p.entityType, 'es')]),
      );
      for (const parameters of [{}, full]) {
        for (const name of await parametersRead(handler, 'es', intent.name, parameters)) {
          if (!defined.has(name)) undefinedReads.push(`${intent.name} reads ${name}`);
        }
      }
    }
    expect(undefinedReads).toEqual([]);
  });

  it('every parameter a CX handler reads is defined on the intent or page that leads to its tag', async () => {
    const undefinedReads: string[] = [];
    const types = new Map<string, string>();
    for (const i of cx.intents) for (const p of i.parameters) types.set(p.name, p.entityType);
    for (const page of cx.flows.get(cx.startFlow!)!.pages.values()) {
      for (const f of page.form) if (!types.has(f.name)) types.set(f.name, f.entityType);
    }
    for (const [tag, defined] of cxTags(cx)) {
      const handler = handlers.get(tag);
      if (!handler) continue; // reported above
      const full = Object.fromEntries(
        [...defined].map((name) => [name, sample(types.get(name) ?? 'sys.any', 'cx')]),
      );
      for (const parameters of [{}, full]) {
        for (const name of await parametersRead(handler, 'cx', tag, parameters)) {
          if (!defined.has(name)) undefinedReads.push(`${tag} reads ${name}`);
        }
      }
    }
    expect(undefinedReads).toEqual([]);
  });

  it('the check sees a parameter read that nothing defines', async () => {
    const reads = await parametersRead(
      (ctx) => ({ texts: [ctx.params.string('colour') ?? ''] }),
      'es',
      'x',
      {},
    );
    expect([...reads]).toEqual(['colour']);
    const reservation = await parametersRead(
      handlers.get('make_reservation')!,
      'es',
      'make_reservation',
      Object.fromEntries(
        es.intents
          .find((i) => i.name === 'make_reservation')!
          .parameters.map((p) => [p.name, sample(p.entityType, 'es')]),
      ),
    );
    expect([...reservation]).toEqual(
      expect.arrayContaining(['date', 'time', 'party_size', 'name']),
    );
  });
});
